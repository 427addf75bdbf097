"""Gated and private models: 401/403 from the hub, the token from HF_TOKEN or the OS keyring."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from studio.core.hub_token import ACCOUNT, SERVICE, TokenStore
from studio.engine.downloads import TokenRequired, download, download_file
from tests.fake_hub import FakeHub

REPO = "bigcorp/gated-xl"
RIGHT = "hf_right_token_123"
DATA = np.random.default_rng(5).integers(0, 255, 300 * 1024, dtype=np.uint8).tobytes()


@pytest.fixture
def hub(tmp_path, monkeypatch):
    from huggingface_hub import constants

    with FakeHub({REPO: {"model.safetensors": DATA, "config.json": b"{}"}}) as server:
        server.tokens[REPO] = RIGHT
        monkeypatch.setenv("HF_ENDPOINT", server.url)
        monkeypatch.setenv("HF_HUB_CACHE", str(tmp_path / "hf"))
        monkeypatch.setenv("HF_HUB_OFFLINE", "0")
        monkeypatch.setattr(constants, "HF_HUB_OFFLINE", False)
        monkeypatch.setattr(constants, "HF_HUB_CACHE", str(tmp_path / "hf"))
        yield server


@pytest.fixture
def keyring():
    return pytest.importorskip("keyring")  # optional; the `test` extra installs it


@pytest.fixture
def memory_keyring(keyring):
    from tests.fake_keyring import MemoryKeyring

    before = keyring.get_keyring()
    backend = MemoryKeyring()
    keyring.set_keyring(backend)
    yield backend
    keyring.set_keyring(before)


def _nothing_cached(tmp_path) -> bool:
    return not [p for p in (tmp_path / "hf").rglob("*") if p.is_file()]


def test_no_token_is_a_token_required_error_naming_hf_token(hub, tmp_path):
    with pytest.raises(TokenRequired) as caught:
        download_file(REPO, "model.safetensors")
    assert caught.value.reason == "missing" and caught.value.status == 401
    message = str(caught.value)
    assert "HF_TOKEN" in message and "huggingface.co/settings/tokens" in message
    assert "\n" not in message
    assert hub.auth == [None]  # no token of the developer's leaked into the request
    assert _nothing_cached(tmp_path)


def test_a_wrong_token_is_refused_and_the_right_one_downloads(hub, tmp_path):
    with pytest.raises(TokenRequired) as caught:
        download_file(REPO, "model.safetensors", token="hf_wrong")
    assert caught.value.reason == "refused" and "refused" in str(caught.value)
    assert _nothing_cached(tmp_path)
    path = download_file(REPO, "model.safetensors", token=RIGHT)
    assert path.read_bytes() == DATA
    assert set(hub.auth) == {"Bearer hf_wrong", f"Bearer {RIGHT}"}


def test_a_whole_gated_repo_asks_for_the_token_too(hub):
    with pytest.raises(TokenRequired):
        download(REPO)
    folder = download(REPO, token=RIGHT)
    assert sorted(p.name for p in folder.iterdir()) == ["config.json", "model.safetensors"]


def test_the_token_goes_to_the_keyring_and_survives_a_restart(memory_keyring, monkeypatch):
    monkeypatch.delenv("HF_TOKEN", raising=False)
    store = TokenStore()
    assert store.get() is None
    assert "system keyring" in store.where()
    saved = store.save(f"  {RIGHT}\n")
    assert saved.in_keyring and "keyring" in saved.message
    assert memory_keyring.passwords == {(SERVICE, ACCOUNT): RIGHT}
    assert TokenStore().get() == RIGHT  # a new session reads it back
    TokenStore().forget()
    assert memory_keyring.passwords == {} and TokenStore().get() is None


def test_hf_token_in_the_environment_is_used(monkeypatch):
    monkeypatch.setenv("HF_TOKEN", "hf_from_env")
    assert TokenStore().get() == "hf_from_env"


def test_without_a_keyring_backend_the_token_lives_for_this_session_only(keyring):
    from keyring.backends import fail

    before = keyring.get_keyring()
    keyring.set_keyring(fail.Keyring())
    try:
        store = TokenStore()
        assert "this session only" in store.where()
        saved = store.save(RIGHT)
        assert not saved.in_keyring
        assert "this session only" in saved.message and "HF_TOKEN" in saved.message
        assert store.get() == RIGHT
        assert TokenStore().get() is None  # gone with the session
    finally:
        keyring.set_keyring(before)


def test_without_the_keyring_package_the_token_lives_for_this_session_only(monkeypatch):
    monkeypatch.setitem(sys.modules, "keyring", None)  # import keyring -> ImportError
    store = TokenStore()
    saved = store.save(RIGHT)
    assert not saved.in_keyring and "`keyring` package is not installed" in saved.message
    assert store.get() == RIGHT


def _cli(env: dict[str, str]) -> subprocess.CompletedProcess:
    run = [sys.executable, "-m", "studio", "download", REPO, "--file", "model.safetensors"]
    return subprocess.run(run, capture_output=True, text=True, env=env, timeout=120)


@pytest.fixture
def cli_env(hub):
    env = {**os.environ, "HF_HUB_OFFLINE": "0"}
    env.pop("HF_TOKEN", None)
    return env


def test_cli_download_says_to_set_hf_token_and_takes_it_from_there(hub, cli_env):
    refused = _cli(cli_env)
    assert refused.returncode == 2
    lines = refused.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("error: ") and "HF_TOKEN" in lines[0]
    assert "Traceback" not in refused.stderr
    done = _cli({**cli_env, "HF_TOKEN": RIGHT})
    assert done.returncode == 0, done.stderr
    path = Path(done.stdout.split("downloaded:", 1)[1].strip())
    assert path.read_bytes() == DATA and hub.auth[-1] == f"Bearer {RIGHT}"


def test_cli_download_takes_the_token_from_the_keyring(hub, cli_env, keyring, tmp_path):
    secrets = tmp_path / "keyring.json"
    secrets.write_text(json.dumps({f"{SERVICE}/{ACCOUNT}": RIGHT}))
    done = _cli(
        {
            **cli_env,
            "PYTHON_KEYRING_BACKEND": "tests.fake_keyring.FileKeyring",
            "STUDIO_TEST_KEYRING": str(secrets),
        }
    )
    assert done.returncode == 0, done.stderr
    assert hub.auth == [f"Bearer {RIGHT}"] * len(hub.auth) and hub.auth
    path = Path(done.stdout.split("downloaded:", 1)[1].strip())
    assert path.read_bytes() == DATA


def test_a_403_for_a_valid_token_says_to_accept_the_licence(hub):
    hub.no_access.add("hf_valid_but_no_licence")
    with pytest.raises(TokenRequired) as caught:
        download_file(REPO, "model.safetensors", token="hf_valid_but_no_licence")
    assert caught.value.reason == "forbidden" and caught.value.status == 403
    assert "accept the model's licence" in str(caught.value) and "HF_TOKEN" in str(caught.value)
