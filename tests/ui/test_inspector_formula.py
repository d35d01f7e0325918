"""InspectorFormula: the rule large, one rule per line, subscripts drawn as subscripts."""

from ui.inspector_formula import InspectorFormula, math_html


def test_rules_are_split_one_per_line_with_settings_under_them(qtbot):
    f = InspectorFormula()
    qtbot.addWidget(f)
    adam = ("m ← β₁·m + (1 − β₁)·∂J/∂W⁽¹⁾;  v ← β₂·v;  W⁽¹⁾ ← W⁽¹⁾ − α·m̂ / (√v̂ + ε)"
            "   (α = 0.03, β₁ = 0.9, t = 1)")
    f.set_step("update", "Layer 1: update W", adam, "The optimiser moves W.")
    html = f.formula.text()
    assert html.count("<br>") == 3
    assert "(α = 0.03, β₁ = 0.9, t = 1)" in html
    assert f.formula_text() == adam and f.phase() == "update"
    assert f.badge.text() == "UPDATE"
    f.set_step("", "", "", "")
    assert f.formula.isHidden() and f.badge.isHidden()


def test_math_html_writes_subscripts():
    assert (math_html("δ⁽¹⁾_15 = W_hh⁽¹⁾ᵀ·δ⁽¹⁾_16")
            == "δ⁽¹⁾<sub>15</sub> = W<sub>hh</sub>⁽¹⁾ᵀ·δ⁽¹⁾<sub>16</sub>")
    assert math_html("Σ_t δ_t·h_(t−1)ᵀ") == "Σ<sub>t</sub> δ<sub>t</sub>·h<sub>t−1</sub>ᵀ"
    assert math_html("a < b & c") == "a &lt; b &amp; c"
