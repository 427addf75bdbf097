"""The OpenVINO backend on the built-in models (needs the `studio[openvino]` extra; skipped
without it): export once into a cache, sizes honoured, determinism, agreement with PyTorch,
previews, cancel, and exports that stop half-way leaving nothing behind."""

from __future__ import annotations

import threading
from pathlib import Path

import numpy as np
import pytest

pytest.importorskip("optimum.intel")

from studio.core.demo_model import mini_available
from studio.core.errors import Cancelled, ModelError
from studio.core.params import GenerationParams
from studio.core.settings import Settings
from studio.engine.api import Engine
from studio.engine.models.catalog import ModelRef, resolve_model
from studio.engine.openvino import export as export_module
from studio.engine.openvino.cache import TEMP_PREFIX
from studio.engine.openvino.export import ensure_exported
from studio.engine.openvino.infer_cancel import CancellableRequest

BASE = GenerationParams(prompt="a castle", model="tiny", steps=3, width=64, height=64, seed=3)


@pytest.fixture(scope="module")
def ov_cache(tmp_path_factory) -> Path:
    return tmp_path_factory.mktemp("openvino-cache")


@pytest.fixture(scope="module")
def tiny_export(ov_cache):
    """tiny exported once for the module (about a minute on a busy 2-core machine)."""
    stages: list[str] = []
    done = ensure_exported(resolve_model("tiny", []), on_stage=stages.append, root=ov_cache)
    return done, stages


@pytest.fixture
def ov_engine(ov_cache, tiny_export, monkeypatch):
    monkeypatch.setenv("STUDIO_OPENVINO_CACHE", str(ov_cache))
    return Engine(Settings(), backend="openvino")


def _leftovers(root: Path) -> list[str]:
    return sorted(p.name for p in root.iterdir() if p.name.startswith(TEMP_PREFIX) or p.suffix)


def test_tiny_exports_once_into_the_cache(tiny_export, ov_cache):
    done, stages = tiny_export
    assert done.exported and done.folder.parent == ov_cache
    for part in ("unet", "vae_decoder", "vae_encoder", "text_encoder"):
        assert (done.folder / part / "openvino_model.xml").is_file()
    assert (done.folder / "studio-export.json").is_file()
    assert {"converting unet", "converting vae_decoder"} <= set(stages)
    assert done.peak_bytes > 0
    assert _leftovers(ov_cache) == []  # no temp folder, no request file
    assert not (done.folder / "_work").exists()


def test_second_run_reuses_the_cache_without_exporting(tiny_export, ov_engine, monkeypatch):
    def no_export(*_args, **_kwargs):
        raise AssertionError("exported again")

    monkeypatch.setattr(export_module, "_run_child", no_export)
    again = ensure_exported(resolve_model("tiny", []), root=tiny_export[0].folder.parent)
    assert again.folder == tiny_export[0].folder and not again.exported
    assert ov_engine.generate(BASE)[0].image.shape == (64, 64, 3)


def test_sizes_are_honoured_and_seeds_repeat(ov_engine):
    square = ov_engine.generate(BASE, on_step=lambda _r: None)[0].image
    wide = ov_engine.generate(BASE.replace(width=96, cfg=1.0))[0].image
    tall = ov_engine.generate(BASE.replace(height=80))[0].image
    assert square.shape == (64, 64, 3)
    assert wide.shape == (64, 96, 3)
    assert tall.shape == (80, 64, 3)
    assert ov_engine._openvino.model.shape.height == 80  # compiled for the last size asked
    again = ov_engine.generate(BASE)[0].image  # back to 64x64: compiled once more
    assert np.array_equal(square, again)
    other_seed = ov_engine.generate(BASE.replace(seed=4))[0].image
    assert not np.array_equal(square, other_seed)


def test_cli_generates_on_openvino_at_the_models_size(ov_engine, tmp_path, capsys):
    from PIL import Image

    from studio.cli.main import main
    from studio.core.metadata import params_from_text_chunks

    out = tmp_path / "castle.png"
    code = main(["generate", "-p", "castle", "--model", "tiny", "--backend", "openvino",
                 "--steps", "2", "--seed", "5", "-o", str(out)])  # fmt: skip
    assert code == 0, capsys.readouterr().err
    assert "loading tiny (OpenVINO)" in capsys.readouterr().err
    with Image.open(out) as picture:
        assert picture.size == (64, 64)  # tiny's own size, as on PyTorch
        params = params_from_text_chunks(dict(picture.text))
    assert (params.seed, params.steps, params.model) == (5, 2, "tiny")


def test_img2img_runs_on_openvino_at_the_asked_size(ov_engine):
    start = np.zeros((64, 96, 3), np.uint8)
    start[:, :48] = (200, 30, 30)
    params = BASE.replace(mode="img2img", width=96, strength=0.5, steps=4)
    result = ov_engine.generate(params, image=start)[0]
    assert result.image.shape == (64, 96, 3)
    assert result.params.mode == "img2img"


def test_previews_and_step_reports_come_every_step(ov_engine):
    reports = []
    ov_engine.generate(BASE.replace(steps=4), on_step=reports.append)
    assert [r.step for r in reports] == [1, 2, 3, 4]
    assert all(r.preview is not None and r.preview.shape == (8, 8, 3) for r in reports)


