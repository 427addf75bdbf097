"""Few-step models: trailing/LCM samplers, recognition by name or config, CFG 1 skips a pass."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

from studio.core.params import GenerationParams
from studio.engine.fast_models import detect_kind, fast_defaults
from studio.engine.models.tiny import SCHEDULER_CONFIG
from studio.engine.schedulers import make_scheduler

BASE = GenerationParams(prompt="fox", model="tiny", steps=2, width=64, height=64, seed=2)


@pytest.mark.parametrize(
    ("name", "kind"),
    [
        ("stabilityai/sd-turbo", "turbo"),
        ("sdxl_turbo_1.0_fp16.safetensors", "turbo"),
        ("ByteDance/SDXL-Lightning", "lightning"),
        ("sdxl_lightning_4step.safetensors", "lightning"),
        ("Hyper-SD15-8steps", "hyper"),
        ("dreamshaper-7-lcm", "lcm"),
        ("IDKiro/sdxs-512-0.9", "sdxs"),
        ("runwayml/stable-diffusion-v1-5", "standard"),
        ("turbocharged-anime", "standard"),  # a word that merely starts with "turbo"
    ],
)
def test_kinds_are_recognised_by_name(name, kind):
    assert detect_kind(name) == kind


def test_kinds_are_recognised_by_config():
    assert detect_kind("my-model", {"_class_name": "LCMScheduler"}) == "lcm"
    unet_config = type("Config", (), {"time_cond_proj_dim": 256})()
    assert detect_kind("my-model", {}, unet_config) == "lcm"
    assert detect_kind("my-model", {"_class_name": "PNDMScheduler"}) == "standard"
    assert fast_defaults("standard") == {}
    assert fast_defaults("turbo") == {"steps": 1, "cfg": 1.0, "scheduler": "Euler a Trailing"}


@pytest.mark.parametrize("name", ["Euler a Trailing", "Euler Trailing", "DPM++ 2M Trailing"])
def test_trailing_samplers_start_from_the_last_timestep(name):
    scheduler = make_scheduler(name, SCHEDULER_CONFIG)
    assert scheduler.config.timestep_spacing == "trailing"
    scheduler.set_timesteps(1)
    assert int(scheduler.timesteps[0]) == 999
    leading = make_scheduler(name.replace(" Trailing", ""), SCHEDULER_CONFIG)
    leading.set_timesteps(1)
    assert int(leading.timesteps[0]) != 999


def _unet_batches(engine, params) -> list[int]:
    unet = engine.load("tiny").base.unet
    batches: list[int] = []
    handle = unet.register_forward_pre_hook(lambda _m, args: batches.append(args[0].shape[0]))
    try:
        engine.generate(params)
    finally:
        handle.remove()
    return batches


def test_cfg_1_skips_the_unconditional_pass(engine):
    assert _unet_batches(engine, BASE.replace(cfg=7.0)) == [2, 2]
    assert _unet_batches(engine, BASE.replace(cfg=1.0)) == [1, 1]


def test_a_turbo_model_gets_few_step_defaults_unless_told_otherwise(tmp_path, engine):
    folder = tmp_path / "my-sd-turbo"
    engine.load("tiny").base.save_pretrained(folder)
    common = ["-p", "fox", "--model", str(folder), "--size", "64x64", "--seed", "1"]

    def run(*extra: str) -> dict:
        out = tmp_path / "out.png"
        done = subprocess.run(
            [sys.executable, "-m", "studio", "generate", *common, *extra, "-o", str(out)],
            capture_output=True,
            text=True,
            timeout=300,
        )
        assert done.returncode == 0, done.stderr
        info = subprocess.run(
            [sys.executable, "-m", "studio", "info", "--json", str(out)],
            capture_output=True,
            text=True,
            timeout=120,
        )
        return json.loads(info.stdout)

    turbo = run()
    assert (turbo["steps"], turbo["cfg"], turbo["scheduler"]) == (1, 1.0, "Euler a Trailing")
    told = run("--steps", "3", "--model-kind", "turbo")
    assert (told["steps"], told["cfg"]) == (3, 1.0)  # a flag given wins over the default
    standard = run("--model-kind", "standard")
    assert (standard["steps"], standard["cfg"], standard["scheduler"]) == (20, 7.0, "Euler a")
