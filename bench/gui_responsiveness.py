"""GUI responsiveness from launch to the first image: a 10 ms QTimer probe on the GUI thread.

    python bench/gui_responsiveness.py [--size 256] [--steps 20] [--count 2]

Prints which thread first imported torch (it must be the worker), the worst gap between probe
ticks while the model loads and while the worker generates (target < 50 ms for every stall).
Runs offscreen unless QT_QPA_PLATFORM is set.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import itertools

from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QApplication

PROBE_MS = 10
TARGET_MS = 50.0


class FirstImport:
    """A meta-path finder that notes which thread imports a module first (it finds nothing)."""

    def __init__(self, name: str) -> None:
        self.name = name
        self.thread: str | None = None

    def find_spec(self, fullname, path=None, target=None):
        import threading

        if fullname == self.name and self.thread is None:
            self.thread = threading.current_thread().name
        return None


TORCH_IMPORT = FirstImport("torch")
sys.meta_path.insert(0, TORCH_IMPORT)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--size", type=int, default=256)
    parser.add_argument("--steps", type=int, default=20)
    parser.add_argument("--count", type=int, default=2)
    parser.add_argument("--model", default="tiny")
    args = parser.parse_args()

    app = QApplication.instance() or QApplication(["bench"])
    from studio.app import create_window

    window = create_window(use_settings=False)
    window.resize(1400, 900)
    window.show()
    panel = window.panel
    panel.model.setCurrentText(args.model)
    panel.steps.setValue(args.steps)
    panel.width_box.setValue(args.size)
    panel.height_box.setValue(args.size)
    panel.count.setValue(args.count)
    panel.prompt.setPlainText("castle on a cliff, concept art")

    load_ticks: list[float] = []
    load_probe = QTimer()
    load_probe.setInterval(PROBE_MS)
    load_probe.timeout.connect(lambda: load_ticks.append(time.perf_counter()))
    load_probe.start()
    state: dict[str, object] = {"ready": False}
    window.controller.state_changed.connect(
        lambda text: state.__setitem__("ready", state["ready"] or text == "ready")
    )
    load_started = time.perf_counter()
    window.controller.start(args.model)
    while not state["ready"]:
        app.processEvents()
        time.sleep(0.005)
        if time.perf_counter() - load_started > 300:
            print("model did not load in 300 s", window.last_error)
            return 1
    load_probe.stop()
    load_gaps = [(b - a) * 1000 for a, b in itertools.pairwise(load_ticks)]
    print(
        f"model loaded in the worker in {time.perf_counter() - load_started:.1f}s; "
        f"worst GUI gap while loading: {max(load_gaps, default=0):.1f} ms; "
        f"gaps over {TARGET_MS:.0f} ms: {sum(g >= TARGET_MS for g in load_gaps)}; "
        f"torch first imported on thread {TORCH_IMPORT.thread!r}"
    )

    ticks: list[float] = []
    steps: list[float] = []
    probe = QTimer()
    probe.setInterval(PROBE_MS)
    probe.timeout.connect(lambda: ticks.append(time.perf_counter()))
    window.controller.step.connect(lambda _job, _report: steps.append(time.perf_counter()))
    done = {"flag": False}
    window.controller.job_finished.connect(lambda _job, _outcome: done.__setitem__("flag", True))

    probe.start()
    started = time.perf_counter()
    window.generate()
    while not done["flag"]:
        app.processEvents()
        time.sleep(0.001)  # the loop itself must not hide stalls: processEvents runs the probe
    probe.stop()
    elapsed = time.perf_counter() - started

    gaps = [(b - a) * 1000 for a, b in itertools.pairwise(ticks)]
    gaps += load_gaps
    worst = max(gaps) if gaps else float("nan")
    print(
        f"generation: {args.count} x {args.size}px, {args.steps} steps, {elapsed:.2f}s, "
        f"{len(steps)} step signals, {window.generation.previews_painted} previews painted"
    )
    print(
        f"probe: {len(ticks)} ticks, median gap {statistics.median(gaps):.1f} ms, "
        f"p99 {sorted(gaps)[int(len(gaps) * 0.99) - 1]:.1f} ms"
    )
    verdict = "OK" if worst < TARGET_MS else "TOO SLOW"
    print(f"worst gap from launch to image: {worst:.1f} ms (target < {TARGET_MS:.0f} ms) {verdict}")
    window.close()
    return 0 if worst < TARGET_MS else 1


if __name__ == "__main__":
    sys.exit(main())
