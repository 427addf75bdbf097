"""Downloads against a local stand-in for the hub: progress, cancel + resume, drops, offline."""

from __future__ import annotations

import hashlib
import os
import subprocess
import sys
import threading

import numpy as np
import pytest

from studio.core.errors import Cancelled
from studio.core.models.scan import hub_entries
from studio.engine import downloads
from studio.engine.downloads import DownloadError, download, download_file, pick_repo_files
from tests.fake_hub import FakeHub

REPO = "someone/upscalers"
DATA = np.random.default_rng(7).integers(0, 255, 2 * 1024 * 1024, dtype=np.uint8).tobytes()
FILES = {
    REPO: {"4x-test.pth": DATA},
    "someone/taesd": {
        "config.json": b'{"_class_name": "AutoencoderTiny"}',
        "diffusion_pytorch_model.safetensors": DATA[:1000],
        "diffusion_pytorch_model.fp16.safetensors": DATA[:500],
        "taesd_decoder.safetensors": DATA[:300],  # the same model in another format
        "README.md": b"# readme",
    },
}


@pytest.fixture
def hub(tmp_path, monkeypatch):
    from huggingface_hub import constants

    with FakeHub(FILES) as server:
        monkeypatch.setenv("HF_ENDPOINT", server.url)
        monkeypatch.setenv("HF_HUB_CACHE", str(tmp_path / "hf"))
        monkeypatch.setenv("HF_HUB_OFFLINE", "0")
        monkeypatch.setattr(constants, "HF_HUB_OFFLINE", False)
        monkeypatch.setattr(constants, "HF_HUB_CACHE", str(tmp_path / "hf"))
        monkeypatch.setattr(constants, "DOWNLOAD_CHUNK_SIZE", 64 * 1024)  # not 10 MB
        yield server


def _cached(tmp_path):
    from huggingface_hub import try_to_load_from_cache

    return try_to_load_from_cache(REPO, "4x-test.pth", cache_dir=str(tmp_path / "hf"))


def _partials(tmp_path):
    return list((tmp_path / "hf").rglob("*" + downloads.PARTIAL_SUFFIX))


def test_download_reports_progress_and_lands_in_the_hf_cache(hub, tmp_path):
    seen = []
    path = download_file(REPO, "4x-test.pth", on_progress=seen.append)
    assert path.read_bytes() == DATA
    assert _cached(tmp_path) == str(path)
    assert seen[-1].done == seen[-1].total == len(DATA)
    assert all(p.speed >= 0 for p in seen) and seen[-1].eta == 0
    assert [p.done for p in seen] == sorted(p.done for p in seen)
    assert "MB/s" in seen[-1].describe()
    assert not _partials(tmp_path)
    assert [(e.name, e.kind) for e in hub_entries()] == [(f"{REPO}/4x-test.pth", "upscaler")]


def test_cancel_then_resume_completes_with_the_right_bytes(hub, tmp_path):
    hub.delay = 0.01
    cancel = threading.Event()

    def stop_half_way(progress):
        if progress.done >= len(DATA) // 3:
            cancel.set()

    with pytest.raises(Cancelled):
        download_file(REPO, "4x-test.pth", on_progress=stop_half_way, cancel=cancel)
    assert _cached(tmp_path) is None
    (partial,) = _partials(tmp_path)
    kept = partial.stat().st_size
    assert 0 < kept < len(DATA)
    hub.delay = 0.0
    seen = []
    path = download_file(REPO, "4x-test.pth", on_progress=seen.append)
    assert hub.ranges[-1] == f"bytes={kept}-"  # resumed, not restarted
    assert seen[0].done == kept + 64 * 1024  # counting from the kept part
    assert hashlib.sha256(path.read_bytes()).digest() == hashlib.sha256(DATA).digest()


def test_a_dropped_connection_leaves_nothing_loadable_and_resumes(hub, tmp_path):
    hub.drop_after = 700 * 1024
    with pytest.raises(DownloadError, match="kept and resumes"):
        download_file(REPO, "4x-test.pth")
    assert _cached(tmp_path) is None
    assert not list((tmp_path / "hf").rglob("snapshots/*/*"))
    assert hub_entries() == []
    (partial,) = _partials(tmp_path)
    kept = partial.stat().st_size
    assert 0 < kept <= 700 * 1024
    hub.drop_after, hub.broken = None, False
    path = download_file(REPO, "4x-test.pth")
    assert hub.ranges[-1] == f"bytes={kept}-"
    assert path.read_bytes() == DATA


def test_a_whole_repo_fetches_its_model_files(hub, tmp_path):
    folder = download("someone/taesd")
    assert sorted(p.name for p in folder.iterdir()) == [
        "config.json",
        "diffusion_pytorch_model.safetensors",
    ]
    assert [e.kind for e in hub_entries()] == ["preview"]


