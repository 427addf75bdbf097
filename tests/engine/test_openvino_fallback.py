"""The OpenVINO backend's choices that need no OpenVINO: the not-installed error, fallbacks to
PyTorch with a notice, the backend setting, and the export cache's clean-up."""

from __future__ import annotations

import json
import logging
import os
import subprocess

import numpy as np
import pytest

from studio.cli.main import main
from studio.core.errors import ParamsError
from studio.core.notices import NOTICE_LOGGER
from studio.core.params import GenerationParams
from studio.core.settings import Settings, save_backend
from studio.engine.api import Engine
from studio.engine.openvino import availability, cache
from tests.engine.test_lora import write_kohya_lora

BASE = GenerationParams(prompt="a castle", model="tiny", steps=3, width=64, height=64, seed=3)


@pytest.fixture
def not_installed(monkeypatch):
    monkeypatch.setattr(availability, "_has_module", lambda name: False)


@pytest.fixture
def installed(monkeypatch):
    """Pretend the extra is there: these jobs fall back before anything of it is used."""
    monkeypatch.setattr(availability, "openvino_status", lambda: (True, "available"))


def test_openvino_not_installed_is_one_clear_line(not_installed):
    available, why = availability.openvino_status()
    assert not available
    assert "pip install 'studio[openvino]'" in why
    engine = Engine(Settings(), backend="openvino")
    with pytest.raises(ParamsError, match=r"pip install 'studio\[openvino\]'"):
        engine.generate(BASE)
    assert engine.loaded is None  # refused before loading anything


def test_cli_backend_openvino_not_installed_exits_2(not_installed, tmp_path, capsys):
    out = tmp_path / "out.png"
    code = main(["generate", "-p", "x", "--model", "tiny", "--backend", "openvino", "-o", str(out)])
    err = capsys.readouterr().err
    assert code == 2
    lines = [line for line in err.splitlines() if line.strip()]
    assert lines == [
        "error: the OpenVINO backend is not installed; run pip install 'studio[openvino]' "
        "or use --backend torch"
    ]
    assert not out.exists()


def test_auto_and_torch_never_touch_openvino(not_installed, engine):
    for backend in ("auto", "torch"):
        engine.backend = backend
        assert engine.generate(BASE)[0].image.shape == (64, 64, 3)
    engine.backend = "auto"


def test_lora_falls_back_to_torch_with_a_notice(installed, tmp_path, caplog):
    write_kohya_lora(tmp_path / "inkwash.safetensors", seed=1)
    settings = Settings(lora_dirs=[tmp_path])
    params = BASE.replace(prompt="a castle <lora:inkwash:0.8>")
    with caplog.at_level(logging.WARNING, logger=NOTICE_LOGGER):
        on_ov = Engine(settings, backend="openvino").generate(params)[0]
    notices = [r.getMessage() for r in caplog.records if r.name == NOTICE_LOGGER]
    assert notices == ["OpenVINO backend: LoRA is not supported yet; this job runs on PyTorch"]
    on_torch = Engine(settings, backend="torch").generate(params)[0]
    assert np.array_equal(on_ov.image, on_torch.image)  # the PyTorch path, LoRA applied
    assert "Lora hashes" in on_ov.params.extra


@pytest.mark.parametrize(
    ("changes", "reason"),
    [
        ({"mode": "inpaint"}, "inpaint is not supported yet"),
        ({"variation_seed": 9, "variation_strength": 0.3}, "variation seeds are not supported yet"),
        ({"decode": "fast"}, "the Fast (TAESD) decode is not supported yet"),
        ({"model": "tiny-inpaint"}, "inpainting models are not supported yet"),
    ],
)
def test_what_openvino_cannot_do_is_named(installed, changes, reason, caplog):
    from studio.engine.models.catalog import resolve_model
    from studio.engine.openvino.backend import OpenVinoBackend

    params = BASE.replace(**changes)
    with caplog.at_level(logging.WARNING, logger=NOTICE_LOGGER):
        found = OpenVinoBackend().plan(params, resolve_model(params.model, []), None, False)
    assert found == reason
    assert caplog.records[-1].getMessage() == (
        f"OpenVINO backend: {reason}; this job runs on PyTorch"
    )


def test_backend_setting_round_trips_and_bad_values_fall_back(tmp_path):
    path = tmp_path / "settings.json"
    path.write_text(json.dumps({"model_dirs": [str(tmp_path)]}), encoding="utf-8")
    save_backend("openvino", path)
    assert json.loads(path.read_text(encoding="utf-8")) == {
        "model_dirs": [str(tmp_path)],
        "backend": "openvino",
    }
    assert Settings.load(path).backend == "openvino"
    path.write_text(json.dumps({"backend": "cuda-magic"}), encoding="utf-8")
    loaded = Settings.load(path)
    assert loaded.backend == "auto"
    assert any("backend" in n and "auto, torch, openvino" in n for n in loaded.notices)


def test_a_dead_exports_temp_folder_is_removed(tmp_path):
    dead = subprocess.Popen(["true"])
    dead.wait()
    stale = tmp_path / f"{cache.TEMP_PREFIX}tiny-0123-{dead.pid}"
    (stale / "unet").mkdir(parents=True)
    live = tmp_path / f"{cache.TEMP_PREFIX}tiny-0123-{os.getppid()}"  # our parent still runs
    live.mkdir()
    cache.remove_stale_temps(tmp_path)
    assert not stale.exists()
    assert live.exists()


def test_cache_key_follows_the_file(tmp_path):
    model = tmp_path / "m.safetensors"
    model.write_bytes(b"1234")
    first = cache.cache_key(cache.model_identity("file", "m", str(model)))
    assert first == cache.cache_key(cache.model_identity("file", "m", str(model)))
    model.write_bytes(b"12345")  # replaced by another model: exported again
    assert cache.cache_key(cache.model_identity("file", "m", str(model))) != first
