"""studio.jobs.background_run: one run at a time, its report after the thread stops, and a
crashing run reported (not a dead thread); the export and the farm both run on it."""

from __future__ import annotations

import threading

from studio.core.farm_config import FarmConfig
from studio.jobs.background_run import BackgroundRun
from studio.jobs.farm_job import FarmRequest
from studio.jobs.farm_runner import FarmRunner


class _Runner(BackgroundRun):
    def start(self, work) -> bool:
        return self._start("studio-test", "test run", work, lambda exc: f"crashed: {exc}")

    def _stopped(self) -> str:
        return "stopped"


def test_a_run_reports_progress_then_its_report_and_refuses_a_second_meanwhile(qtbot) -> None:
    runner = _Runner()
    gate = threading.Event()

    def work(cancel, progress, _image):
        progress(1, 2)
        gate.wait(10)
        return "done"

    with qtbot.waitSignal(runner.finished, timeout=10_000) as finished:
        with qtbot.waitSignal(runner.progress) as progressed:
            assert runner.start(work)
        assert progressed.args == [1, 2]
        assert runner.busy and not runner.start(work)
        gate.set()
    assert finished.args == ["done"] and not runner.busy


def test_a_run_that_raises_is_reported_by_crashed_and_the_runner_is_free_again(qtbot) -> None:
    runner = _Runner()

    def work(cancel, progress, _image):
        raise RuntimeError("boom")

    with qtbot.waitSignal(runner.finished, timeout=10_000) as finished:
        assert runner.start(work)
    assert finished.args == ["crashed: boom"] and not runner.busy


def test_a_farm_backend_bug_becomes_one_line_in_the_report(qtbot, tmp_path, monkeypatch) -> None:
    from studio.jobs import farm_runner

    def broken(*_args):
        raise RuntimeError("bug\n  in the farm")

    monkeypatch.setattr(farm_runner, "run_farm", broken)
    runner = FarmRunner()
    request = FarmRequest(FarmConfig(), str(tmp_path), ())
    with qtbot.waitSignal(runner.finished, timeout=10_000) as finished:
        assert runner.start(request)
    report = finished.args[0]
    assert report.error == "bug in the farm" and report.directory == str(tmp_path)
