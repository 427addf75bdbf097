"""Export a model to OpenVINO IR once, in a subprocess that cancel kills, into the cache.

The child (export_worker.py) writes into a temp folder beside the cache entry; only a finished
export is renamed into place, so a killed or failed export never leaves a half-written model.
"""

from __future__ import annotations

import json
import os
import queue
import shutil
import subprocess
import sys
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from studio.core.errors import Cancelled, ModelError
from studio.engine.openvino.cache import (
    DONE_FILE,
    cache_key,
    cache_root,
    cached_export,
    model_identity,
    remove_stale_temps,
    temp_folder,
)

StageCallback = Callable[[str], None]
POLL_SECONDS = 0.1


@dataclass(frozen=True)
class Exported:
    """An export folder, and what making it cost (zeros when it came from the cache)."""

    folder: Path
    exported: bool  # False: found in the cache
    seconds: float = 0.0
    peak_bytes: int = 0


def _hub_folder(repo_id: str) -> str:
    from huggingface_hub import snapshot_download

    try:
        return snapshot_download(repo_id, local_files_only=True)
    except Exception as exc:
        raise ModelError(
            f"{repo_id!r} is not in the local Hugging Face cache, so it cannot be exported to "
            f"OpenVINO; run `studio download {repo_id}` first"
        ) from exc


def export_request(ref: Any) -> dict[str, Any]:
    """What the child needs to know about the model (plain data)."""
    request = {"name": ref.name, "kind": ref.kind, "location": ref.location}
    if ref.kind == "folder":
        request["folder"] = ref.location
    elif ref.kind == "hub":
        request["folder"] = _hub_folder(ref.location)
    return request


def _identity(request: dict[str, Any]) -> dict[str, Any]:
    if request["kind"] == "hub":  # the snapshot folder names the revision
        return model_identity("folder", request["name"], request["folder"])
    return model_identity(request["kind"], request["name"], request["location"])


def _reader(stream: Any, lines: queue.Queue) -> None:
    for line in stream:
        lines.put(line.rstrip("\n"))
    lines.put(None)


def _child_env() -> dict[str, str]:
    env = dict(os.environ)
    root = str(Path(__file__).resolve().parents[3])  # the folder holding the studio package
    env["PYTHONPATH"] = os.pathsep.join(p for p in (root, env.get("PYTHONPATH", "")) if p)
    env["HF_HUB_OFFLINE"] = "1"  # the export reads local files only
    return env


def _run_child(
    request_file: Path, on_stage: StageCallback | None, cancel: threading.Event | None
) -> tuple[int, list[str]]:
    """Run the export child to the end; kill it on cancel. (peak KiB, its last lines)."""
    command = [sys.executable, "-m", "studio.engine.openvino.export_worker", str(request_file)]
    child = subprocess.Popen(
        command,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        env=_child_env(),
    )
    lines: queue.Queue = queue.Queue()
    threading.Thread(target=_reader, args=(child.stdout, lines), daemon=True).start()
    peak, tail = 0, []
    try:
        while True:
            if cancel is not None and cancel.is_set():
                raise Cancelled()
            try:
                line = lines.get(timeout=POLL_SECONDS)
            except queue.Empty:
                continue
            if line is None:
                break
            kind, _, value = line.partition(" ")
            if kind == "stage" and on_stage is not None:
                on_stage(value)
            elif kind == "peak" and value.isdigit():
                peak = int(value)
            else:
                tail = [*tail[-19:], line]
        child.wait()
    finally:
        if child.poll() is None:
            child.kill()
            child.wait()
    if child.returncode != 0:
        detail = next((t for t in reversed(tail) if t.strip()), f"exit code {child.returncode}")
        raise ModelError(f"the OpenVINO export failed: {detail[:300]}")
    return peak, tail


def ensure_exported(
    ref: Any,
    *,
    on_stage: StageCallback | None = None,
    cancel: threading.Event | None = None,
    root: Path | None = None,
) -> Exported:
    """The model's OpenVINO export, made now (minutes at real size) if the cache lacks it."""
    root = root or cache_root()
    request = export_request(ref)
    key = cache_key(_identity(request))
    found = cached_export(key, root)
    if found is not None:
        return Exported(found, exported=False)
    root.mkdir(parents=True, exist_ok=True)
    remove_stale_temps(root)
    temp = temp_folder(key, root)
    shutil.rmtree(temp, ignore_errors=True)
    temp.mkdir(parents=True)
    request_file = root / f"{temp.name}.json"
    request_file.write_text(json.dumps({**request, "output": str(temp)}), encoding="utf-8")
    started = time.perf_counter()
    try:
        if on_stage is not None:
            on_stage(f"exporting {ref.name} to OpenVINO (once)")
        peak_kib, _ = _run_child(request_file, on_stage, cancel)
        (temp / DONE_FILE).write_text(json.dumps(_identity(request)), encoding="utf-8")
        final = root / key
        try:
            os.replace(temp, final)
        except OSError:  # another process finished the same export first
            if cached_export(key, root) is None:
                raise
    finally:
        request_file.unlink(missing_ok=True)
        shutil.rmtree(temp, ignore_errors=True)
    return Exported(root / key, True, time.perf_counter() - started, peak_kib * 1024)
