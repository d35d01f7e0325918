"""A row of small titled images, e.g. principal components of the digits as 8×8 pictures."""

from __future__ import annotations

import numpy as np
import pyqtgraph as pg
from PySide6.QtWidgets import QLabel, QVBoxLayout, QWidget

from ui.plots_palette import DIVERGING_LUT, symmetric_levels


class ImageGrid(QWidget):
    """Images in a grid of ``columns`` columns, each on the diverging scale with its own
    symmetric levels (so a component's sign pattern shows: red positive, blue negative).

    ``set_images(images (k, H, W), titles)``.
    """

    def __init__(self, columns: int = 8, parent: QWidget | None = None):
        super().__init__(parent)
        self.setObjectName("imageGrid")
        self.columns = max(1, int(columns))
        self.graphics = pg.GraphicsLayoutWidget(self)
        self.graphics.setBackground("w")
        self.caption = QLabel(self)
        self.caption.setObjectName("imageGridCaption")
        self.caption.setStyleSheet("color: palette(placeholder-text);")
        self.caption.setWordWrap(True)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.graphics, 1)
        layout.addWidget(self.caption)
        self.items: list = []

    def set_images(self, images, titles=None, caption: str = "") -> None:
        """Draw each image (row 0 on top)."""
        imgs = np.asarray(images, dtype=np.float64)
        if imgs.ndim == 2:
            imgs = imgs[None]
        titles = list(titles) if titles is not None else [""] * len(imgs)
        self.graphics.clear()
        self.items = []
        for k, img in enumerate(imgs):
            row, col = divmod(k, self.columns)
            vb = self.graphics.addViewBox(row=2 * row + 1, col=col, lockAspect=True, invertY=True,
                                          enableMouse=False)
            label = self.graphics.addLabel(titles[k] if k < len(titles) else "", row=2 * row, col=col,
                                           color="#333", size="8pt")
            item = pg.ImageItem(img, axisOrder="row-major", levels=symmetric_levels(img))
            item.setLookupTable(DIVERGING_LUT)
            vb.addItem(item)
            vb.autoRange(padding=0.02)
            self.items.append((label, item))
        self.caption.setText(caption)

    def count(self) -> int:
        """How many images are shown."""
        return len(self.items)
