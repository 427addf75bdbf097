"""`studio sweep -p TEXT --x "cfg=4,7,10" [--y ...] [--z ...] [common] -o DIR`: an X/Y/Z plot.

Every axis and cell is checked before anything renders; each cell is written (with metadata)
as it finishes, then the labelled grid and index.json. Ctrl+C keeps the finished cells.
"""

from __future__ import annotations

import argparse
import sys
import threading
import time
from pathlib import Path
from typing import Any

from studio.cli.errors import EXIT_INTERRUPTED, EXIT_OK
from studio.cli.options import DIRECT_FIELDS, add_common_options, params_from_image
from studio.core.errors import Cancelled, ParamsError
from studio.core.imagefiles import read_image
from studio.core.params import GenerationParams, floor_to_8, parse_size, random_seed
from studio.core.settings import Settings
from studio.core.sweep import KINDS, SweepOutput, SweepPlan, plan_from_specs, run_sweep
from studio.core.sweep.plan import rough_time

# A rough 512x512 denoising step time, for the estimate shown before a large sweep.
STEP_SECONDS = {"cpu": 2.0, "mps": 0.5, "cuda": 0.1}


def register(subparsers: Any) -> None:
    text = "render an X/Y/Z grid of variations over seeds, steps, cfg, sampler, prompt S/R..."
    axes = ", ".join(kind.name for kind in KINDS)
    parser = subparsers.add_parser(
        "sweep",
        help=text,
        description=f"{text} Axes: {axes}. Values: 4,7,9 | 1-5 | 1-5 (+2) | 10-5 (-3) | "
        "1-10 [5]; prompt=castle,lighthouse replaces 'castle' in the prompt by each value.",
    )
    parser.add_argument("-p", "--prompt", help="what to paint")
    parser.add_argument("--x", required=True, metavar="AXIS=VALUES", help='e.g. "cfg=4,7,10"')
    parser.add_argument("--y", metavar="AXIS=VALUES", help='e.g. "prompt=castle,lighthouse"')
    parser.add_argument("--z", metavar="AXIS=VALUES", help="a third axis: one grid per value")
    parser.add_argument("-i", "--image", type=Path, help="sweep img2img from this image")
    parser.add_argument("--strength", type=float, help="img2img strength (0-1)")
    parser.add_argument("--yes", action="store_true", help="do not ask before a large sweep")
    add_common_options(parser)
    parser.set_defaults(func=run)


def base_params(args: argparse.Namespace) -> GenerationParams:
    """Defaults < --params-from < flags, as the other commands build them."""
    mode = "img2img" if args.image else "txt2img"
    base = params_from_image(args.params_from) if args.params_from else GenerationParams()
    values: dict[str, Any] = {} if args.params_from else {"seed": random_seed()}
    values["mode"] = mode
    for dest, field in DIRECT_FIELDS.items():
        value = getattr(args, dest, None)
        if value is not None:
            values[field] = value
    if args.size:
        values["width"], values["height"] = parse_size(args.size)
    if not args.params_from and not values.get("model"):
        raise ParamsError("no model chosen; pass --model NAME (see `studio models`)")
    return base.replace(**values)


def confirm(plan: SweepPlan, device: str, assume_yes: bool) -> None:
    """Above CONFIRM_ABOVE images: say how many and how long, and ask (or need --yes)."""
    if not plan.needs_confirmation() or assume_yes:
        return
    when = rough_time(plan.estimate_seconds(STEP_SECONDS.get(device, 2.0)))
    what = f"this sweep renders {plan.describe()}, {when} on {device}"
    if not sys.stdin.isatty():
        raise ParamsError(f"{what}; pass --yes to go ahead")
    answer = input(f"{what}. Go ahead? [y/N] ").strip().lower()
    if answer not in ("y", "yes"):
        raise ParamsError(f"{what}; not started")


def run(args: argparse.Namespace) -> int:
    from studio.engine.models.catalog import resolve_model

    image = read_image(args.image)[0] if args.image else None
    base = base_params(args)
    if image is not None and not args.size and not args.params_from:
        width, height = floor_to_8(image.shape[1], image.shape[0])
        base = base.replace(width=width, height=height)
    if args.output.exists() and not args.output.is_dir():
        raise ParamsError(f"-o {str(args.output)!r} is a file; a sweep writes into a folder")
    settings = Settings.load()
    size_given = bool(args.size or args.params_from or image is not None)
    if not size_given:  # the model's native size; a cheap look-up by loading once below
        base = base.replace(width=512, height=512)
    plan = plan_from_specs(base, [args.x, args.y, args.z])
    for model in dict.fromkeys(cell.params.model for cell in plan.cells):
        resolve_model(model, settings.model_dirs)  # an unknown model fails before rendering

    from studio.engine.api import Engine
    from studio.engine.device import pick_device

    engine = Engine(settings, preview_method="off")
    if not size_given:
        native = engine.load(base.model, base.device, base.dtype).native_size
        plan = plan_from_specs(base.replace(width=native, height=native), [args.x, args.y, args.z])
    confirm(plan, pick_device(base.device).type, args.yes)
    output = SweepOutput(args.output, plan)
    cancel = threading.Event()
    started = time.perf_counter()

    def on_cell(done: int, total: int, cell: Any) -> None:
        values = ", ".join(f"{k}={v['value']}" for k, v in cell.params.extra["sweep"].items())
        print(f"cell {done + 1}/{total}: {values}", file=sys.stderr, flush=True)

    def render(params: GenerationParams) -> Any:
        return engine.generate(params, image=image, cancel=cancel)[0].image

    from studio.cli.batch import sigint_sets

    try:
        with sigint_sets(cancel):
            grids = run_sweep(plan, render, output, on_cell=on_cell, cancel=cancel)
    except (Cancelled, KeyboardInterrupt):
        print(
            f"interrupted: {len(output.files)} of {plan.count} cells are in {args.output}",
            file=sys.stderr,
        )
        return EXIT_INTERRUPTED
    seconds = time.perf_counter() - started
    names = ", ".join(path.name for path in grids)
    print(f"rendered {plan.count} cells in {seconds:.1f}s: {names} and index.json in {args.output}")
    return EXIT_OK
