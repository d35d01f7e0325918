"""A neuron's heatmap shown large over the network canvas, live while training runs."""

from __future__ import annotations

import numpy as np
from PySide6.QtCore import QSize, Qt, Signal
from PySide6.QtGui import QPixmap
from PySide6.QtWidgets import QFrame, QHBoxLayout, QLabel, QToolButton, QVBoxLayout, QWidget

from ui.plots_palette import DIVERGING_LUT, array_to_qimage

SIDE = 220


class CanvasNeuronZoom(QFrame):
    """A floating card: title, the map at ``SIDE`` pixels, and the value range of its colours.

    The canvas keeps it updated while it is open; × (or clicking the same neuron again)
    closes it and emits ``closed``.
    """

    closed = Signal()

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.setObjectName("neuronZoom")
        self.setFrameShape(QFrame.Shape.StyledPanel)
        self.setStyleSheet("#neuronZoom { background: white; border: 1px solid #8a94a3; border-radius: 6px; }")
        self.key: tuple | None = None
        self.title = QLabel(self)
        self.title.setObjectName("neuronZoomTitle")
        self.title.setStyleSheet("font-weight: bold;")
        close = QToolButton(self)
        close.setText("×")
        close.setToolTip("Close")
        close.setAutoRaise(True)
        close.clicked.connect(self.close_zoom)
        self.image = QLabel(self)
        self.image.setFixedSize(QSize(SIDE, SIDE))
        self.image.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.caption = QLabel(self)
        self.caption.setObjectName("neuronZoomCaption")
        self.caption.setWordWrap(True)
        self.caption.setStyleSheet("color: palette(window-text);")
        top = QHBoxLayout()
        top.addWidget(self.title, 1)
        top.addWidget(close)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(8, 4, 8, 8)
        layout.addLayout(top)
        layout.addWidget(self.image)
        layout.addWidget(self.caption)
        self.setFixedWidth(SIDE + 18)
        self.hide()

    def show_map(self, key: tuple, title: str, array, levels: tuple, table=DIVERGING_LUT, caption: str = "") -> None:
        """Show ``array`` large under ``title``; ``key`` identifies the neuron (layer, unit)."""
        self.key = key
        self.title.setText(title)
        if array is None:
            self.image.setText("No map yet: train a step.")
            self.image.setPixmap(QPixmap())
        else:
            a = np.asarray(array)
            image = array_to_qimage(a, levels[0], levels[1], table)
            mode = Qt.TransformationMode.SmoothTransformation if a.shape[-1] > 24 else Qt.TransformationMode.FastTransformation
            self.image.setPixmap(QPixmap.fromImage(image).scaled(SIDE, SIDE, Qt.AspectRatioMode.IgnoreAspectRatio, mode))
        lo, hi = levels
        range_text = f"colours: blue {lo:.3g} … white 0 … red {hi:.3g}" if lo < 0 < hi else f"colours: {lo:.3g} … {hi:.3g}"
        self.caption.setText(f"{caption}\n{range_text}" if caption else range_text)
        self.adjustSize()
        self.show()
        self.raise_()

    def close_zoom(self) -> None:
        """Hide the card and forget which neuron it showed."""
        self.key = None
        self.hide()
        self.closed.emit()
