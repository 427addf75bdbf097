"""QUndoCommand wrappers around the document's edits (studio.core.document)."""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtGui import QUndoCommand

from studio.core.brush import Rect
from studio.core.document import Document, Edit


class EditCommand(QUndoCommand):
    """Applies/reverts one Edit and tells the view what changed."""

    def __init__(
        self,
        document: Document,
        edit: Edit,
        on_mask: Callable[[Rect | None], None],
        on_image: Callable[[], None],
    ) -> None:
        super().__init__(edit.label)
        self._document = document
        self._edit = edit
        self._on_mask = on_mask
        self._on_image = on_image

    def redo(self) -> None:
        self._notify(self._edit.apply(self._document))

    def undo(self) -> None:
        self._notify(self._edit.revert(self._document))

    def _notify(self, rect: Rect | None) -> None:
        if self._edit.changes_image:
            self._on_image()
        else:
            self._on_mask(rect)
