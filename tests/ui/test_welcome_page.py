"""WelcomePage: built alone, it names both labs and lays out its cards fully."""

from PySide6.QtWidgets import QLabel

from ui.welcome_page import WelcomePage


def test_names_both_labs(qtbot):
    page = WelcomePage()
    qtbot.addWidget(page)
    texts = [label.text() for label in page.findChildren(QLabel)]
    assert "Matrix Network Lab" in texts
    assert "Matrix lab" in texts and "Network lab" in texts


def test_card_text_is_not_clipped(qtbot):
    page = WelcomePage()
    qtbot.addWidget(page)
    page.resize(1100, 700)
    page.show()
    qtbot.waitExposed(page)
    for card in page.cards:
        for label in card.findChildren(QLabel):
            if label.wordWrap():
                assert label.height() >= label.heightForWidth(label.width())
