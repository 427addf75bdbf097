"""Resumable downloads into the shared Hugging Face cache, with progress and cancel.

huggingface_hub gives the file's metadata (commit, etag, size, where to fetch it) and the HTTP
transfer (`http_get`, with Range resume and retries). Its own `hf_hub_download` throws a partial
file away; we keep ours (`blobs/<etag>.studio-partial`) so a cancelled or dropped download
resumes where it stopped. Only a complete file whose size (and sha256, for LFS files) checks
out is moved to `blobs/<etag>` and linked from `snapshots/<commit>/<file>` — the only place any
loader looks — so nothing half-written is ever used as a model.
"""

from __future__ import annotations

import hashlib
import os
import re
import shutil
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from studio.core.errors import Cancelled, UserError
from studio.core.failures import first_line
from studio.core.hub_token import ENV_VAR, TOKEN_PAGE

PARTIAL_SUFFIX = ".studio-partial"
SPEED_AFTER_S = 0.5  # report speed and ETA once this much of the transfer is measured
SHA256 = re.compile(r"^[0-9a-f]{64}$")


class DownloadError(UserError):
    """A download that cannot proceed: offline, not found, needs a token, network failure."""


class TokenRequired(DownloadError):
    """The hub answered 401/403: the repo is gated or private, or the token was refused.

    reason: "missing" (no token was sent), "refused" (the token is not valid) or "forbidden"
    (the token is valid but may not read this repo: its licence is not accepted yet)."""

    def __init__(self, repo_id: str, reason: str, status: int | None) -> None:
        self.repo_id, self.reason, self.status = repo_id, reason, status
        page = f"https://huggingface.co/{repo_id}"
        if reason == "refused":
            text = (
                f"the hub refused the Hugging Face token for {repo_id} (HTTP {status}); make a "
                f"new read token at {TOKEN_PAGE} and put it in {ENV_VAR}"
            )
        elif reason == "forbidden":
            text = (
                f"the Hugging Face token may not read {repo_id} (HTTP {status}); accept the "
                f"model's licence at {page} or put a token that can read it in {ENV_VAR}"
            )
        else:
            text = (
                f"{repo_id} needs a Hugging Face token (HTTP {status}: a gated or private "
                f"model, or a mistyped id); accept its licence at {page}, make a read token at "
                f"{TOKEN_PAGE} and put it in {ENV_VAR}"
            )
        super().__init__(text)


@dataclass(frozen=True)
class DownloadProgress:
    repo_id: str
    filename: str
    done: int  # bytes on disk, including a resumed part
    total: int | None
    speed: float  # bytes per second in this session
    eta: float | None  # seconds

    def describe(self) -> str:
        mib = 1024 * 1024
        total = f"{self.total / mib:.1f}" if self.total else "?"
        eta = f", {self.eta:.0f} s left" if self.eta is not None else ""
        rate = f" at {self.speed / mib:.1f} MB/s" if self.speed > 0 else ", measuring speed…"
        return f"{self.filename}: {self.done / mib:.1f} / {total} MB{rate}{eta}"


ProgressCallback = Callable[[DownloadProgress], None]


def _offline() -> bool:
    from huggingface_hub import constants

    return bool(constants.HF_HUB_OFFLINE) or os.environ.get("HF_HUB_OFFLINE", "").upper() in (
        "1",
        "ON",
        "YES",
        "TRUE",
    )


def _storage(repo_id: str) -> Path:
    from huggingface_hub import constants
    from huggingface_hub.file_download import repo_folder_name

    cache = os.environ.get("HF_HUB_CACHE") or constants.HF_HUB_CACHE
    return Path(cache) / repo_folder_name(repo_id=repo_id, repo_type="model")


def _status(exc: Exception) -> int | None:
    status = getattr(getattr(exc, "response", None), "status_code", None)
    return status if isinstance(status, int) else None


