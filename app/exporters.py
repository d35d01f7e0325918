"""Files to and from other programs, on the Qt side: plots to PNG and SVG, images in as matrices.

* ``export_plot_png(widget, path)``: a plot widget (any widget holding pyqtgraph views)
  to PNG, painted at ``scale`` times its size on screen.
* ``export_plot_svg(widget, path)``: the widget painted through ``QSvgGenerator`` (vector
  items stay vectors; pyqtgraph's cosmetic pens become ``vector-effect="non-scaling-stroke"``,
  which browsers and Inkscape honour). pyqtgraph 0.14's own SVG exporter is broken on
  PySide6, so it is not used.
* ``read_image(path, mode)``: a PNG/JPEG/BMP/... read by Qt into matrices: one grayscale
  matrix (Rec. 601 luma) or one per channel (R, G, B), values in 0…1 or 0…255.

The loss history (CSV), a step-through trace (JSON + NPZ) and networks (PyTorch, ONNX)
are written by ``engine.export``, which needs no Qt. Every writer here is atomic
(temporary file, then rename) and errors are ``ExportError`` sentences.
"""

from __future__ import annotations

import re
from pathlib import Path

import numpy as np
from PySide6.QtCore import QPoint, QRect, QSize
from PySide6.QtGui import QImage, QImageReader, QPainter
from PySide6.QtWidgets import QWidget

from engine.export.files import ExportError, atomic_path

IMAGE_MODES = ("gray", "rgb")
IMAGE_SCALES = ("unit", "bytes")
#: the matrix lab's largest matrix, in entries
MAX_IMAGE_ENTRIES = 4096 * 4096


# =============================================================== plots out

def export_plot_png(widget: QWidget, path, scale: float = 2.0) -> Path:
    """Write ``widget`` (a plot, with its labels) to ``path`` as PNG at ``scale`` times its size; returns the path.

    The widget is painted through a scaled QPainter, so lines and text are drawn at the
    higher resolution rather than enlarged. (pyqtgraph's ImageExporter re-lays the scene
    out when asked for a larger width, leaving fonts at screen size, and draws one view
    without the labels around it.)
    """
    path = Path(path)
    if path.suffix.lower() != ".png":
        path = path.with_suffix(".png")
    _check_size(widget)
    with atomic_path(path) as tmp:
        image = _grab(widget, scale)
        # the temporary name has no .png suffix: say the format
        if not image.save(str(tmp), "PNG"):
            raise ExportError(f"{path.name} was not written: Qt could not encode the PNG.")
    return path


def _grab(widget: QWidget, scale: float) -> QImage:
    size = widget.size()
    image = QImage(QSize(max(1, int(size.width() * scale)), max(1, int(size.height() * scale))),
                   QImage.Format.Format_ARGB32_Premultiplied)
    image.fill(widget.palette().window().color())
    painter = QPainter(image)
    painter.setRenderHint(QPainter.RenderHint.Antialiasing)
    painter.scale(scale, scale)
    try:
        widget.render(painter, QPoint(0, 0))
    finally:
        painter.end()
    return image


def export_plot_svg(widget: QWidget, path, title: str = "") -> Path:
    """Write ``widget`` (a plot) to ``path`` as SVG through ``QSvgGenerator``; returns the path."""
    try:
        from PySide6.QtSvg import QSvgGenerator
    except ImportError:  # pragma: no cover - QtSvg ships with PySide6-Essentials
        raise ExportError("SVG export needs Qt's SVG module (QtSvg), which this PySide6 lacks: "
                          "export to PNG instead, or install the full PySide6.") from None
    path = Path(path)
    if path.suffix.lower() != ".svg":
        path = path.with_suffix(".svg")
    _check_size(widget)
    size = widget.size()
    with atomic_path(path) as tmp:
        generator = QSvgGenerator()
        generator.setFileName(str(tmp))
        generator.setSize(size)
        generator.setViewBox(QRect(0, 0, size.width(), size.height()))
        generator.setTitle(title or widget.objectName() or "plot")
        generator.setDescription("Exported from Matrix Network Lab")
        painter = QPainter()
        if not painter.begin(generator):
            raise ExportError(f"{path.name} was not written: Qt could not start the SVG file.")
        try:
            widget.render(painter, QPoint(0, 0))
        finally:
            painter.end()
    return path


