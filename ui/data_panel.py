"""The data side of the network lab: which data set, how noisy, how split, which input features."""

from __future__ import annotations

import numpy as np
from PySide6.QtCore import QRectF, QSize, Qt, Signal
from PySide6.QtGui import QColor, QIcon, QPainter, QPainterPath, QPen, QPixmap
from PySide6.QtWidgets import (QCheckBox, QFileDialog, QGridLayout, QLabel, QListView, QListWidget,
                               QListWidgetItem, QPushButton, QSlider, QVBoxLayout, QWidget)

from ui.plots_palette import array_to_qimage, class_color, GREY_LUT

THUMB = 48
FEATURE_TEXT = {"x1": "x₁", "x2": "x₂", "x1^2": "x₁²", "x2^2": "x₂²", "x1*x2": "x₁x₂",
                "sin x1": "sin(x₁)", "sin x2": "sin(x₂)"}


def _thumbnail(preview: dict | None) -> QPixmap:
    """Draw a data set's preview (points, an image or a curve) as a small square picture."""
    pixmap = QPixmap(THUMB, THUMB)
    pixmap.fill(QColor("white"))
    if not preview:
        return pixmap
    p = QPainter(pixmap)
    p.setRenderHint(QPainter.RenderHint.Antialiasing)
    kind = preview.get("kind")
    if kind == "points":
        x = np.asarray(preview["x"], float)
        y = np.asarray(preview["y"]).ravel()
        lim = float(np.abs(x).max()) if x.size else 1.0
        lim = lim or 1.0
        k = preview.get("n_classes")
        regression = preview.get("task") == "regression"
        v = float(np.abs(y).max()) if (regression and y.size) else 1.0
        p.setPen(Qt.PenStyle.NoPen)
        for (a, b), c in zip(x[:, :2], y):
            if regression:
                colour = QColor.fromRgbF(*[min(1.0, max(0.0, ch)) for ch in _diverging(c / (v or 1.0))])
            else:
                colour = QColor(*class_color(int(c), k))
            p.setBrush(colour)
            px = (a / lim * 0.45 + 0.5) * THUMB
            py = (0.5 - b / lim * 0.45) * THUMB
            p.drawEllipse(QRectF(px - 1.6, py - 1.6, 3.2, 3.2))
    elif kind == "image":
        img = array_to_qimage(np.asarray(preview["image"]), 0.0, 1.0, GREY_LUT)
        p.drawImage(QRectF(6, 6, THUMB - 12, THUMB - 12), img)
    elif kind == "line":
        y = np.asarray(preview["y"], float).ravel()
        if y.size > 1:
            lo, hi = float(y.min()), float(y.max())
            span = (hi - lo) or 1.0
            path = QPainterPath()
            for i, v in enumerate(y):
                pt = (4 + i / (y.size - 1) * (THUMB - 8), THUMB - 6 - (v - lo) / span * (THUMB - 12))
                path.moveTo(*pt) if i == 0 else path.lineTo(*pt)
            p.setPen(QPen(QColor("#1f4e8c"), 1.6))
            p.drawPath(path)
    p.setPen(QPen(QColor("#999"), 1))
    p.setBrush(Qt.BrushStyle.NoBrush)
    p.drawRect(0, 0, THUMB - 1, THUMB - 1)
    p.end()
    return pixmap


def _diverging(t: float) -> tuple:
    t = max(-1.0, min(1.0, float(t)))
    if t < 0:
        return (1 + t * (1 - 33 / 255), 1 + t * (1 - 102 / 255), 1 + t * (1 - 172 / 255))
    return (1 - t * (1 - 178 / 255), 1 - t * (1 - 24 / 255), 1 - t * (1 - 43 / 255))


