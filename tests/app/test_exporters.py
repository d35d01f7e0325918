"""Plots to PNG and SVG (through QSvgGenerator), images read into matrices."""

import xml.etree.ElementTree as ET

import numpy as np
import pytest
from PySide6.QtGui import QColor, QImage

from app.exporters import export_plot, export_plot_png, export_plot_svg, matrix_names, read_image
from engine.export import ExportError
from ui.plots_loss import LossPlot

PNG_MAGIC = b"\x89PNG\r\n\x1a\n"


@pytest.fixture
def loss_plot(qtbot):
    plot = LossPlot()
    qtbot.addWidget(plot)
    plot.resize(480, 300)
    plot.show()
    steps = np.arange(1.0, 21.0)
    plot.set_history(steps, 1.0 / steps, 1.2 / steps, None)
    return plot


def test_a_plot_exports_to_png_at_twice_its_size(loss_plot, tmp_path):
    path = export_plot_png(loss_plot, tmp_path / "loss.png")
    assert path.read_bytes()[:8] == PNG_MAGIC
    image = QImage(str(path))
    assert (image.width(), image.height()) == (960, 600)
    # something was drawn: not one flat colour
    colours = {image.pixel(x, y) for x in range(0, 960, 40) for y in range(0, 600, 40)}
    assert len(colours) > 2


def test_a_plot_exports_to_svg_with_vector_lines(loss_plot, tmp_path):
    path = export_plot_svg(loss_plot, tmp_path / "loss.svg", "Loss")
    root = ET.parse(path).getroot()
    assert root.tag.endswith("svg") and root.get("viewBox") == "0 0 480 300"
    tags = {el.tag.split("}")[-1] for el in root.iter()}
    assert {"polyline", "path"} & tags and "text" in tags
    assert "Loss" in path.read_text()


def test_the_suffix_picks_the_format_and_no_suffix_means_png(loss_plot, tmp_path):
    assert export_plot(loss_plot, tmp_path / "a.svg").suffix == ".svg"
    assert export_plot(loss_plot, tmp_path / "b").suffix == ".png"


def test_a_plot_with_no_size_is_a_sentence(qtbot, tmp_path):
    plot = LossPlot()
    qtbot.addWidget(plot)
    plot.resize(0, 0)
    with pytest.raises(ExportError, match="no size"):
        export_plot_png(plot, tmp_path / "x.png")
    assert list(tmp_path.iterdir()) == []


def test_an_unwritable_folder_is_a_sentence(loss_plot, tmp_path):
    with pytest.raises(ExportError, match="cannot be written"):
        export_plot_png(loss_plot, tmp_path / "missing" / "x.png")


def _image(tmp_path, name="pic.png", size=(5, 4)):
    img = QImage(*size, QImage.Format.Format_ARGB32)
    img.fill(QColor(10, 20, 30, 128))  # alpha is dropped
    img.setPixelColor(1, 2, QColor(255, 255, 255))
    path = tmp_path / name
    assert img.save(str(path))
    return path


def test_images_read_as_grayscale_and_channels(tmp_path):
    path = _image(tmp_path)
    gray = read_image(path)["gray"]
    assert gray.shape == (4, 5) and gray.dtype == np.float64
    assert gray[2, 1] == pytest.approx(1.0)
    rgb = read_image(path, "rgb", "bytes")
    assert list(rgb) == ["R", "G", "B"]
    assert rgb["R"][0, 0] == 10 and rgb["G"][0, 0] == 20 and rgb["B"][0, 0] == 30
    assert gray[0, 0] == pytest.approx((0.299 * 10 + 0.587 * 20 + 0.114 * 30) / 255)


def test_large_images_shrink_to_max_side(tmp_path):
    path = _image(tmp_path, size=(300, 150))
    assert read_image(path, max_side=100)["gray"].shape == (50, 100)


@pytest.mark.parametrize("mode, scale, words", [("cmyk", "unit", "mode"), ("gray", "percent", "scale")])
def test_bad_options_are_sentences(tmp_path, mode, scale, words):
    with pytest.raises(ExportError, match=words):
        read_image(_image(tmp_path), mode, scale)


def test_unreadable_files_name_the_file(tmp_path):
    (tmp_path / "notes.png").write_text("hello")
    with pytest.raises(ExportError, match="notes.png could not be read as an image"):
        read_image(tmp_path / "notes.png")
    with pytest.raises(ExportError, match="no such file"):
        read_image(tmp_path / "gone.png")


def test_matrix_names_are_valid_and_free():
    assert matrix_names("photo", "gray", []) == ["photo"]
    assert matrix_names("my photo-1", "rgb", []) == ["my_photo_1_R", "my_photo_1_G", "my_photo_1_B"]
    assert matrix_names("1st", "gray", []) == ["img1st"]
    assert matrix_names("photo", "gray", ["photo"]) == ["photo2"]
    assert all(len(n) <= 24 for n in matrix_names("x" * 40, "rgb", []))
