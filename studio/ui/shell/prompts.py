"""The questions the shell asks before work could be lost (modal, GUI thread)."""

from __future__ import annotations

from datetime import datetime

from PySide6.QtWidgets import QMessageBox, QWidget


def ask_save_changes(parent: QWidget, name: str) -> str:
    """'save', 'discard' or 'cancel'."""
    box = QMessageBox(parent)
    box.setObjectName("saveChangesBox")
    box.setIcon(QMessageBox.Icon.Warning)
    box.setWindowTitle("Studio")
    box.setText(f"Save changes to {name}?")
    box.setInformativeText("Your changes are lost if you don't save them.")
    buttons = QMessageBox.StandardButton
    box.setStandardButtons(buttons.Save | buttons.Discard | buttons.Cancel)
    box.setDefaultButton(buttons.Save)
    box.setEscapeButton(buttons.Cancel)
    answer = box.exec()
    return {buttons.Save: "save", buttons.Discard: "discard"}.get(buttons(answer), "cancel")


def ask_restore(parent: QWidget, saved_at: datetime, name: str) -> bool:
    """Offer the autosave a crashed session left behind; True to restore it."""
    box = QMessageBox(parent)
    box.setObjectName("restoreBox")
    box.setIcon(QMessageBox.Icon.Question)
    box.setWindowTitle("Studio")
    box.setText("Studio did not close normally last time.")
    when = saved_at.astimezone().strftime("%A %H:%M:%S")
    box.setInformativeText(f"Restore {name}, autosaved {when}?")
    restore = box.addButton("Restore", QMessageBox.ButtonRole.AcceptRole)
    box.addButton("Discard it", QMessageBox.ButtonRole.DestructiveRole)
    box.setDefaultButton(restore)
    box.exec()
    return box.clickedButton() is restore
