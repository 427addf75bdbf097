"""A one-line terminal progress display on stderr: image i/N, step s/S, it/s, ETA."""

from __future__ import annotations

import sys
import time
from pathlib import Path
from typing import Any, TextIO


class StepProgress:
    def __init__(self, total_images: int, stream: TextIO | None = None) -> None:
        self.total_images = total_images
        self.stream = stream or sys.stderr
        self.tty = self.stream.isatty()
        self._last_print = 0.0

    def step(self, report: Any) -> None:
        rate = report.step / report.elapsed if report.elapsed > 0 else 0.0
        remaining = (report.total - report.step) / rate if rate else 0.0
        line = (
            f"image {report.image_index + 1}/{report.image_count}  "
            f"step {report.step}/{report.total}  {rate:.2f} it/s  ETA {remaining:.0f}s"
        )
        now = time.monotonic()
        if self.tty:
            self.stream.write("\r" + line.ljust(60))
            self.stream.flush()
        elif report.step == report.total or now - self._last_print > 5:
            self.stream.write(line + "\n")
            self._last_print = now

    def done(self, path: Path) -> None:
        if self.tty:
            self.stream.write("\n")
        self.stream.write(f"wrote {path}\n")
        self.stream.flush()

    def finish(self, seconds: float) -> None:
        self.stream.write(f"done in {seconds:.1f}s\n")
        self.stream.flush()
