"""The CLI with a corrupt settings file or a broken model folder: `warning:` once, then work."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest

from tests.broken_setup import SETTINGS_CASES, broken_model_folder, write_settings


def _studio(*args: str, config, models=None) -> subprocess.CompletedProcess:
    env = {**os.environ, "STUDIO_CONFIG_DIR": str(config), "HF_HUB_OFFLINE": "1"}
    if models is not None:
        env["STUDIO_MODEL_DIRS"] = str(models)
    return subprocess.run(
        [sys.executable, "-m", "studio", *args],
        capture_output=True,
        text=True,
        env=env,
        timeout=300,
    )


@pytest.mark.parametrize("case", ["bad JSON", "wrong types"])
def test_models_lists_with_a_warning_for_corrupt_settings(tmp_path, case):
    assert case in SETTINGS_CASES
    path = write_settings(tmp_path / "config", case)
    models = broken_model_folder(tmp_path / "models")
    done = _studio("models", config=tmp_path / "config", models=models)
    assert done.returncode == 0, done.stderr
    warnings = done.stderr.splitlines()
    assert warnings and all(line.startswith("warning: ") for line in warnings), warnings
    assert len(warnings) == len(set(warnings))  # each once
    assert any(str(path) in line for line in warnings)
    assert any("gone.safetensors" in line and "broken link" in line for line in warnings)
    assert "tiny" in done.stdout and "half-downloaded" in done.stdout


def test_generate_warns_once_about_corrupt_settings_and_still_writes(tmp_path):
    write_settings(tmp_path / "config", "bad JSON")
    out = tmp_path / "out.png"
    args = ("generate", "-p", "x", "--model", "tiny", "--steps", "2", "--size", "64x64")
    done = _studio(*args, "-o", str(out), config=tmp_path / "config")
    assert done.returncode == 0, done.stderr
    warnings = [line for line in done.stderr.splitlines() if line.startswith("warning: ")]
    assert len(warnings) == 1 and "using the default settings" in warnings[0], done.stderr
    assert "Traceback" not in done.stderr and out.is_file()
