"""`studio batch SPEC.toml -o DIR`: files, resume, Ctrl+C, bad specs, the real engine."""

from __future__ import annotations

import argparse
import io
import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from PIL import Image

from studio.cli.batch import BatchProgress, run
from studio.core.errors import BatchSpecError
from studio.core.export import INDEX_NAME, SHEET_NAME
from studio.core.imagefiles import read_image
from studio.core.metadata import params_from_text_chunks
from studio.core.params import GenerationParams
from studio.core.settings import Settings
from studio.engine.types import GenerationResult, StepReport, check_cancel

ROOT = Path(__file__).resolve().parents[2]

SPEC = """
model = "tiny"
steps = 2
size = "64x64"
name = "{index:04d}-{prompt:.40}-{seed}"

[[job]]
prompt = "castle on a cliff, concept art"
seeds = [1, 2, 3]

[[job]]
prompt = "forest shrine, matte painting"
count = 3
seed = 10
image = "sketch.png"
strength = 0.6
"""


class FakeEngine:
    """The Engine contract, with deterministic fake pixels; can deliver a real SIGINT."""

    def __init__(self, sigint_at: tuple[int, int] | None = None) -> None:
        self.settings = Settings()
        self.calls: list[GenerationParams] = []
        self.sigint_at = sigint_at  # (call number, step) at which Ctrl+C "is pressed"

    def load(self, model: str, device: str = "auto", dtype: str = "auto") -> Any:
        return argparse.Namespace(native_size=64)

    def generate(
        self,
        params: GenerationParams,
        image: np.ndarray | None = None,
        mask: np.ndarray | None = None,
        *,
        on_step: Any = None,
        on_result: Any = None,
        cancel: Any = None,
    ) -> list[GenerationResult]:
        assert (image is not None) == (params.mode != "txt2img")
        self.calls.append(params)
        for step in range(1, params.steps + 1):
            if on_step is not None:
                on_step(StepReport(0, 1, step, params.steps, None, 0.01 * step))
            if self.sigint_at == (len(self.calls), step):
                os.kill(os.getpid(), signal.SIGINT)
            check_cancel(cancel)
        rng = np.random.default_rng([params.seed, len(params.prompt)])
        pixels = rng.integers(0, 256, (params.height, params.width, 3), dtype=np.uint8)
        return [GenerationResult(pixels, params.replace(device="cpu"))]


@pytest.fixture
def spec(tmp_path: Path) -> Path:
    Image.fromarray(np.full((64, 64, 3), 128, np.uint8)).save(tmp_path / "sketch.png")
    path = tmp_path / "spec.toml"
    path.write_text(SPEC, encoding="utf-8")
    return path


def _run(spec: Path, out: Path, engine: Any, **kw: Any) -> tuple[int, str]:
    stdout = io.StringIO()
    args = argparse.Namespace(spec=spec, output=out, dry_run=False, **kw)
    return run(args, engine=engine, stdout=stdout), stdout.getvalue()


def _pngs(folder: Path) -> list[Path]:
    return sorted(p for p in folder.iterdir() if p.suffix == ".png" and p.name != SHEET_NAME)


def _stamps(paths: list[Path]) -> dict[str, tuple[int, int]]:
    return {p.name: (p.stat().st_ino, p.stat().st_mtime_ns) for p in paths}


def _env(tmp_path: Path) -> dict[str, str]:
    env = dict(os.environ)
    env.update(
        STUDIO_CONFIG_DIR=str(tmp_path / "config"),
        STUDIO_LOG_DIR=str(tmp_path / "logs"),
        PYTHONPATH=str(ROOT),
    )
    return env


