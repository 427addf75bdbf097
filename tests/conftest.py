"""Test-wide isolation: no network, no user config, offscreen Qt, one shared tiny engine."""

from __future__ import annotations

import os
import signal

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
os.environ["HF_HUB_OFFLINE"] = "1"
os.environ["HF_HUB_DISABLE_TELEMETRY"] = "1"
os.environ.pop("STUDIO_MODEL_DIRS", None)
os.environ.pop("STUDIO_UPSCALER_DIRS", None)
# Never send or store the developer's own Hugging Face token: no HF_TOKEN, no `hf auth login`
# file, and keyring's do-nothing backend (tests that need one set a fake with set_keyring).
os.environ.pop("HF_TOKEN", None)
os.environ["HF_TOKEN_PATH"] = os.path.join(os.sep, "nonexistent", "studio-tests", "hf-token")
os.environ["PYTHON_KEYRING_BACKEND"] = "keyring.backends.null.Keyring"
# `auto` precision would be bfloat16 on CPUs with native bf16: pin float32 so pixels do not
# depend on the machine (tests of the auto choice monkeypatch the detection themselves).
os.environ["STUDIO_CPU_BF16"] = "0"

import pytest

# A suite started in the background from a script (`pytest &`) inherits SIGINT ignored, and so
# would the child processes of the Ctrl+C tests: give this process Python's own handler, which
# the children then start with too.
signal.signal(signal.SIGINT, signal.default_int_handler)


@pytest.fixture(autouse=True)
def _isolated_user_dirs(
    tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Never read or write the real user's config, logs or settings."""
    base = tmp_path_factory.getbasetemp()
    monkeypatch.setenv("STUDIO_CONFIG_DIR", str(base / "config"))
    monkeypatch.setenv("STUDIO_LOG_DIR", str(base / "logs"))
    monkeypatch.setenv("STUDIO_CACHE_DIR", str(base / "cache"))
    monkeypatch.setenv("STUDIO_DATA_DIR", str(base / "data"))
    monkeypatch.setenv("HF_HUB_CACHE", str(base / "hf-cache"))  # the scans never list the real one
    monkeypatch.setenv("STUDIO_HISTORY_DIR", str(tmp_path_factory.mktemp("history")))


@pytest.fixture(scope="session")
def engine():
    """One Engine for the session: the tiny model loads once, as in the app's worker."""
    from studio.core.settings import Settings
    from studio.engine.api import Engine

    return Engine(Settings())
