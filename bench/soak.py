"""Endurance: many `tiny` generations with previews through the app's job controller.

The real JobController and its one long-lived worker QThread drive the real Engine (built-in
`tiny` model, latent previews), exactly as the desktop app does, minus the widgets. Jobs go in
one at a time; each must finish "done" with one preview per step and one result. The process's
resident memory (psutil RSS) is sampled after every job; growth is measured from the end of the
warm-up to the end of the run.

    python bench/soak.py                 # 200 jobs (a few minutes on 2 vCPU)
    python bench/soak.py --jobs 30 --warmup 10
Target: every job done, RSS growth after warm-up <= 50 MB.
"""

from __future__ import annotations

import argparse
import gc
import os
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

LIMIT_MB = 50.0


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--jobs", type=int, default=200)
    parser.add_argument("--warmup", type=int, default=20)
    parser.add_argument("--size", type=int, default=64)
    args = parser.parse_args()

    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    os.environ["HF_HUB_OFFLINE"] = "1"
    os.environ["STUDIO_CONFIG_DIR"] = tempfile.mkdtemp(prefix="studio-soak-")
    import psutil
    from PySide6.QtCore import QCoreApplication, QEventLoop, QTimer

    from studio.core.params import GenerationParams
    from studio.jobs.controller import JobController

    app = QCoreApplication.instance() or QCoreApplication([])
    controller = JobController()
    process = psutil.Process()
    outcomes: dict[int, str] = {}
    steps: dict[int, list[int]] = {}
    previews: dict[int, int] = {}
    results: dict[int, int] = {}
    errors: list[str] = []
    controller.step.connect(
        lambda job_id, report: (
            steps.setdefault(job_id, []).append(report.step),
            previews.__setitem__(job_id, previews.get(job_id, 0) + (report.preview is not None)),
        )
    )
    controller.result.connect(
        lambda job_id, image, params: results.__setitem__(job_id, results.get(job_id, 0) + 1)
    )
    controller.error.connect(lambda job_id, message: errors.append(f"#{job_id}: {message}"))
    loop = QEventLoop()
    watchdog = QTimer()
    watchdog.setSingleShot(True)
    watchdog.timeout.connect(loop.quit)

    def finished(job_id: int, outcome: str) -> None:
        outcomes[job_id] = outcome
        loop.quit()

    controller.job_finished.connect(finished)
    controller.start()

    rss: list[float] = []
    expected_steps: dict[int, int] = {}
    started = time.perf_counter()
    for index in range(args.jobs):
        params = GenerationParams(
            prompt=f"soak test {index}",
            model="tiny",
            width=args.size,
            height=args.size,
            steps=2 + index % 3,  # 2-4 steps
            seed=index,
        )
        job_id = controller.submit(params)
        expected_steps[job_id] = params.steps
        watchdog.start(300_000)
        while job_id not in outcomes and watchdog.isActive():
            loop.exec()
        watchdog.stop()
        gc.collect()
        rss.append(process.memory_info().rss / 2**20)
        if (index + 1) % 20 == 0:
            print(f"  {index + 1:4d} jobs  rss {rss[-1]:7.1f} MB", flush=True)
    elapsed = time.perf_counter() - started
    controller.shutdown(10_000)
    del app

    done = sum(1 for o in outcomes.values() if o == "done")
    steps_ok = all(steps.get(j, []) == list(range(1, n + 1)) for j, n in expected_steps.items())
    previews_ok = all(previews.get(j, 0) == n for j, n in expected_steps.items())
    results_ok = all(results.get(j, 0) == 1 for j in expected_steps)
    warm = rss[min(args.warmup, len(rss)) - 1]
    growth = rss[-1] - warm
    peak_growth = max(rss[args.warmup - 1 :]) - warm
    print(f"jobs: {args.jobs}, done: {done}, errors: {len(errors)}  ({elapsed:.1f} s)")
    print(f"steps/previews/results as expected: {steps_ok}/{previews_ok}/{results_ok}")
    print(
        f"RSS: start {rss[0]:.1f} MB, after warm-up ({args.warmup} jobs) {warm:.1f} MB, "
        f"end {rss[-1]:.1f} MB; growth {growth:+.1f} MB (peak {peak_growth:+.1f} MB), "
        f"limit {LIMIT_MB:.0f} MB"
    )
    for line in errors[:5]:
        print("  error", line)
    ok = done == args.jobs and steps_ok and previews_ok and results_ok and growth <= LIMIT_MB
    print("PASS" if ok else "FAIL")
    return 0 if ok else 1


if __name__ == "__main__":
    raise SystemExit(main())