def test_cancel_stops_writes_nothing_and_the_engine_goes_on(ov_engine):
    cancel = threading.Event()
    results = []

    def on_step(report):
        if report.step == 2:
            cancel.set()

    with pytest.raises(Cancelled):
        ov_engine.generate(
            BASE.replace(steps=6, count=2), on_step=on_step, on_result=results.append, cancel=cancel
        )
    assert results == []
    assert ov_engine.generate(BASE)[0].image.shape == (64, 64, 3)


class _SlowRequest:
    """An InferRequest that never finishes by itself (a UNet call seconds long)."""

    def __init__(self):
        self.cancelled = False
        self.started = threading.Event()

    def start_async(self, inputs, share_inputs=True):
        self.started.set()

    def wait_for(self, _ms):
        return False

    def cancel(self):
        self.cancelled = True

    def wait(self):
        raise RuntimeError("Infer Request was canceled")


def test_cancel_inside_a_call_cancels_the_infer_request():
    request = _SlowRequest()

    class Compiled:
        def create_infer_request(self):
            return request

    cancel = threading.Event()
    wrapped = CancellableRequest(Compiled(), cancel)
    threading.Thread(target=lambda: (request.started.wait(5), cancel.set()), daemon=True).start()
    with pytest.raises(Cancelled):
        wrapped({"sample": None})
    assert request.cancelled


def test_cancelled_export_leaves_no_cache(tmp_path):
    cancel = threading.Event()
    seen: list[str] = []

    def on_stage(stage):
        seen.append(stage)
        if stage == "converting unet":
            cancel.set()

    with pytest.raises(Cancelled):
        ensure_exported(resolve_model("tiny", []), on_stage=on_stage, cancel=cancel, root=tmp_path)
    assert "converting unet" in seen
    assert list(tmp_path.iterdir()) == []  # no export, no temp folder, no request file


def test_failed_export_is_one_line_and_leaves_no_cache(tmp_path):
    broken = tmp_path / "models" / "broken"
    (broken / "unet").mkdir(parents=True)
    (broken / "model_index.json").write_text('{"_class_name": "StableDiffusionPipeline"}')
    root = tmp_path / "cache"
    ref = ModelRef(name="broken", kind="folder", location=str(broken))
    with pytest.raises(ModelError, match="the OpenVINO export failed") as caught:
        ensure_exported(ref, root=root)
    assert "\n" not in str(caught.value)
    assert list(root.iterdir()) == []


def test_openvino_and_torch_give_the_same_pixels_on_tiny(ov_engine):
    params = BASE.replace(steps=4, width=96, dtype="float32")
    on_ov = ov_engine.generate(params)[0].image.astype(np.int16)
    on_torch = Engine(Settings(), backend="torch").generate(params)[0].image.astype(np.int16)
    # Same weights, same noise, same sampler: float rounding differs only in the last bits.
    assert np.abs(on_ov - on_torch).mean() < 0.5
    assert np.abs(on_ov - on_torch).max() <= 4
    assert on_torch.std() > 10  # a picture with content, not a flat fill that any path matches


@pytest.fixture(scope="module")
def mini_copy(tmp_path_factory) -> Path:
    """mini, its text encoder's keys written with the `text_model.` prefix: transformers 5.24
    saved them without it, and the transformers that optimum-intel allows (< 5.6) would load
    them as missing, i.e. random weights (the same file loads right in either layout)."""
    import shutil

    from safetensors.torch import load_file, save_file

    from studio.core.demo_model import mini_folder

    folder = tmp_path_factory.mktemp("models") / "mini-copy"
    shutil.copytree(mini_folder(), folder)
    weights = folder / "text_encoder" / "model.safetensors"
    state = load_file(str(weights))
    fixed = {k if k.startswith("text_model.") else f"text_model.{k}": v for k, v in state.items()}
    save_file(fixed, str(weights), metadata={"format": "pt"})
    return folder


@pytest.mark.skipif(not mini_available(), reason="the mini demo model is not in resources/")
def test_openvino_and_torch_paint_the_same_picture_on_mini(ov_cache, mini_copy, monkeypatch):
    monkeypatch.setenv("STUDIO_OPENVINO_CACHE", str(ov_cache))
    params = GenerationParams(
        prompt="a red circle on a white background, center, large",
        model=str(mini_copy),
        steps=12,
        cfg=5.0,
        width=64,
        height=64,
        seed=7,
        dtype="float32",
    )
    on_ov = Engine(Settings(), backend="openvino").generate(params)[0].image.astype(np.float32)
    on_torch = Engine(Settings(), backend="torch").generate(params)[0].image.astype(np.float32)
    assert np.abs(on_ov - on_torch).mean() < 1.0
    # and it is the prompt's picture on both: a red shape on white, in the same place
    red_ov = (on_ov[..., 0] > 150) & (on_ov[..., 1] < 100) & (on_ov[..., 2] < 100)
    red_torch = (on_torch[..., 0] > 150) & (on_torch[..., 1] < 100) & (on_torch[..., 2] < 100)
    white = (on_torch > 200).all(axis=-1)
    assert red_torch.sum() > 100 and white.sum() > 1000
    assert (red_ov == red_torch).mean() > 0.98
