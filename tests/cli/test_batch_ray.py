"""`studio batch --ray`: a local Ray cluster renders what a local batch renders, survives a
killed worker, stops on cancel keeping finished files, and says how to get Ray when it is absent."""

from __future__ import annotations

import argparse
import io
import json
import os
import signal
import sys
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from PIL import Image

from studio.cli.batch import plan_work, preflight, run
from studio.core.batch_spec import load_spec
from studio.core.errors import Cancelled
from studio.core.export import INDEX_NAME, SHEET_NAME, ExportFolder
from studio.core.imagefiles import read_image
from studio.core.settings import Settings
from studio.engine.farm import (
    FarmEngine,
    FarmError,
    FarmShape,
    WorkerPool,
    farm_shape,
    render_on_farm,
)

ray = pytest.importorskip("ray")

SPEC = """
model = "tiny"
steps = 2
size = "64x64"

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


@pytest.fixture(scope="module")
def cluster() -> Iterator[Any]:
    """One local Ray runtime with two CPUs for the whole module (starting one takes seconds)."""
    ray.init(num_cpus=2, include_dashboard=False, log_to_driver=False, configure_logging=False)
    yield ray
    ray.shutdown()


@pytest.fixture
def spec(tmp_path: Path) -> Path:
    sketch = np.random.default_rng(0).integers(0, 256, (64, 64, 3), dtype=np.uint8)
    Image.fromarray(sketch).save(tmp_path / "sketch.png")
    path = tmp_path / "spec.toml"
    path.write_text(SPEC, encoding="utf-8")
    return path


def _args(spec: Path, out: Path, **kw: Any) -> argparse.Namespace:
    values = {"ray": None, "ray_workers": None, "ray_cpus": 1, "dry_run": False, **kw}
    return argparse.Namespace(spec=spec, output=out, **values)


def _pngs(folder: Path) -> list[Path]:
    return sorted(p for p in folder.iterdir() if p.suffix == ".png" and p.name != SHEET_NAME)


def _pool(cluster: Any, workers: int = 2) -> WorkerPool:
    return WorkerPool(cluster, Settings(), FarmShape(workers=workers, cpus=1, gpus=0))


def test_two_ray_workers_render_exactly_what_the_local_batch_renders(
    cluster: Any, spec: Path, tmp_path: Path
) -> None:
    import torch

    threads = torch.get_num_threads()
    torch.set_num_threads(1)  # as each one-CPU Ray worker runs: CPU pixels depend on it
    try:
        assert run(_args(spec, tmp_path / "local"), stdout=io.StringIO()) == 0
    finally:
        torch.set_num_threads(threads)
    out = io.StringIO()
    code = run(_args(spec, tmp_path / "farm", ray="local", ray_workers=2), stdout=out)
    assert code == 0 and "rendered 6, skipped 0" in out.getvalue()

    local, farm = _pngs(tmp_path / "local"), _pngs(tmp_path / "farm")
    assert [p.name for p in farm] == [p.name for p in local] and len(farm) == 6
    for a, b in zip(local, farm, strict=True):
        pixels_a, chunks_a = read_image(a)
        pixels_b, chunks_b = read_image(b)
        assert np.array_equal(pixels_a, pixels_b), a.name
        assert chunks_a == chunks_b, a.name
    index = json.loads((tmp_path / "farm" / INDEX_NAME).read_text(encoding="utf-8"))
    assert index == json.loads((tmp_path / "local" / INDEX_NAME).read_text(encoding="utf-8"))
    sheet = Image.open(tmp_path / "farm" / SHEET_NAME)
    assert np.array_equal(
        np.asarray(sheet), np.asarray(Image.open(tmp_path / "local" / SHEET_NAME))
    )


def _plan(spec: Path, out: Path, pool: WorkerPool) -> tuple[list[Any], ExportFolder]:
    planned = preflight(load_spec(spec), FarmEngine(pool))
    folder = ExportFolder(out, fmt=planned.format, quality=planned.quality)
    todo, found = plan_work(planned, folder)
    assert found == []
    return todo, folder


def test_a_worker_killed_mid_batch_has_its_job_retried_and_every_image_lands_once(
    cluster: Any, spec: Path, tmp_path: Path
) -> None:
    pool = _pool(cluster)
    try:
        victim = pool.pids()[1]
        todo, folder = _plan(spec, tmp_path / "out", pool)
        written: list[str] = []

        def on_written(item: Any, name: str, params: Any) -> None:
            written.append(name)
            if len(written) == 1:
                os.kill(victim, signal.SIGKILL)  # the other worker dies while images remain

        render_on_farm(todo, folder, pool, threading.Event(), on_written)
        assert pool.retries >= 1
        assert victim not in pool.pids()
    finally:
        pool.shutdown()
    assert sorted(written) == sorted(set(written)) and len(written) == 6
    assert [p.name for p in _pngs(tmp_path / "out")] == sorted(written)
    for path in _pngs(tmp_path / "out"):
        assert read_image(path)[0].shape == (64, 64, 3)


def test_cancel_stops_the_workers_keeps_finished_files_and_a_rerun_finishes(
    cluster: Any, spec: Path, tmp_path: Path
) -> None:
    pool = _pool(cluster)
    cancel = threading.Event()
    written: list[str] = []

    def on_written(item: Any, name: str, params: Any) -> None:
        written.append(name)
        cancel.set()

    try:
        todo, folder = _plan(spec, tmp_path / "out", pool)
        with pytest.raises(Cancelled):
            render_on_farm(todo, folder, pool, cancel, on_written)
        assert pool.actors == []  # the workers were stopped
    finally:
        pool.shutdown()
    kept = [p.name for p in _pngs(tmp_path / "out")]
    assert kept == sorted(written) and 1 <= len(kept) < 6
    out = io.StringIO()
    code = run(_args(spec, tmp_path / "out", ray="local", ray_workers=2), stdout=out)
    assert code == 0
    assert f"rendered {6 - len(kept)}, skipped {len(kept)}" in out.getvalue()
    assert len(_pngs(tmp_path / "out")) == 6


def test_without_ray_installed_the_flag_says_how_to_get_it(
    spec: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setitem(sys.modules, "ray", None)  # `import ray` now raises ImportError
    with pytest.raises(FarmError, match=r"pip install 'studio\[ray\]'"):
        run(_args(spec, tmp_path / "out", ray="local"), stdout=io.StringIO())
    assert not (tmp_path / "out").exists()


def test_farm_shape_is_one_worker_per_gpu_or_per_n_cpus() -> None:
    assert farm_shape({"CPU": 16.0, "GPU": 4.0}, None, 2) == FarmShape(4, 1, 1)
    assert farm_shape({"CPU": 16.0}, None, 4) == FarmShape(4, 4, 0)
    with pytest.raises(FarmError, match="do not fit"):  # an actor that could never start
        farm_shape({"CPU": 2.0}, None, 4)
    assert farm_shape({"CPU": 8.0}, 2, 2) == FarmShape(2, 2, 0)
    with pytest.raises(FarmError, match="do not fit"):
        farm_shape({"CPU": 4.0}, 3, 2)
    with pytest.raises(FarmError, match="--ray-cpus must be at least 1"):
        farm_shape({"CPU": 4.0}, None, 0)
