"""`studio info IMAGE`."""

from __future__ import annotations

import argparse
import json
from pathlib import Path
from typing import Any

from studio.core.errors import InputImageError
from studio.core.imagefiles import read_image
from studio.core.metadata import PARAMETERS_KEY, format_infotext, params_from_text_chunks


def register(subparsers: Any) -> None:
    info = subparsers.add_parser("info", help="print the parameters embedded in an image")
    info.add_argument("image", type=Path)
    info.add_argument("--json", action="store_true", help="print Studio's full JSON parameters")
    info.set_defaults(func=run_info)


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
