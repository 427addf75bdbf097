"""`studio models [add DIR | remove DIR] [--hashes]`: every model Studio can see, by kind."""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any

from studio.core.settings import Settings
from studio.core.sizes import human_size


def register(subparsers: Any) -> None:
    models = subparsers.add_parser(
        "models", help="list the models Studio can see by kind, or add/remove a model folder"
    )
    models.add_argument("action", nargs="?", choices=("add", "remove"), help="change the folders")
    models.add_argument("folder", nargs="?", type=Path, help="a model folder or install root")
    models.add_argument(
        "--hashes", action="store_true", help="compute missing hashes (reads every file once)"
    )
    models.set_defaults(func=run_models)


def run_models(args: argparse.Namespace) -> int:
    from studio.core.errors import UserError

    if args.action:
        from studio.core.models.folders import add_model_dir, remove_model_dir

        if args.folder is None:
            raise UserError(f"`studio models {args.action}` needs a folder")
        if args.action == "add":
            added = add_model_dir(args.folder)
            print(f"{'added' if added else 'already there'}: {args.folder.expanduser().resolve()}")
        else:
            removed = remove_model_dir(args.folder)
            print(f"{'removed' if removed else 'not in the settings'}: {args.folder}")
        if args.action == "remove":
            return 0
    print_models(Settings.load(), compute_hashes=args.hashes)
    return 0


def print_models(settings: Settings, compute_hashes: bool = False) -> None:
    from studio.core.models.classify import KIND_LABELS
    from studio.core.models.defaults import default_model
    from studio.core.models.hashes import short_hash
    from studio.core.models.scan import by_kind, scan_models
    from studio.engine.models.mini import MINI_LABEL, MINI_NAME, mini_available
    from studio.engine.models.tiny import TINY_NAMES

    entries = scan_models(settings.model_dirs, upscaler_roots=settings.upscaler_dirs)
    print(f"Default model: {default_model(entries)}")
    if mini_available():
        print(f"{MINI_NAME}  {MINI_LABEL}")
    print(f"Built-in: {', '.join(TINY_NAMES)} (random weights, for tests)")
    for kind, group in by_kind(entries).items():
        if not group:
            continue
        print(f"\n{KIND_LABELS[kind]}:")
        for entry in group:
            digest = entry.short_hash
            if digest is None and compute_hashes and not entry.is_folder:
                digest = short_hash(entry.path, entry.kind)
            print(
                f"  {entry.name:40s} {entry.family_label:22s} {human_size(entry.size):>9s} "
                f"{digest or '-':12s} {entry.path}"
            )
    if not settings.model_dirs:
        print(
            "\nNo model folders configured: `studio models add DIR` (a folder, or an "
            "A1111/Forge/ComfyUI install), or `studio download ID`."
        )
