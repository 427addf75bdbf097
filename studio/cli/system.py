"""`studio system`: the device, the precision chosen and why, versions and model folders."""

from __future__ import annotations

import argparse
from typing import Any

from studio.core.params import DEVICES, DTYPES
from studio.core.settings import Settings


def register(subparsers: Any) -> None:
    system = subparsers.add_parser(
        "system", help="device, precision chosen and why, versions, model folders"
    )
    system.add_argument("--device", choices=DEVICES, default="auto", help="device to report on")
    system.add_argument("--dtype", choices=DTYPES, default="auto", help="precision to report on")
    system.set_defaults(func=run_system)


def run_system(args: argparse.Namespace) -> int:
    from studio.engine.system_info import system_lines

    lines = system_lines(Settings.load().model_dirs, device=args.device, dtype=args.dtype)
    width = max(len(label) for label, _ in lines) + 1
    for label, value in lines:
        print(f"{label + ':':{width}} {value}")
    return 0
