"""The page the window opens on until the matrix and network labs arrive."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QFrame, QHBoxLayout, QLabel, QVBoxLayout, QWidget

_CARDS = (
    (
        "Matrix lab",
        "Type matrices into a grid, then add, multiply, transpose, invert and solve "
        "them on your OpenCL device, and see every result as a new matrix.",
    ),
    (
        "Network lab",
        "Stack dense, convolution and recurrent layers, train them on small data sets, "
        "step through forward and backward passes one operation at a time, and watch "
        "the loss, decision boundaries and feature maps live.",
    ),
)

_COLUMN_WIDTH = 820
_CARD_GAP = 20
_CARD_MARGIN = 18

_STYLE = """
QWidget#welcomePage QLabel#welcomeTitle { font-size: 26pt; font-weight: 600; }
QWidget#welcomePage QLabel#welcomeSubtitle { font-size: 12pt; }
QWidget#welcomePage QFrame[card="true"] {
    border: 1px solid palette(midlight); border-radius: 8px; background: palette(base);
}
QWidget#welcomePage QFrame[card="true"] QLabel { border: none; background: transparent; }
QWidget#welcomePage QLabel[role="cardTitle"] { font-size: 14pt; font-weight: 600; }
QWidget#welcomePage QLabel[role="cardBody"] { font-size: 10pt; }
QWidget#welcomePage QLabel[role="badge"] {
    color: palette(highlight); font-size: 9pt; font-weight: 600;
}
QWidget#welcomePage QLabel#welcomeHint { color: palette(placeholder-text); }
"""


class WelcomePage(QWidget):
    """A short introduction: what the lab is, what is coming, where to pick a device."""

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.setObjectName("welcomePage")
        self.setStyleSheet(_STYLE)

        title = QLabel("Matrix Network Lab", self)
        title.setObjectName("welcomeTitle")
        subtitle = QLabel(
            "Learn matrices and neural networks by building them, and run them on the "
            "GPU or CPU in this machine.",
            self,
        )
        subtitle.setObjectName("welcomeSubtitle")
        subtitle.setWordWrap(True)

        cards = QHBoxLayout()
        cards.setSpacing(_CARD_GAP)
        self.cards = [self._card(name, text) for name, text in _CARDS]
        for card in self.cards:
            cards.addWidget(card, 1)

        hint = QLabel(
            "Choose where to compute from the Device menu; the status bar shows the device in use.",
            self,
        )
        hint.setObjectName("welcomeHint")
        hint.setWordWrap(True)

        column = QVBoxLayout()
        column.setContentsMargins(0, 0, 0, 0)
        column.setSpacing(14)
        column.addWidget(title)
        column.addWidget(subtitle)
        column.addSpacing(18)
        column.addLayout(cards)
        column.addSpacing(10)
        column.addWidget(hint)

        # A fixed-width centred column reads better than text stretched across a wide
        # window, and a known width lets the wrapped labels take their full height.
        holder = QWidget(self)
        holder.setLayout(column)
        holder.setFixedWidth(_COLUMN_WIDTH)
        # Sizes below depend on the style sheet's fonts, which apply at polish time.
        self.ensurePolished()
        for label in (subtitle, hint):
            label.setMinimumHeight(label.heightForWidth(_COLUMN_WIDTH))
        tallest = max(card.minimumSizeHint().height() for card in self.cards)
        for card in self.cards:
            card.setMinimumHeight(tallest)
        holder.setMinimumHeight(column.minimumSize().height())
        outer = QVBoxLayout(self)
        outer.setContentsMargins(40, 40, 40, 40)
        outer.addStretch(1)
        outer.addWidget(holder, 0, Qt.AlignmentFlag.AlignHCenter)
        outer.addStretch(2)

    def _card(self, name: str, text: str) -> QFrame:
        card = QFrame(self)
        card.setObjectName(f"card_{name.split()[0].lower()}")
        card.setProperty("card", True)
        body = QLabel(text, card)
        body.setProperty("role", "cardBody")
        body.setWordWrap(True)
        body.setAlignment(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignTop)
        heading = QLabel(name, card)
        heading.setProperty("role", "cardTitle")
        badge = QLabel("COMING SOON", card)
        badge.setProperty("role", "badge")

        top = QHBoxLayout()
        top.addWidget(heading)
        top.addStretch(1)
        top.addWidget(badge)
        layout = QVBoxLayout(card)
        layout.setContentsMargins(_CARD_MARGIN, 16, _CARD_MARGIN, 18)
        layout.setSpacing(8)
        layout.addLayout(top)
        layout.addWidget(body, 1)
        # A centred, aligned column does not pass height-for-width down to wrapped
        # labels, so reserve the wrapped text's height for the width the card will have.
        text_width = (_COLUMN_WIDTH - _CARD_GAP) // 2 - 2 * _CARD_MARGIN
        body.ensurePolished()
        body.setMinimumHeight(body.heightForWidth(text_width))
        return card
