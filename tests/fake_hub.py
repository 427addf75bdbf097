"""A local HTTP server on 127.0.0.1 that answers like the Hugging Face hub for file downloads:
HEAD/GET /{repo}/resolve/{revision}/{file} with X-Repo-Commit, ETag (sha256 for LFS files),
X-Linked-Size and Range support, plus /api/models/{repo}/tree/{rev} for the file list.

A repo listed in `tokens` is gated: without an Authorization header it answers 401 with
X-Error-Code GatedRepo, with a wrong token 401 "Invalid credentials in Authorization header"
(as the hub does), with a valid token in `no_access` (licence not accepted) 403 GatedRepo, and
with the right one as usual. A repo not in `files` answers as the hub does: 401 RepoNotFound
without a token, 404 RepoNotFound with one; a missing file of a known repo 404 EntryNotFound.
`requests` records every request's method and path."""

from __future__ import annotations

import hashlib
import json
import os
import re
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

COMMIT = "a" * 40
RESOLVE = re.compile(r"^/(?P<repo>[^/]+/[^/]+)/resolve/(?P<rev>[^/]+)/(?P<file>.+)$")
API = re.compile(r"^/api/models/(?P<repo>[^/]+/[^/]+)/tree/(?P<rev>[^/?]+)")


class FakeHub:
    def __init__(self, files: dict[str, dict[str, bytes]]) -> None:
        self.files = files  # repo -> file -> bytes
        self.delay = 0.0  # seconds per chunk sent (so a test can cancel mid-way)
        self.chunk = 64 * 1024
        self.drop_after: int | None = None  # close the connection after this many body bytes
        self.broken = False  # answer 500 to every request (after a drop)
        self.ranges: list[str | None] = []  # Range header of each GET
        self.tokens: dict[str, str] = {}  # gated repo -> the token that opens it
        self.no_access: set[str] = set()  # valid tokens whose user has not accepted the licence
        self.auth: list[str | None] = []  # Authorization header of each request to a gated repo
        self.requests: list[str] = []  # "METHOD /path" of every request
        hub = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, *args):  # quiet
                pass

            def send_response(self, *args, **kwargs):
                hub.requests.append(f"{self.command} {self.path}")
                super().send_response(*args, **kwargs)

            def _lookup(self):
                match = RESOLVE.match(self.path.split("?")[0])
                if not match or hub.broken:
                    return None, None
                data = hub.files.get(match["repo"], {}).get(match["file"])
                return match, data

            def _headers(self, data: bytes, status: int = 200, extra: dict | None = None):
                self.send_response(status)
                etag = hashlib.sha256(data).hexdigest()
                self.send_header("X-Repo-Commit", COMMIT)
                self.send_header("ETag", f'"{etag}"')
                self.send_header("X-Linked-Etag", f'"{etag}"')
                self.send_header("X-Linked-Size", str(len(data)))
                self.send_header("Accept-Ranges", "bytes")
                for key, value in (extra or {}).items():
                    self.send_header(key, value)

            def _refused(self, repo: str) -> bool:
                """Answer 401/403 (and say True) unless the token opens a gated repo."""
                if repo not in hub.tokens:
                    return False
                sent = self.headers.get("Authorization")
                hub.auth.append(sent)
                if sent == f"Bearer {hub.tokens[repo]}":
                    return False
                forbidden = sent is not None and sent.removeprefix("Bearer ") in hub.no_access
                self.send_response(403 if forbidden else 401)
                if sent is None or forbidden:
                    self.send_header("X-Error-Code", "GatedRepo")
                    self.send_header(
                        "X-Error-Message", f"Access to model {repo} is restricted. Please log in."
                    )
                else:
                    self.send_header(
                        "X-Error-Message", "Invalid credentials in Authorization header"
                    )
                self.send_header("Content-Length", "0")
                self.end_headers()
                return True

            def _missing(self, repo: str | None = None):
                status = 500 if hub.broken else 404
                code = "EntryNotFound" if status == 404 else ""
                if status == 404 and repo is not None and repo not in hub.files:
                    code = "RepoNotFound"
                    status = 404 if self.headers.get("Authorization") else 401
                self.send_response(status)
                self.send_header("X-Error-Code", code)
                if code == "RepoNotFound":
                    self.send_header("X-Error-Message", "Repository not found")
                self.send_header("Content-Length", "0")
                self.end_headers()

            def do_HEAD(self):
                match, data = self._lookup()
                if match and self._refused(match["repo"]):
                    return None
                if data is None:
                    return self._missing(match["repo"] if match else None)
                self._headers(data, extra={"Content-Length": str(len(data))})
                self.end_headers()

            def do_GET(self):
                api = API.match(self.path)
                if api and not hub.broken:
                    if self._refused(api["repo"]):
                        return None
                    if api["repo"] not in hub.files:
                        return self._missing(api["repo"])
                    body = json.dumps(
                        [
                            {"type": "file", "path": f, "size": len(d), "oid": "0" * 40}
                            for f, d in hub.files[api["repo"]].items()
                        ]
                    ).encode()
                    self.send_response(200)
                    self.send_header("Content-Type", "application/json")
                    self.send_header("Content-Length", str(len(body)))
                    self.end_headers()
                    self.wfile.write(body)
                    return
                match, data = self._lookup()
                if match and self._refused(match["repo"]):
                    return None
                if data is None:
                    return self._missing(match["repo"] if match else None)
                wanted = self.headers.get("Range")
                hub.ranges.append(wanted)
                start = int(re.match(r"bytes=(\d+)-", wanted)[1]) if wanted else 0
                body = data[start:]
                extra = {"Content-Length": str(len(body))}
                if wanted:
                    extra["Content-Range"] = f"bytes {start}-{len(data) - 1}/{len(data)}"
                self._headers(data, 206 if wanted else 200, extra)
                self.end_headers()
                sent = 0
                for offset in range(0, len(body), hub.chunk):
                    piece = body[offset : offset + hub.chunk]
                    if hub.drop_after is not None and sent + len(piece) > hub.drop_after:
                        self.wfile.write(piece[: max(0, hub.drop_after - sent)])
                        self.wfile.flush()
                        hub.broken = True
                        self.close_connection = True
                        self.connection.shutdown(2)
                        return
                    self.wfile.write(piece)
                    sent += len(piece)
                    if hub.delay:
                        time.sleep(hub.delay)

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def __enter__(self) -> FakeHub:
        self.thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self.server.shutdown()
        self.server.server_close()


def put_in_cache(cache: Path, repo_id: str, filename: str, data: bytes) -> Path:
    """Lay a file out in a Hugging Face cache as huggingface_hub does (blob, snapshot link,
    refs/main), as if it had been downloaded; the snapshot path."""
    folder = cache / ("models--" + repo_id.replace("/", "--"))
    blob = folder / "blobs" / hashlib.sha256(data).hexdigest()
    blob.parent.mkdir(parents=True, exist_ok=True)
    blob.write_bytes(data)
    pointer = folder / "snapshots" / COMMIT / filename
    pointer.parent.mkdir(parents=True, exist_ok=True)
    os.symlink(os.path.relpath(blob, pointer.parent), pointer)
    (folder / "refs").mkdir(exist_ok=True)
    (folder / "refs" / "main").write_text(COMMIT)
    return pointer