def export_plot(widget: QWidget, path, title: str = "") -> Path:
    """PNG or SVG by the suffix of ``path`` (PNG when there is none)."""
    if Path(path).suffix.lower() == ".svg":
        return export_plot_svg(widget, path, title)
    return export_plot_png(widget, path)


def _check_size(widget: QWidget) -> None:
    if widget.width() < 2 or widget.height() < 2:
        raise ExportError("The plot has no size yet: show it on screen (open its tab) and export again.")


# =============================================================== images in

def read_image(path, mode: str = "gray", scale: str = "unit", max_side: int | None = None) -> dict:
    """Read an image file into matrices: {"gray": (H, W)} or {"R", "G", "B": (H, W)} float64.

    ``mode``: "gray" (luma 0.299 R + 0.587 G + 0.114 B) or "rgb" (one matrix per channel).
    ``scale``: "unit" gives 0…1, "bytes" gives the 0…255 values. ``max_side``: shrink the
    image (smoothly, keeping its proportions) so no side is longer. Raises ExportError with
    a sentence naming the file when Qt cannot read it or it is too large.
    """
    path = Path(path)
    if mode not in IMAGE_MODES:
        raise ExportError(f"The image mode {mode!r} is not one of {', '.join(IMAGE_MODES)}.")
    if scale not in IMAGE_SCALES:
        raise ExportError(f"The image scale {scale!r} is not one of {', '.join(IMAGE_SCALES)}.")
    reader = QImageReader(str(path))
    if not reader.canRead():
        why = reader.errorString() if path.exists() else "there is no such file"
        raise ExportError(f"{path.name} could not be read as an image ({why}); Qt here reads "
                          f"{', '.join(_formats())}.")
    size = reader.size()
    if size.isValid() and max_side is None and size.width() * size.height() > MAX_IMAGE_ENTRIES:
        raise ExportError(f"{path.name} is {size.width()}×{size.height()} pixels, beyond the "
                          f"{MAX_IMAGE_ENTRIES:,} entries a matrix holds: shrink it first.")
    if size.isValid() and max_side is not None and max(size.width(), size.height()) > max_side:
        k = max_side / max(size.width(), size.height())
        reader.setScaledSize(QSize(max(1, round(size.width() * k)), max(1, round(size.height() * k))))
    image = reader.read()
    if image.isNull():
        raise ExportError(f"{path.name} could not be read as an image ({reader.errorString()}).")
    rgb = qimage_to_rgb(image)
    values = rgb if scale == "bytes" else rgb / 255.0
    if mode == "gray":
        return {"gray": values @ np.array([0.299, 0.587, 0.114])}
    return {"R": values[..., 0].copy(), "G": values[..., 1].copy(), "B": values[..., 2].copy()}


def qimage_to_rgb(image: QImage) -> np.ndarray:
    """An (H, W, 3) float64 array of a QImage's red, green and blue (0…255; alpha is dropped)."""
    img = image.convertToFormat(QImage.Format.Format_RGBA8888)
    h, w = img.height(), img.width()
    raw = np.frombuffer(img.constBits(), np.uint8, count=img.sizeInBytes())
    rows = raw.reshape(h, img.bytesPerLine())[:, : w * 4].reshape(h, w, 4)
    return rows[..., :3].astype(np.float64)


def matrix_names(stem: str, mode: str, taken) -> list:
    """Workspace names for an image's matrices: "<stem>" or "<stem>_R", "_G", "_B", made valid and free."""
    base = re.sub(r"[^A-Za-z0-9_]", "_", stem)
    if not base or not base[0].isalpha():
        base = "img" + base
    suffixes = [""] if mode == "gray" else ["_R", "_G", "_B"]
    base = base[: 24 - max(len(s) for s in suffixes)]
    taken = set(taken)
    n = 1
    candidate = base
    while any(candidate + s in taken for s in suffixes):
        n += 1
        candidate = f"{base[: 24 - 3 - len(str(n))]}{n}"
    return [candidate + s for s in suffixes]


def _formats() -> list:
    return sorted({bytes(f).decode() for f in QImageReader.supportedImageFormats()} & {
        "png", "jpg", "jpeg", "bmp", "gif", "ppm", "pgm", "webp", "tif", "tiff"})
