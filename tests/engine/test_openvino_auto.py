"""Backend "auto": OpenVINO where the bench measured it ≥ 1.3x faster end to end (the extra
installed, a CPU with native bfloat16, a full-size model, a job OpenVINO can run), PyTorch
everywhere else and without a notice (the user did not ask for OpenVINO). No OpenVINO needed:
the extra's presence and the CPU's bf16 are reported by fakes."""

from __future__ import annotations

import logging

import pytest

from studio.core.notices import NOTICE_LOGGER
from studio.core.params import GenerationParams
from studio.core.settings import Settings
from studio.engine import device
from studio.engine.api import Engine
from studio.engine.openvino import availability
from studio.engine.openvino.backend import OpenVinoBackend


def _report(monkeypatch, installed: bool, bf16: str | None) -> None:
    monkeypatch.setattr(availability, "openvino_status", lambda: (installed, "status"))
    monkeypatch.setattr(device, "cpu_bf16_feature", lambda: bf16)


@pytest.mark.parametrize(
    ("device_type", "kind", "installed", "bf16", "expected"),
    [
        ("cpu", "file", True, "avx512_bf16", "openvino"),
        ("cpu", "folder", True, "amx_bf16", "openvino"),
        ("cpu", "file", True, None, "torch"),  # AVX2 only: measured 1.16x, under 1.3x
        ("cpu", "file", False, "avx512_bf16", "torch"),  # no extra
        ("cuda", "file", True, "avx512_bf16", "torch"),
        ("cpu", "builtin", True, "avx512_bf16", "torch"),
    ],
)
def test_auto_backend_choice(monkeypatch, device_type, kind, installed, bf16, expected):
    _report(monkeypatch, installed, bf16)
    backend, why = availability.auto_backend(device_type, kind)
    assert backend == expected
    assert why.startswith("OpenVINO" if expected == "openvino" else "PyTorch")


class OpenVinoLoaded(Exception):
    """Raised by the fake export+load: the job was routed to OpenVINO."""


@pytest.fixture
def routed(monkeypatch):
    def fake_load(self, ref, dtype, on_status=None, cancel=None):
        raise OpenVinoLoaded(ref.kind)

    monkeypatch.setattr(OpenVinoBackend, "load", fake_load)


def _params(tiny_files, **changes) -> GenerationParams:
    model = str(tiny_files / "tiny-ldm.safetensors")
    base = GenerationParams(prompt="a castle", model=model, steps=2, width=64, height=64, seed=1)
    return base.replace(**changes)


def test_auto_runs_a_full_size_model_on_openvino_on_a_bf16_cpu(
    monkeypatch, routed, tiny_files, offline
):
    _report(monkeypatch, True, "avx512_bf16")
    with pytest.raises(OpenVinoLoaded, match="file"):
        Engine(Settings(), backend="auto").load_for(_params(tiny_files))


def test_auto_stays_on_pytorch_without_native_bf16(monkeypatch, routed, tiny_files, offline):
    _report(monkeypatch, True, None)
    model = Engine(Settings(), backend="auto").load_for(_params(tiny_files))
    assert model.ref.kind == "file"
    assert hasattr(model, "base")  # the PyTorch pipeline


def test_auto_falls_back_quietly_for_jobs_openvino_cannot_run(
    monkeypatch, routed, tiny_files, offline, caplog
):
    _report(monkeypatch, True, "avx512_bf16")
    params = _params(tiny_files, decode="fast")
    with caplog.at_level(logging.WARNING, logger=NOTICE_LOGGER):
        model = Engine(Settings(), backend="auto").load_for(params)
    assert hasattr(model, "base")
    assert [r for r in caplog.records if r.name == NOTICE_LOGGER] == []


def test_built_in_models_stay_on_pytorch_under_auto(monkeypatch, routed):
    _report(monkeypatch, True, "avx512_bf16")
    params = GenerationParams(prompt="x", model="tiny", steps=2, width=64, height=64)
    model = Engine(Settings(), backend="auto").load_for(params)
    assert model.ref.kind == "builtin"


def test_studio_system_says_what_auto_picks(monkeypatch):
    from studio.engine.system_info import system_lines

    _report(monkeypatch, True, "avx512_bf16")
    lines = dict(system_lines([], "cpu", "auto"))
    assert lines["auto backend"].startswith("OpenVINO")
    _report(monkeypatch, True, None)
    lines = dict(system_lines([], "cpu", "auto"))
    assert lines["auto backend"].startswith("PyTorch")
