"""Parts of the prompt panel's settings form: the modes in an artist's words, the scrolling
pane that is as tall as its rows, a folding "More" section and a two-field row."""

from __future__ import annotations

from PySide6.QtCore import QSize, Qt
from PySide6.QtWidgets import (
    QFormLayout,
    QFrame,
    QHBoxLayout,
    QLabel,
    QScrollArea,
    QSplitter,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

# the modes in an artist's words; the term in brackets is what other tools call it
MODE_LABELS = {
    "txt2img": "New picture (txt2img)",
    "img2img": "Repaint the picture (img2img)",
    "inpaint": "Repaint the masked area (inpaint)",
    "outpaint": "Fill the new edges (outpaint)",
}
# what Generate will do: (in Auto, why the canvas asks for it; when chosen by hand)
MODE_HINTS = {
    "txt2img": ("Empty canvas: will create a new picture", "Will create a new picture"),
    "img2img": (
        "Picture, no mask: will repaint all of it",
        "Will repaint the whole picture",
    ),
    "inpaint": ("Mask painted: will repaint the masked area", "Will repaint the masked area"),
    "outpaint": ("Canvas grown: will fill in its new edges", "Will fill in the new edges"),
}


class SettingsScroll(QScrollArea):
    """The settings form, scrolling on short screens; it asks for its full height."""

    def __init__(self, widget: QWidget) -> None:
        super().__init__()
        self.setWidget(widget)
        self.setWidgetResizable(True)
        self.setFrameShape(QFrame.Shape.NoFrame)
        self.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.setMinimumHeight(120)

    def sizeHint(self) -> QSize:
        hint = self.widget().sizeHint()
        return QSize(hint.width() + self.verticalScrollBar().sizeHint().width(), hint.height())

    def minimumSizeHint(self) -> QSize:  # room for the scroll bar, which covers the form
        bar = self.verticalScrollBar().sizeHint().width()
        return QSize(self.widget().minimumSizeHint().width() + bar, 120)

    def fit(self) -> None:
        """Never taller than the rows need (after rows were shown, hidden or unfolded)."""
        self.widget().adjustSize()
        self.setMaximumHeight(self.sizeHint().height() + 2 * self.frameWidth())

    def balance(self, splitter: QSplitter) -> None:
        """As tall as the rows (the last pane of `splitter`): take from, or give to, the panes
        above (the prompts), never below their minimum; the negative prompt gives first."""
        sizes = splitter.sizes()
        if len(sizes) < 2 or not any(sizes):
            return
        change = self.maximumHeight() - sizes[-1]
        if change < 0:
            sizes[0] -= change
            sizes[-1] += change
        for i in reversed(range(len(sizes) - 1)) if change > 0 else ():
            spare = sizes[i] - splitter.widget(i).minimumSizeHint().height()
            take = max(0, min(spare, change))
            sizes[i] -= take
            sizes[-1] += take
            change -= take
        splitter.setSizes(sizes)


def pair(first: QWidget, label: str, second: QWidget) -> QHBoxLayout:
    row = QHBoxLayout()
    row.addWidget(first, 1)
    row.addWidget(QLabel(label))
    row.addWidget(second, 1)
    return row


class Fold(QWidget):
    """A collapsible section: a "More" toggle over a form of less used options, folded."""

    def __init__(self, title: str) -> None:
        super().__init__()
        self.toggle = QToolButton()
        self.toggle.setText(title)
        self.toggle.setObjectName("moreToggle")
        self.toggle.setCheckable(True)
        self.toggle.setAutoRaise(True)
        self.toggle.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextBesideIcon)
        self.toggle.setArrowType(Qt.ArrowType.RightArrow)
        self.body = QWidget()
        self.form = QFormLayout(self.body)
        self.form.setContentsMargins(0, 0, 0, 0)
        self.form.setLabelAlignment(Qt.AlignmentFlag.AlignRight)
        self.form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.AllNonFixedFieldsGrow)
        self.body.hide()
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(2)
        layout.addWidget(self.toggle)
        layout.addWidget(self.body)
        self.toggle.toggled.connect(self.set_open)

    def set_open(self, on: bool) -> None:
        self.toggle.setChecked(on)
        self.toggle.setArrowType(Qt.ArrowType.DownArrow if on else Qt.ArrowType.RightArrow)
        self.body.setVisible(on)
