"""The status bar: engine state, progress (step i/N, it/s, ETA) and zoom."""

from __future__ import annotations

from PySide6.QtWidgets import QLabel, QProgressBar, QStatusBar, QWidget


def format_progress(step: int, total: int, elapsed: float) -> str:
    """`step 3/20 · 4.1 it/s · ETA 4s` (speed and ETA once a step has finished)."""
    text = f"step {step}/{total}"
    if step > 0 and elapsed > 0:
        rate = step / elapsed
        eta = (total - step) / rate
        text += (
            f" · {rate:.1f} it/s · ETA {eta:.0f}s"
            if rate >= 1
            else (f" · {1 / rate:.1f} s/it · ETA {eta:.0f}s")
        )
    return text


class StatusBar(QStatusBar):
    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.state = QLabel("starting…")
        self.state.setObjectName("engineState")
        self.state.setMinimumWidth(200)
        self.progress = QProgressBar()
        self.progress.setFixedWidth(180)
        self.progress.setRange(0, 1)
        self.progress.setValue(0)
        self.progress.setTextVisible(False)
        self.detail = QLabel("")
        self.detail.setMinimumWidth(220)
        self.precision = QLabel("")
        self.precision.setObjectName("enginePrecision")
        self.zoom = QLabel("100%")
        self.zoom.setMinimumWidth(56)
        self.addWidget(self.state)
        self.addPermanentWidget(self.precision)
        self.addPermanentWidget(self.detail)
        self.addPermanentWidget(self.progress)
        self.addPermanentWidget(self.zoom)

    def set_state(self, text: str) -> None:
        self.state.setText(text)

    def set_precision(self, dtype: str, reason: str) -> None:
        """The engine's precision, with the reason as tooltip (e.g. the CPU's bf16 feature)."""
        self.precision.setText(f"{dtype} · {reason}" if reason else dtype)
        self.precision.setToolTip(f"{dtype}: {reason}" if reason else dtype)

    def set_step(self, step: int, total: int, elapsed: float, prefix: str = "") -> None:
        self.progress.setRange(0, max(total, 1))
        self.progress.setValue(step)
        self.detail.setText(prefix + format_progress(step, total, elapsed))

    def reset_progress(self) -> None:
        self.progress.setRange(0, 1)
        self.progress.setValue(0)
        self.detail.setText("")

    def set_zoom(self, zoom: float) -> None:
        self.zoom.setText(f"{zoom * 100:.0f}%")
