"""`studio system`: device, precision and why, versions, model folders."""

from __future__ import annotations

import os
import subprocess
import sys


def test_system_prints_device_precision_versions_and_folders(tmp_path):
    models = tmp_path / "models"
    models.mkdir()
    (models / "dreamy.safetensors").write_bytes(b"x")
    env = {**os.environ, "STUDIO_MODEL_DIRS": str(models), "STUDIO_CPU_BF16": "1"}
    done = subprocess.run(
        [sys.executable, "-m", "studio", "system", "--device", "cpu"],
        capture_output=True,
        text=True,
        env=env,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr
    lines = dict(line.split(":", 1) for line in done.stdout.splitlines())
    lines = {key: value.strip() for key, value in lines.items()}
    import diffusers
    import torch

    assert lines["device"].startswith("cpu")
    assert lines["dtype"].startswith("bfloat16 (auto: the CPU has native bfloat16")
    assert lines["torch"] == torch.__version__
    assert lines["diffusers"] == diffusers.__version__
    assert lines["model folder"] == f"{models} (1 models)"
    assert "taesd sd1" in lines


def test_system_honours_an_explicit_dtype():
    done = subprocess.run(
        [sys.executable, "-m", "studio", "system", "--device", "cpu", "--dtype", "float32"],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr
    assert "dtype:" in done.stdout and "float32 (chosen explicitly)" in done.stdout
