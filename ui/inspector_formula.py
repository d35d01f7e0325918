"""The rule of the traced operation, large, with a plain-language sentence under it."""

from __future__ import annotations

import re

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QFrame, QHBoxLayout, QLabel, QVBoxLayout, QWidget

#: the colour of each phase's badge (forward blue, loss purple, backward red, update green)
PHASE_COLOURS = {"forward": "#1f5fa8", "loss": "#6a3d9a", "backward": "#b2182b", "update": "#1a7f37"}


def _html(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


# "_15", "_t", "_xh", "_(t−1)", "_-1" after a symbol: written as subscripts
_SUB = re.compile(r"_(\((?:[^()]*)\)|-?\d+|[a-zA-Z]{1,2}(?![a-zA-Z]))")


def math_html(text: str) -> str:
    """Engine formula text as rich text: subscripts such as h⁽¹⁾_15, W_xh, Σ_t drawn as subscripts."""
    def sub(m):
        body = m.group(1)
        if body.startswith("(") and body.endswith(")"):
            body = body[1:-1]
        return f"<sub>{body}</sub>"
    return _SUB.sub(sub, _html(text))


class InspectorFormula(QFrame):
    """Shows one operation: a phase badge, a title, the formula and what it means.

    ``set_step(phase, title, formula, explanation)``: all plain text; the formula is the
    engine's Unicode (superscript layer numbers such as W⁽²⁾). A formula of several rules
    separated by ";  " (a loss and its gradient, Adam's moments) is written one rule per
    line, so each stays whole.
    """

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.setObjectName("inspectorFormula")
        self.setFrameShape(QFrame.Shape.StyledPanel)
        self.setStyleSheet("#inspectorFormula { background: #fbfbfd; border: 1px solid #dde1e6; border-radius: 6px; }")
        self._formula = ""
        self._phase = ""
        self.badge = QLabel(self)
        self.badge.setObjectName("inspectorPhaseBadge")
        self.badge.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.title = QLabel(self)
        self.title.setObjectName("inspectorFormulaTitle")
        self.title.setStyleSheet("font-size: 11pt; font-weight: 600; color: palette(window-text);")
        self.formula = QLabel(self)
        self.formula.setObjectName("inspectorFormulaText")
        self.formula.setTextFormat(Qt.TextFormat.RichText)
        self.formula.setWordWrap(True)
        self.formula.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        # a serif face reads as maths; Unicode super- and subscripts render in it everywhere
        self.formula.setStyleSheet("font-family: 'DejaVu Serif', 'Cambria Math', 'STIX Two Math', serif; "
                                   "font-size: 15pt; color: #111;")
        self.explanation = QLabel(self)
        self.explanation.setObjectName("inspectorFormulaExplanation")
        self.explanation.setWordWrap(True)
        self.explanation.setTextFormat(Qt.TextFormat.RichText)
        self.explanation.setStyleSheet("font-size: 10pt; color: #3b4552;")
        head = QHBoxLayout()
        head.setSpacing(8)
        head.addWidget(self.badge)
        head.addWidget(self.title, 1)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(10, 8, 10, 8)
        layout.setSpacing(4)
        layout.addLayout(head)
        layout.addWidget(self.formula)
        layout.addWidget(self.explanation)
        self.set_step("", "", "", "")

    def set_step(self, phase: str, title: str, formula: str, explanation: str = "") -> None:
        """Show an operation (empty strings clear the widget)."""
        self._phase = phase
        self._formula = formula
        colour = PHASE_COLOURS.get(phase, "#56606c")
        self.badge.setText(phase.upper() if phase else "")
        self.badge.setVisible(bool(phase))
        self.badge.setStyleSheet(f"background: {colour}; color: white; border-radius: 4px; padding: 2px 8px; "
                                 "font-weight: 600; font-size: 8.5pt; letter-spacing: 1px;")
        self.title.setText(title)
        lines = []
        for part in (p.strip() for p in formula.split(";")):
            if not part:
                continue
            rule, sep, note = part.partition("   (")
            lines.append(math_html(rule.strip()))
            if sep:
                # the settings in use (α = 0.03, …) and remarks: smaller, under their rule
                lines.append(f"<span style='font-size: 10pt; color: #6b7280;'>({_html(note.strip())}</span>")
        self.formula.setText("<br>".join(lines))
        self.formula.setVisible(bool(lines))
        self.explanation.setText(explanation)
        self.explanation.setVisible(bool(explanation))

    def formula_text(self) -> str:
        """The formula as given."""
        return self._formula

    def phase(self) -> str:
        """The phase shown."""
        return self._phase