def _explain(
    exc: Exception, repo_id: str, filename: str, token: str | None = None
) -> DownloadError:
    from huggingface_hub.errors import (
        EntryNotFoundError,
        GatedRepoError,
        HfHubHTTPError,
        OfflineModeIsEnabled,
        RepositoryNotFoundError,
    )

    what = f"{repo_id}/{filename}"
    if isinstance(exc, OfflineModeIsEnabled):
        return DownloadError(f"cannot download {what}: offline mode is on (unset HF_HUB_OFFLINE)")
    status = _status(exc)
    sent = token or _implicit_token()
    # the hub answers 401 RepoNotFound for a missing repo when no token is sent (and for a
    # private one): a typo is far likelier, so say "not found" rather than ask for a token
    if isinstance(exc, RepositoryNotFoundError) and not isinstance(exc, GatedRepoError):
        private = "" if sent else " (a private model needs HF_TOKEN set)"
        return DownloadError(f"no model {repo_id!r} on the hub; check the id{private}")
    if status in (401, 403) or isinstance(exc, GatedRepoError):
        reason = "missing" if not sent else "forbidden" if status == 403 else "refused"
        return TokenRequired(repo_id, reason, status)
    if isinstance(exc, EntryNotFoundError):
        return DownloadError(
            f"{repo_id} has no file {filename!r}; check its name on "
            f"https://huggingface.co/{repo_id}/tree/main"
        )
    if isinstance(exc, HfHubHTTPError):
        return DownloadError(
            f"the hub answered HTTP {status or '?'} for {what}; try again later (the part already "
            "downloaded is kept and resumes)"
        )
    first = first_line(exc, 160)
    return DownloadError(
        f"could not download {what}: {first}; check the network and try again "
        "(the part already downloaded is kept and resumes)"
    )


def _implicit_token() -> str | None:
    """The token huggingface_hub sends when we pass none (HF_TOKEN, `hf auth login`)."""
    try:
        from huggingface_hub import get_token

        return get_token()
    except Exception:
        return None


def _progress_class(repo_id: str, filename: str, report: ProgressCallback | None, cancel):
    from huggingface_hub.utils import tqdm

    class Bar(tqdm):  # huggingface_hub's tqdm, silenced; we report through the callback
        def __init__(self, *args, **kwargs):
            self.studio_done = int(kwargs.get("initial") or 0)
            self.studio_start = self.studio_done
            self.studio_total = kwargs.get("total")
            self.studio_t0 = time.monotonic()
            kwargs["disable"] = True
            super().__init__(*args, **kwargs)

        def update(self, n=1):
            # http_get writes a chunk after reporting it: stop before the next one, so every
            # byte reported so far is on disk for the resume
            if cancel is not None and cancel.is_set():
                raise Cancelled(f"download of {filename} cancelled")
            self.studio_done += int(n or 0)
            if report is not None:
                elapsed = max(time.monotonic() - self.studio_t0, 1e-6)
                speed, left = 0.0, None
                finished = self.studio_total is not None and self.studio_done >= self.studio_total
                if elapsed >= SPEED_AFTER_S or finished:  # the first chunks come in a burst
                    speed = (self.studio_done - self.studio_start) / elapsed
                if self.studio_total and speed > 0:
                    left = (self.studio_total - self.studio_done) / speed
                report(
                    DownloadProgress(
                        repo_id, filename, self.studio_done, self.studio_total, speed, left
                    )
                )

    return Bar


def _verify(partial: Path, size: int | None, etag: str) -> None:
    actual = partial.stat().st_size
    if size is not None and actual != size:
        raise DownloadError(f"{partial.name}: got {actual} bytes of {size}; try again")
    if SHA256.match(etag):
        digest = hashlib.sha256()
        with open(partial, "rb") as handle:
            for chunk in iter(lambda: handle.read(1024 * 1024), b""):
                digest.update(chunk)
        if digest.hexdigest() != etag:
            partial.unlink()
            raise DownloadError(f"{partial.name}: the download was corrupted (sha256); try again")


def _link(blob: Path, pointer: Path) -> None:
    pointer.parent.mkdir(parents=True, exist_ok=True)
    if pointer.exists() or pointer.is_symlink():
        pointer.unlink()
    try:
        os.symlink(os.path.relpath(blob, pointer.parent), pointer)
    except OSError:  # no symlinks (Windows without developer mode): a copy works too
        shutil.copy2(blob, pointer)