class DataPanel(QWidget):
    """Choose the data and how it is made; every change is a signal, the app regenerates.

    ``set_datasets(entries)``: each entry a dict with name, title, task, description,
    uses_noise and preview (``{"kind": "points", "x", "y", "n_classes", "task"}``,
    ``{"kind": "image", "image"}`` or ``{"kind": "line", "y"}``), drawn as a thumbnail.
    """

    datasetChosen = Signal(str)
    noiseChanged = Signal(float)
    testRatioChanged = Signal(float)
    regenerateRequested = Signal()
    showTestChanged = Signal(bool)
    featuresChanged = Signal(list)
    userFileChosen = Signal(str)

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.setObjectName("dataPanel")
        self._entries: dict = {}
        self._user_title = None

        title = QLabel("DATA", self)
        title.setStyleSheet("font-weight: bold; color: palette(window-text); letter-spacing: 1px;")
        self.list = QListWidget(self)
        self.list.setObjectName("datasetList")
        self.list.setViewMode(QListView.ViewMode.IconMode)
        self.list.setIconSize(QSize(THUMB, THUMB))
        self.list.setGridSize(QSize(THUMB + 24, THUMB + 34))
        self.list.setResizeMode(QListView.ResizeMode.Adjust)
        self.list.setMovement(QListView.Movement.Static)
        self.list.setWordWrap(True)
        self.list.setSpacing(0)
        self.list.setMinimumHeight(THUMB * 3)
        self.list.currentItemChanged.connect(self._item_changed)
        self.description = QLabel(self)
        self.description.setObjectName("datasetDescription")
        self.description.setWordWrap(True)
        self.description.setStyleSheet("color: palette(window-text);")

        self.file_button = QPushButton("Open a CSV or NPY file…", self)
        self.file_button.setObjectName("openDataFile")
        self.file_button.setToolTip("One row per sample; the last column is the label (classes or a value).")
        self.file_button.clicked.connect(self._choose_file)
        self.error = QLabel(self)
        self.error.setObjectName("dataError")
        self.error.setWordWrap(True)
        self.error.setStyleSheet("color: #b00020;")
        self.error.hide()

        self.ratio = QSlider(Qt.Orientation.Horizontal, self)
        self.ratio.setObjectName("trainRatio")
        self.ratio.setRange(10, 90)
        self.ratio.setSingleStep(10)
        self.ratio.setPageStep(10)
        self.ratio.setValue(50)
        self.ratio_label = QLabel(self)
        self.noise = QSlider(Qt.Orientation.Horizontal, self)
        self.noise.setObjectName("noise")
        self.noise.setRange(0, 50)
        self.noise.setSingleStep(5)
        self.noise.setPageStep(5)
        self.noise.setValue(10)
        self.noise_label = QLabel(self)
        for slider, handler in ((self.ratio, self._ratio_moved), (self.noise, self._noise_moved)):
            slider.valueChanged.connect(handler)
            slider.sliderReleased.connect(lambda s=slider, h=handler: h(s.value(), released=True))
        self.regenerate = QPushButton("Regenerate", self)
        self.regenerate.setObjectName("regenerateData")
        self.regenerate.setToolTip("Draw the data again with a new seed.")
        self.regenerate.clicked.connect(self.regenerateRequested)
        self.show_test = QCheckBox("Show test data", self)
        self.show_test.setObjectName("showTestData")
        self.show_test.setChecked(True)
        self.show_test.toggled.connect(self.showTestChanged)

        features_title = QLabel("FEATURES", self)
        features_title.setStyleSheet("font-weight: bold; color: palette(window-text); letter-spacing: 1px;")
        self.features_note = QLabel("Which properties of a point the network gets as input.", self)
        self.features_note.setWordWrap(True)
        self.features_note.setStyleSheet("color: palette(placeholder-text);")
        self.feature_boxes: dict[str, QCheckBox] = {}
        grid = QGridLayout()
        grid.setContentsMargins(0, 0, 0, 0)
        for i, name in enumerate(FEATURE_TEXT):
            box = QCheckBox(FEATURE_TEXT[name], self)
            box.setObjectName(f"feature:{name}")
            box.setChecked(name in ("x1", "x2"))
            box.toggled.connect(self._features_toggled)
            grid.addWidget(box, i // 2, i % 2)
            self.feature_boxes[name] = box

        layout = QVBoxLayout(self)
        layout.setContentsMargins(6, 6, 6, 6)
        layout.setSpacing(5)
        layout.addWidget(title)
        layout.addWidget(self.list, 3)
        layout.addWidget(self.description)
        layout.addWidget(self.file_button)
        layout.addWidget(self.error)
        layout.addWidget(self.ratio_label)
        layout.addWidget(self.ratio)
        layout.addWidget(self.noise_label)
        layout.addWidget(self.noise)
        layout.addWidget(self.regenerate)
        layout.addWidget(self.show_test)
        layout.addSpacing(6)
        layout.addWidget(features_title)
        layout.addWidget(self.features_note)
        layout.addLayout(grid)
        layout.addStretch(1)
        self._update_labels()

    # ------------------------------------------------------------------ inputs

    def set_datasets(self, entries: list) -> None:
        """The data sets to offer (see the class docstring)."""
        self.list.blockSignals(True)
        self.list.clear()
        self._entries = {}
        for entry in entries:
            item = QListWidgetItem(QIcon(_thumbnail(entry.get("preview"))), entry.get("title", entry["name"]))
            item.setData(Qt.ItemDataRole.UserRole, entry["name"])
            item.setToolTip(entry.get("description", ""))
            item.setSizeHint(QSize(THUMB + 24, THUMB + 34))
            self.list.addItem(item)
            self._entries[entry["name"]] = entry
        self.list.blockSignals(False)

    def set_current(self, name: str) -> None:
        """Select data set ``name`` without emitting ``datasetChosen``."""
        self.list.blockSignals(True)
        for row in range(self.list.count()):
            item = self.list.item(row)
            if item.data(Qt.ItemDataRole.UserRole) == name:
                self.list.setCurrentItem(item)
        self.list.blockSignals(False)
        self._show_entry(name)

    def current(self) -> str | None:
        """The name of the selected data set."""
        item = self.list.currentItem()
        return None if item is None else item.data(Qt.ItemDataRole.UserRole)

    def set_user_file(self, title: str, description: str) -> None:
        """Show that a person's own file is in use (nothing in the list selected)."""
        self.list.blockSignals(True)
        self.list.setCurrentRow(-1)
        self.list.clearSelection()
        self.list.blockSignals(False)
        self.description.setText(f"<b>{title}</b>: {description}")
        self.noise.setEnabled(False)

    def set_noise(self, value: float) -> None:
        """Set the noise slider (0 … 0.5) without emitting."""
        self.noise.blockSignals(True)
        self.noise.setValue(int(round(value * 100)))
        self.noise.blockSignals(False)
        self._update_labels()

    def set_test_ratio(self, value: float) -> None:
        """Set the split (the test share, 0.1 … 0.9) without emitting."""
        self.ratio.blockSignals(True)
        self.ratio.setValue(int(round((1 - value) * 100)))
        self.ratio.blockSignals(False)
        self._update_labels()

    def set_features(self, names, enabled: bool) -> None:
        """Tick the features ``names``; ``enabled`` False greys them (data that is not 2-D)."""
        for name, box in self.feature_boxes.items():
            box.blockSignals(True)
            box.setChecked(name in names)
            box.setEnabled(enabled)
            box.blockSignals(False)
        self.features_note.setText("Which properties of a point the network gets as input." if enabled else
                                   "Feature maps apply to 2-D points only; this data goes in as it is.")

    def features(self) -> list:
        """The ticked features in the engine's order."""
        return [name for name, box in self.feature_boxes.items() if box.isChecked()]

    def noise_value(self) -> float:
        """The noise chosen (0 … 0.5)."""
        return self.noise.value() / 100.0

    def test_ratio(self) -> float:
        """The share of the data held out for testing."""
        return 1.0 - self.ratio.value() / 100.0

    def show_error(self, sentence: str | None) -> None:
        """Say why the data could not be used (None hides it)."""
        self.error.setText(sentence or "")
        self.error.setVisible(bool(sentence))

    # ------------------------------------------------------------------ reactions

    def _item_changed(self, item, previous) -> None:
        if item is None:
            return
        name = item.data(Qt.ItemDataRole.UserRole)
        self._show_entry(name)
        self.datasetChosen.emit(name)

    def _show_entry(self, name: str) -> None:
        entry = self._entries.get(name, {})
        self.description.setText(f"<b>{entry.get('title', name)}</b>: {entry.get('description', '')}")
        self.noise.setEnabled(bool(entry.get("uses_noise", True)))
        self.show_error(None)

    def _ratio_moved(self, value: int, released: bool = False) -> None:
        self._update_labels()
        # while dragging only the label follows; the data is made again on release
        if released or not self.ratio.isSliderDown():
            self.testRatioChanged.emit(self.test_ratio())

    def _noise_moved(self, value: int, released: bool = False) -> None:
        self._update_labels()
        if released or not self.noise.isSliderDown():
            self.noiseChanged.emit(self.noise_value())

    def _features_toggled(self, on: bool) -> None:
        chosen = self.features()
        if not chosen:
            # a network needs at least one input: undo the last untick
            sender = self.sender()
            sender.blockSignals(True)
            sender.setChecked(True)
            sender.blockSignals(False)
            self.show_error("Keep at least one feature: the network needs an input.")
            return
        self.show_error(None)
        self.featuresChanged.emit(chosen)

    def _update_labels(self) -> None:
        self.ratio_label.setText(f"Ratio of training to test data: {self.ratio.value()}%")
        self.noise_label.setText(f"Noise: {self.noise.value() / 100:.2f}")

    def _choose_file(self) -> None:
        # open() rather than exec(): no nested event loop, and tests can drive it
        dialog = QFileDialog(self, "Open a data file", "", "Data (*.csv *.tsv *.txt *.npy);;All files (*)")
        dialog.setObjectName("dataFileDialog")
        dialog.setFileMode(QFileDialog.FileMode.ExistingFile)
        dialog.fileSelected.connect(self.userFileChosen)
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.open()
