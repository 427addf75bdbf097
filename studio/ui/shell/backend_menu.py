"""Settings ▸ Backend: PyTorch or OpenVINO for the jobs that follow (kept in settings.json)."""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtGui import QAction, QActionGroup
from PySide6.QtWidgets import QMenu, QWidget

from studio.core.errors import UserError
from studio.core.settings import Settings, save_backend

CHOICES = (
    (
        "auto",
        "&Automatic",
        "OpenVINO where it was measured faster (the extra installed, a CPU with native "
        "bfloat16, a full-size model); PyTorch everywhere else",
    ),
    ("torch", "&PyTorch", "Runs every model, every feature, on the CPU or a GPU"),
    (
        "openvino",
        "&OpenVINO (faster on CPUs)",
        "Needs pip install 'studio[openvino]'; exports each model once (minutes), "
        "then runs text-to-image and img2img faster on the CPU; the rest uses PyTorch",
    ),
)


class BackendMenu(QMenu):
    """Three exclusive choices; picking one saves it and tells the worker (`changed`)."""

    def __init__(
        self,
        changed: Callable[[str], None],
        message: Callable[[str], None],
        error: Callable[[str], None],
        parent: QWidget | None = None,
    ) -> None:
        super().__init__("&Backend", parent)
        self.setObjectName("backendMenu")
        self.setToolTipsVisible(True)
        self._changed, self._message, self._error = changed, message, error
        self.group = QActionGroup(self)
        self.group.setExclusive(True)
        self.actions_by_name: dict[str, QAction] = {}
        current = Settings.load().backend
        for name, label, tip in CHOICES:
            action = QAction(label, self, checkable=True)
            action.setObjectName(f"backend_{name}")
            action.setToolTip(tip)
            action.setStatusTip(tip)
            action.setChecked(name == current)
            action.triggered.connect(lambda _c=False, n=name: self.choose(n))
            self.group.addAction(action)
            self.addAction(action)
            self.actions_by_name[name] = action

    def choose(self, name: str) -> None:
        try:
            save_backend(name)
        except UserError as exc:
            self._error(str(exc))
            return
        self._changed(name)
        label = dict((n, lbl) for n, lbl, _ in CHOICES)[name].replace("&", "")
        self._message(f"Backend: {label}; used from the next job on")
