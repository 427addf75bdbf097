"""`studio info IMAGE` and `studio models`."""

from __future__ import annotations

import argparse
import json
from pathlib import Path
from typing import Any

from studio.core.errors import InputImageError
from studio.core.imagefiles import read_image
from studio.core.metadata import PARAMETERS_KEY, format_infotext, params_from_text_chunks
from studio.core.settings import Settings


def register(subparsers: Any) -> None:
    info = subparsers.add_parser("info", help="print the parameters embedded in an image")
    info.add_argument("image", type=Path)
    info.add_argument("--json", action="store_true", help="print Studio's full JSON parameters")
    info.set_defaults(func=run_info)
    models = subparsers.add_parser("models", help="list the models and upscalers Studio can see")
    models.set_defaults(func=run_models)


def run_info(args: argparse.Namespace) -> int:
    _, chunks = read_image(args.image)
    params = params_from_text_chunks(chunks)
    if params is None:
        raise InputImageError(f"{args.image.name!r} has no embedded generation parameters")
    if args.json:
        print(json.dumps(params.to_dict(), indent=2, ensure_ascii=False))
    else:
        print(chunks.get(PARAMETERS_KEY) or format_infotext(params))
    return 0


def run_models(args: argparse.Namespace) -> int:
    from studio.engine.models.catalog import list_models

    settings = Settings.load()
    print("Models:")
    for ref in list_models(settings.model_dirs):
        print("  " + ref.describe())
    print("Upscalers:")
    print(f"  {'lanczos':40s} builtin  (Pillow)")
    try:
        from studio.engine.upscale import find_upscalers
    except ImportError:
        return 0
    for entry in find_upscalers(settings.upscaler_dirs):
        print(f"  {entry.name:40s} file     {entry.path}")
    if not settings.model_dirs:
        print("\nNo model folders configured: set STUDIO_MODEL_DIRS (see README).")
    return 0