def test_the_files_picked_from_real_repo_listings():
    taesd = [  # madebyollin/taesd (and taesdxl) on the hub
        ".gitattributes",
        "README.md",
        "config.json",
        "diffusion_pytorch_model.bin",
        "diffusion_pytorch_model.safetensors",
        "taesd_decoder.safetensors",
        "taesd_encoder.safetensors",
    ]
    assert pick_repo_files(taesd) == ["config.json", "diffusion_pytorch_model.safetensors"]
    inpainting = [  # stable-diffusion-v1-5/stable-diffusion-inpainting: no fp32 safetensors
        "model_index.json",
        "sd-v1-5-inpainting.ckpt",
        "unet/config.json",
        "unet/diffusion_pytorch_model.bin",
        "unet/diffusion_pytorch_model.fp16.safetensors",
        "vae/config.json",
        "vae/diffusion_pytorch_model.fp16.safetensors",
    ]
    picked = pick_repo_files(inpainting)
    assert not [f for f in picked if f.startswith("unet/diffusion_pytorch_model")]
    # ... which is why the recommended list fetches its single .ckpt file instead
    from studio.core.models.recommended import RECOMMENDED

    (item,) = [r for r in RECOMMENDED if r.repo_id.endswith("stable-diffusion-inpainting")]
    assert item.filename == "sd-v1-5-inpainting.ckpt"


def test_missing_file_and_offline_are_clear_messages(hub, monkeypatch):
    with pytest.raises(DownloadError, match=r"has no file 'nope\.bin'"):
        download_file(REPO, "nope.bin")
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    with pytest.raises(DownloadError, match="offline mode is on"):
        download_file(REPO, "4x-test.pth")


def test_an_unknown_repo_is_not_found_not_a_token_question(hub, monkeypatch):
    """The hub answers 401 RepoNotFound for a missing repo when no token is sent: a typo."""
    from studio.engine.downloads import TokenRequired

    monkeypatch.delenv("HF_TOKEN", raising=False)
    monkeypatch.setattr(downloads, "_implicit_token", lambda: None)
    for fetch in (
        lambda: download_file("nobody/nothing", "x.safetensors"),
        lambda: download("nobody/nothing"),
    ):
        with pytest.raises(DownloadError) as caught:
            fetch()
        assert not isinstance(caught.value, TokenRequired)
        assert str(caught.value).startswith("no model 'nobody/nothing' on the hub; check the id")
        assert "(a private model needs HF_TOKEN set)" in str(caught.value)
    assert "HEAD /nobody/nothing/resolve/main/x.safetensors" in hub.requests
    with pytest.raises(DownloadError, match="no model 'nobody/nothing' on the hub; check the id"):
        download_file("nobody/nothing", "x.safetensors", token="hf_some_token")  # 404 then


def test_cli_download_shows_progress_and_offline_is_exit_2(hub, tmp_path):
    env = {**os.environ, "HF_HUB_OFFLINE": "0"}
    run = [sys.executable, "-m", "studio", "download", REPO, "--file", "4x-test.pth"]
    done = subprocess.run(run, capture_output=True, text=True, env=env, timeout=120)
    assert done.returncode == 0, done.stderr
    assert "MB/s" in done.stderr and "downloaded:" in done.stdout
    env["HF_HUB_OFFLINE"] = "1"
    offline = subprocess.run(run, capture_output=True, text=True, env=env, timeout=120)
    assert offline.returncode == 2
    assert offline.stderr.startswith("error: cannot download someone/upscalers/4x-test.pth")


def test_cli_download_refuses_a_malformed_id_without_a_request(hub, capsys):
    from studio.cli.main import main

    assert main(["download", "stabilityai sd-turbo"]) == 2
    err = capsys.readouterr().err
    assert err.startswith("error: 'stabilityai sd-turbo': a model id looks like owner/name")
    assert len(err.strip().splitlines()) == 1
    assert hub.requests == []
    assert main(["download", f"{REPO}/4x-test.pth"]) == 0  # owner/name/FILE names one file
    assert hub.requests[0] == f"HEAD /{REPO}/resolve/main/4x-test.pth"


def test_a_downloaded_checkpoint_file_resolves_by_its_id(hub, tmp_path):
    from safetensors.numpy import save_file

    from studio.engine.models.catalog import resolve_model

    keys = {
        "model.diffusion_model.input_blocks.0.0.weight": (8, 4, 3, 3),
        "cond_stage_model.transformer.text_model.final_layer_norm.weight": (8,),
    }
    source = tmp_path / "turbo.safetensors"
    save_file({k: np.zeros(s, np.float16) for k, s in keys.items()}, str(source))
    hub.files["someone/turbo"] = {"turbo.safetensors": source.read_bytes()}
    path = download_file("someone/turbo", "turbo.safetensors")
    for name in ("someone/turbo", "someone/turbo/turbo.safetensors"):
        ref = resolve_model(name, [])
        assert (ref.kind, ref.location) == ("file", str(path))


def test_several_downloads_queue_and_a_cancelled_one_does_not_stop_the_next(hub, tmp_path, qtbot):
    from studio.jobs.model_jobs import DownloadQueue

    hub.delay = 0.02
    queue = DownloadQueue()
    events: list[tuple[str, str]] = []
    queue.progress.connect(lambda key, p: queue.cancel("first") if key == "first" else None)
    queue.cancelled.connect(lambda key: events.append(("cancelled", key)))
    queue.finished.connect(lambda key, path: events.append(("finished", key)))
    queue.failed.connect(lambda key, msg: events.append(("failed", msg)))
    queue.enqueue("first", REPO, "4x-test.pth")
    queue.enqueue("second", "someone/taesd", "config.json")
    qtbot.waitUntil(lambda: len(events) == 2, timeout=20000)
    assert events == [("cancelled", "first"), ("finished", "second")]
    assert _cached(tmp_path) is None and len(_partials(tmp_path)) == 1
    assert queue.wait(5)
