"""Offline, with nothing configured, the command line uses the built-in demo model `mini`."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from studio.core.demo_model import mini_available
from training.classify import classify

needs_mini = pytest.mark.skipif(
    not mini_available(),
    reason="resources/models/mini is not installed: train and export it (see training/)",
)


def studio(*args: str, env_extra: dict[str, str], tmp_path: Path) -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items() if not k.startswith("STUDIO_MODEL")}
    env.update(
        STUDIO_CONFIG_DIR=str(tmp_path / "config"), HF_HOME=str(tmp_path / "hf"),
        HF_HUB_OFFLINE="1", **env_extra,
    )  # fmt: skip
    return subprocess.run(
        [sys.executable, "-m", "studio", *args], capture_output=True, text=True, env=env,
        timeout=300,
    )  # fmt: skip


@needs_mini
def test_generate_without_model_uses_mini_and_paints_the_prompt(tmp_path):
    out = tmp_path / "shape.png"
    done = studio(
        "generate", "-p", "a black square on a white background, centre, large",
        "--steps", "12", "--cfg", "5", "--scheduler", "DPM++ 2M", "--seed", "3", "-o", str(out),
        env_extra={}, tmp_path=tmp_path,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    image = Image.open(out)
    assert image.size == (64, 64), "mini's own size when --size is not given"
    assert "Model: mini" in image.text["parameters"]
    assert classify(np.asarray(image.convert("RGB")))["background"] == "white"


@needs_mini
def test_models_lists_mini_as_the_demo_model(tmp_path):
    done = studio("models", env_extra={}, tmp_path=tmp_path)
    assert done.returncode == 0, done.stderr
    line = next(line for line in done.stdout.splitlines() if line.strip().startswith("mini"))
    assert "demo model" in line


def test_with_a_real_checkpoint_installed_it_is_the_default(tmp_path):
    from tests.core.test_model_scan import SD1_TE, UNET_IN, st

    models = tmp_path / "models"
    st(models / "mine.safetensors", {UNET_IN: (8, 4, 3, 3), SD1_TE: (8,)})  # keys, no real weights
    done = studio(
        "generate", "-p", "x", "-o", str(tmp_path / "o.png"),
        env_extra={"STUDIO_MODEL_DIRS": str(models)}, tmp_path=tmp_path,
    )  # fmt: skip
    # The CLI picked the installed checkpoint (not mini or tiny) and says why it cannot load it.
    assert done.returncode == 2 and "mine.safetensors" in done.stderr
    assert "Traceback" not in done.stderr and not (tmp_path / "o.png").exists()