# -- with a fake engine (fast) ----------------------------------------------------------------
def test_two_jobs_by_three_seeds_write_six_pngs_index_and_sheet(spec: Path, tmp_path: Path) -> None:
    engine = FakeEngine()
    code, text = _run(spec, tmp_path / "out", engine)
    assert code == 0 and "rendered 6, skipped 0" in text
    pngs = _pngs(tmp_path / "out")
    assert [p.name for p in pngs] == [
        "0001-castle on a cliff, concept art-1.png",
        "0002-castle on a cliff, concept art-2.png",
        "0003-castle on a cliff, concept art-3.png",
        "0004-forest shrine, matte painting-10.png",
        "0005-forest shrine, matte painting-11.png",
        "0006-forest shrine, matte painting-12.png",
    ]
    index = json.loads((tmp_path / "out" / INDEX_NAME).read_text(encoding="utf-8"))
    assert list(index) == [p.name for p in pngs]
    for path in pngs:
        pixels, chunks = read_image(path)
        embedded = params_from_text_chunks(chunks)
        assert embedded == GenerationParams.from_dict(index[path.name])
        source = embedded.extra.get("source_image")
        image = read_image(spec.parent / source)[0] if source else None
        assert np.array_equal(pixels, FakeEngine().generate(embedded, image)[0].image)
    assert Image.open(tmp_path / "out" / SHEET_NAME).size == (3 * 72 + 8, 2 * (64 + 38) + 8)


def test_rerun_renders_nothing_twice(spec: Path, tmp_path: Path) -> None:
    _run(spec, tmp_path / "out", FakeEngine())
    before = _stamps(_pngs(tmp_path / "out"))
    engine = FakeEngine()
    code, text = _run(spec, tmp_path / "out", engine)
    assert code == 0 and "rendered 0, skipped 6" in text and engine.calls == []
    assert _stamps(_pngs(tmp_path / "out")) == before


def test_a_changed_input_image_is_rendered_again(spec: Path, tmp_path: Path) -> None:
    _run(spec, tmp_path / "out", FakeEngine())
    Image.fromarray(np.zeros((64, 64, 3), np.uint8)).save(tmp_path / "sketch.png")
    engine = FakeEngine()
    code, text = _run(spec, tmp_path / "out", engine)
    assert code == 0 and "rendered 3, skipped 3" in text and len(_pngs(tmp_path / "out")) == 9
    assert [p.mode for p in engine.calls] == ["img2img"] * 3


def test_sigint_keeps_finished_images_and_the_rerun_finishes(spec: Path, tmp_path: Path) -> None:
    out = tmp_path / "out"
    first = FakeEngine(sigint_at=(3, 1))  # Ctrl+C during the third image's first step
    code, _ = _run(spec, out, first)
    assert code == 130 and len(first.calls) == 3
    kept = _pngs(out)
    assert len(kept) == 2 and not (out / SHEET_NAME).exists()
    assert sorted(p.name for p in out.iterdir()) == sorted([*(p.name for p in kept), INDEX_NAME])
    assert set(json.loads((out / INDEX_NAME).read_text())) == {p.name for p in kept}
    assert signal.getsignal(signal.SIGINT) is signal.default_int_handler  # handler restored
    stamps = _stamps(kept)
    second = FakeEngine()
    code, text = _run(spec, out, second)
    assert code == 0 and "rendered 4, skipped 2" in text
    assert [p.seed for p in second.calls] == [3, 10, 11, 12]
    after = _stamps(_pngs(out))
    assert len(after) == 6 and {k: v for k, v in after.items() if k in stamps} == stamps


def test_bad_spec_fails_before_the_engine_or_the_folder(tmp_path: Path) -> None:
    spec = tmp_path / "spec.toml"
    spec.write_text('model = "tiny"\n[[job]]\nprompt = "a"\n[[job]]\nprompt = "b"\nstepz = 3\n')
    engine = FakeEngine()
    with pytest.raises(BatchSpecError, match="job 2: unknown key 'stepz'"):
        _run(spec, tmp_path / "out", engine)
    assert engine.calls == [] and not (tmp_path / "out").exists()


def test_unknown_model_is_named_before_rendering(tmp_path: Path) -> None:
    spec = tmp_path / "spec.toml"
    spec.write_text('model = "tiny"\n[[job]]\nprompt = "a"\n[[job]]\nprompt = "b"\nmodel = "no"\n')
    engine = FakeEngine()
    with pytest.raises(BatchSpecError, match="job 2: key 'model': unknown model 'no'"):
        _run(spec, tmp_path / "out", engine)
    assert engine.calls == [] and not (tmp_path / "out").exists()