def download_file(
    repo_id: str,
    filename: str,
    *,
    revision: str = "main",
    on_progress: ProgressCallback | None = None,
    cancel: threading.Event | None = None,
    token: str | None = None,
) -> Path:
    """Fetch one file of a hub repo into the HF cache (resuming a partial one); its path."""
    from huggingface_hub import constants, get_hf_file_metadata, hf_hub_url
    from huggingface_hub.file_download import http_get
    from huggingface_hub.utils import build_hf_headers

    if _offline():
        raise DownloadError(
            f"cannot download {repo_id}/{filename}: offline mode is on (HF_HUB_OFFLINE); "
            "unset it, or copy the file into a model folder"
        )
    endpoint = os.environ.get("HF_ENDPOINT") or constants.ENDPOINT
    url = hf_hub_url(repo_id, filename, revision=revision, endpoint=endpoint)
    try:
        meta = get_hf_file_metadata(url, token=token)
    except Exception as exc:  # huggingface_hub/httpx raise many kinds; one clear line
        raise _explain(exc, repo_id, filename, token) from exc
    if not meta.etag or not meta.commit_hash:
        raise DownloadError(f"the hub gave no version for {repo_id}/{filename}; try again later")
    storage = _storage(repo_id)
    blob = storage / "blobs" / meta.etag
    pointer = storage / "snapshots" / meta.commit_hash / filename
    if not blob.is_file():
        partial = blob.with_name(blob.name + PARTIAL_SUFFIX)
        partial.parent.mkdir(parents=True, exist_ok=True)
        bar = _progress_class(repo_id, filename, on_progress, cancel)
        try:
            with open(partial, "ab") as handle:
                http_get(
                    meta.location,
                    handle,
                    resume_size=handle.tell(),
                    headers=build_hf_headers(token=token),
                    expected_size=meta.size,
                    displayed_filename=filename,
                    tqdm_class=bar,
                )
        except (Cancelled, DownloadError):
            raise
        except Exception as exc:
            raise _explain(exc, repo_id, filename, token) from exc
        _verify(partial, meta.size, meta.etag)
        os.replace(partial, blob)
    _link(blob, pointer)
    if revision != meta.commit_hash:
        (storage / "refs").mkdir(parents=True, exist_ok=True)
        (storage / "refs" / revision).write_text(meta.commit_hash)
    return pointer


def pick_repo_files(files: list[str]) -> list[str]:
    """The files worth fetching from a whole repo: a diffusers pipeline's components (full
    precision, no root-level single-file duplicates), one diffusers model (TAESD: its config
    and weights, not the other formats beside them), else its weights and configs."""
    wanted = (".json", ".txt", ".safetensors")
    model = ["config.json", "diffusion_pytorch_model.safetensors"]
    if "model_index.json" not in files and all(name in files for name in model):
        return model
    if "model_index.json" in files:
        return [
            f
            for f in files
            if f == "model_index.json"
            or ("/" in f and f.endswith(wanted) and ".fp16." not in f and "non_ema" not in f)
        ]
    picked = [f for f in files if f.endswith(wanted) and ".fp16." not in f]
    return picked or [f for f in files if f.endswith((".pth", ".bin", ".ckpt"))]


def download(
    repo_id: str,
    filename: str | None = None,
    *,
    revision: str = "main",
    on_progress: ProgressCallback | None = None,
    cancel: threading.Event | None = None,
    token: str | None = None,
) -> Path:
    """One file (its path) or a whole repo (its snapshot folder) into the HF cache."""
    if filename:
        return download_file(
            repo_id,
            filename,
            revision=revision,
            on_progress=on_progress,
            cancel=cancel,
            token=token,
        )
    from huggingface_hub import HfApi, constants

    if _offline():
        raise DownloadError(f"cannot download {repo_id}: offline mode is on (HF_HUB_OFFLINE)")
    api = HfApi(endpoint=os.environ.get("HF_ENDPOINT") or constants.ENDPOINT, token=token)
    try:
        files = pick_repo_files(api.list_repo_files(repo_id, revision=revision))
    except Exception as exc:
        raise _explain(exc, repo_id, "(file list)", token) from exc
    if not files:
        raise DownloadError(f"{repo_id} has no model files to download")
    last = None
    for name in files:
        last = download_file(
            repo_id, name, revision=revision, on_progress=on_progress, cancel=cancel, token=token
        )
    assert last is not None
    return last.parents[len(Path(files[-1]).parts) - 1]
