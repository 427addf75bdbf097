"""`studio download ID [--file NAME]`: fetch into the HF cache with progress; resumable.

Gated and private models take the token from HF_TOKEN or the OS keyring (where the app saved
it); a 401/403 is one `error:` line that says to set HF_TOKEN. The id is checked first (as the
app's Get models page does), so a typo is an `error:` line without a request."""

from __future__ import annotations

import argparse
import sys
from typing import Any


def register(subparsers: Any) -> None:
    parser = subparsers.add_parser(
        "download", help="fetch a model into the Hugging Face cache (resumes an interrupted one)"
    )
    parser.add_argument(
        "repo_id",
        metavar="ID",
        help="a Hugging Face id, e.g. stabilityai/sd-turbo (or owner/name/FILE)",
    )
    parser.add_argument("--file", help="one file of the repo (default: the whole model)")
    parser.add_argument("--revision", default="main", help="branch, tag or commit (default: main)")
    parser.set_defaults(func=run_download)


def run_download(args: argparse.Namespace) -> int:
    from studio.core.hub_token import TokenStore
    from studio.core.models.hub_id import parse_hub_ref
    from studio.engine.downloads import DownloadProgress, download

    shown = {"line": ""}

    def report(progress: DownloadProgress) -> None:
        line = progress.describe()
        if line != shown["line"]:
            shown["line"] = line
            print("\r" + line.ljust(78), end="", file=sys.stderr, flush=True)

    ref = parse_hub_ref(args.repo_id, args.file or "")
    try:
        path = download(
            ref.repo_id,
            ref.filename,
            revision=args.revision,
            on_progress=report,
            token=TokenStore().get(),
        )
    finally:
        if shown["line"]:  # end the progress line, so an error starts on a line of its own
            print(file=sys.stderr)
    print(f"downloaded: {path}")
    return 0