def test_missing_size_uses_the_models_native_size(tmp_path: Path) -> None:
    spec = tmp_path / "spec.toml"
    spec.write_text('model = "tiny"\nsteps = 1\n[[job]]\nprompt = "a"\n')
    engine = FakeEngine()
    _run(spec, tmp_path / "out", engine)
    assert (engine.calls[0].width, engine.calls[0].height) == (64, 64)


def test_dry_run_lists_without_rendering(spec: Path, tmp_path: Path) -> None:
    _run(spec, tmp_path / "out", FakeEngine())
    (_pngs(tmp_path / "out")[-1]).unlink()
    engine = FakeEngine()
    stdout = io.StringIO()
    args = argparse.Namespace(spec=spec, output=tmp_path / "out", dry_run=True)
    code = run(args, engine=engine, stdout=stdout)
    text = stdout.getvalue()
    assert code == 0 and engine.calls == [] and "would render 1, skip 5" in text
    assert "render  0006-forest shrine, matte painting-12.png" in text


def test_progress_line_shows_count_rate_and_eta() -> None:
    stream = io.StringIO()
    progress = BatchProgress(total=4, done=1, stream=stream)
    progress.start_image()
    progress.step(StepReport(0, 1, 1, 2, None, 0.1))
    line = progress.line()
    assert "image 2/4" in line and "step 1/2" in line and "it/s" in line and "ETA" in line
    progress.image_done("a.png")
    assert "image 2/4 -> a.png" in stream.getvalue() and "it/s" in stream.getvalue()


# -- the real command, the real engine (tiny, 64x64, 2 steps) ---------------------------------
def _studio(args: list[str], tmp_path: Path, **kw: Any) -> subprocess.Popen:
    return subprocess.Popen(
        [sys.executable, "-m", "studio", *args],
        env=_env(tmp_path),
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        **kw,
    )


def test_cli_bad_spec_is_one_error_line_and_exit_2(tmp_path: Path) -> None:
    spec = tmp_path / "spec.toml"
    spec.write_text('model = "tiny"\n[[job]]\nprompt = "a"\n[[job]]\nprompt = "b"\nstepz = 3\n')
    proc = _studio(["batch", str(spec), "-o", str(tmp_path / "out")], tmp_path)
    _, stderr = proc.communicate(timeout=120)
    assert proc.returncode == 2, stderr
    assert stderr.strip().splitlines() == [
        "error: spec.toml: job 2: unknown key 'stepz' (did you mean 'steps'?)"
    ]
    assert not (tmp_path / "out").exists()


def test_real_engine_embedded_params_regenerate_the_pixels(spec: Path, tmp_path: Path) -> None:
    from studio.engine.api import Engine

    engine = Engine(preview_method="off")
    out = tmp_path / "out"
    code, text = _run(spec, out, engine)
    assert code == 0 and "rendered 6, skipped 0" in text
    pngs = _pngs(out)
    assert len(pngs) == 6 and (out / INDEX_NAME).is_file() and (out / SHEET_NAME).is_file()
    fresh = Engine(preview_method="off")  # nothing carried over from the batch's engine
    for path in pngs:
        pixels, chunks = read_image(path)
        params = params_from_text_chunks(chunks)
        assert params is not None
        source = params.extra.get("source_image")
        image = read_image(spec.parent / source)[0] if source else None
        (again,) = fresh.generate(params, image=image)
        assert np.array_equal(again.image, pixels), path.name


# The real CLI with one change: the second image waits until Ctrl+C has been pressed, so the
# signal always lands mid-batch however fast the first image was.
GATED_STUDIO = """
import sys, time
from studio.engine.api import Engine
from studio.launcher import main

real, calls = Engine.generate, []

def gated(self, params, *args, cancel=None, **kw):
    calls.append(params.seed)
    if len(calls) == 2:
        while not cancel.is_set():
            time.sleep(0.01)
    return real(self, params, *args, cancel=cancel, **kw)

Engine.generate = gated
raise SystemExit(main(sys.argv[1:]))
"""


def test_cli_sigint_leaves_complete_files_and_rerun_finishes(spec: Path, tmp_path: Path) -> None:
    out = tmp_path / "out"
    proc = subprocess.Popen(
        [sys.executable, "-c", GATED_STUDIO, "batch", str(spec), "-o", str(out)],
        env=_env(tmp_path), stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
    )  # fmt: skip
    deadline = time.monotonic() + 240  # a hang guard only: the gate holds the batch
    while not (out.is_dir() and _pngs(out)):
        assert proc.poll() is None and time.monotonic() < deadline, "no image appeared"
        time.sleep(0.02)
    proc.send_signal(signal.SIGINT)
    _, stderr = proc.communicate(timeout=120)
    assert proc.returncode == 130, stderr
    assert "interrupted: 1 of 6 images" in stderr and "Traceback" not in stderr
    kept = _pngs(out)
    assert len(kept) == 1
    assert sorted(p.name for p in out.iterdir()) == sorted([*(p.name for p in kept), INDEX_NAME])
    for path in kept:  # complete, decodable, with params
        with Image.open(path) as image:
            image.load()
        assert params_from_text_chunks(read_image(path)[1]) is not None
    stamps = _stamps(kept)

    proc = _studio(["batch", str(spec), "-o", str(out)], tmp_path)
    stdout, stderr = proc.communicate(timeout=300)
    assert proc.returncode == 0, stderr
    assert f"rendered {6 - len(kept)}, skipped {len(kept)}" in stdout
    after = _pngs(out)
    assert len(after) == 6
    assert {k: v for k, v in _stamps(after).items() if k in stamps} == stamps
    index = json.loads((out / INDEX_NAME).read_text(encoding="utf-8"))
    assert sorted(entry["seed"] for entry in index.values()) == [1, 2, 3, 10, 11, 12]


def test_jpeg_batch_resumes_from_the_index(spec: Path, tmp_path: Path) -> None:
    spec.write_text('format = "jpeg"\nquality = 90\n' + SPEC, encoding="utf-8")
    code, text = _run(spec, tmp_path / "out", FakeEngine())
    jpgs = sorted((tmp_path / "out").glob("*.jpg"))
    assert code == 0 and len(jpgs) == 6 and Image.open(jpgs[0]).format == "JPEG"
    params = params_from_text_chunks(read_image(jpgs[0])[1])
    assert params is not None and (params.prompt, params.seed) == (
        "castle on a cliff, concept art",
        1,
    )
    engine = FakeEngine()
    code, text = _run(spec, tmp_path / "out", engine)
    assert "rendered 0, skipped 6" in text and engine.calls == []


def test_an_engine_failure_keeps_finished_images_listed(spec: Path, tmp_path: Path) -> None:
    class Failing(FakeEngine):
        def generate(self, params: GenerationParams, *args: Any, **kw: Any) -> Any:
            if len(self.calls) == 2:
                raise RuntimeError("out of GPU memory")
            return super().generate(params, *args, **kw)

    with pytest.raises(RuntimeError, match="out of GPU memory"):
        _run(spec, tmp_path / "out", Failing())
    index = json.loads((tmp_path / "out" / INDEX_NAME).read_text(encoding="utf-8"))
    assert sorted(index) == [p.name for p in _pngs(tmp_path / "out")] and len(index) == 2


def test_resume_finds_images_by_params_even_under_other_names(spec: Path, tmp_path: Path) -> None:
    """E.g. a `{date}` template rerun the next day: the files are matched by their params."""
    out = tmp_path / "out"
    _run(spec, out, FakeEngine())
    for n, path in enumerate(_pngs(out)):
        path.rename(out / f"renamed-{n}.png")
    engine = FakeEngine()
    code, text = _run(spec, out, engine)
    assert code == 0 and "rendered 0, skipped 6" in text and engine.calls == []
    assert sorted(json.loads((out / INDEX_NAME).read_text())) == [
        f"renamed-{n}.png" for n in range(6)
    ]
