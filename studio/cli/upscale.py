"""`studio upscale`: Lanczos or a model file (tiled), optionally a diffusion "detail" pass."""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path
from typing import Any, TextIO

import numpy as np

from studio.core.errors import InputImageError, ParamsError
from studio.core.imagefiles import read_image, save_png
from studio.core.metadata import params_from_text_chunks
from studio.core.params import DEVICES, DTYPES, GenerationParams, random_seed
from studio.core.settings import Settings
from studio.core.write_errors import check_writable

DETAIL_OPTIONS = ("model", "prompt", "negative", "steps", "detail_strength", "seed", "cfg",
                  "scheduler", "dtype", "detail_tile", "detail_overlap")  # fmt: skip


def register(subparsers: Any) -> None:
    text = "enlarge an image with Lanczos or an upscaler model (ESRGAN, SwinIR, HAT, DAT, ...)"
    parser = subparsers.add_parser("upscale", help=text, description=text)
    parser.add_argument("-i", "--image", type=Path, required=True, help="input image")
    parser.add_argument(
        "--upscaler",
        default="lanczos",
        metavar="PATH|NAME|lanczos",
        help="'lanczos' (default), a .pth/.pt/.safetensors file, or a name from `studio models`",
    )
    parser.add_argument(
        "--scale",
        type=float,
        metavar="N",
        help="result scale (default: the model's own; lanczos 4, --detail 2)",
    )
    parser.add_argument(
        "--tile", type=int, default=512, metavar="PX", help="tile size in px, 0 = no tiling"
    )
    parser.add_argument(
        "--overlap", type=int, default=32, metavar="PX", help="tile overlap in px (default 32)"
    )
    parser.add_argument("--device", choices=DEVICES, help="where to run (default auto)")
    parser.add_argument("-o", "--output", type=Path, required=True, help="output .png file")
    detail = parser.add_argument_group(
        "detail upscale",
        "after upscaling, repaint the image tile by tile with a diffusion model at low strength",
    )
    detail.add_argument("--detail", action="store_true", help="run the detail pass")
    detail.add_argument("--model", help="diffusion model (default: the one embedded in IMAGE)")
    detail.add_argument("-p", "--prompt", help="prompt (default: the one embedded in IMAGE)")
    detail.add_argument("-n", "--negative", help="negative prompt")
    detail.add_argument("--steps", type=int, metavar="N", help="denoising steps (default 20)")
    detail.add_argument(
        "--detail-strength", type=float, metavar="F", help="how much to repaint, 0-1 (default 0.3)"
    )
    detail.add_argument("--seed", type=int, help="seed (random if omitted); tile k uses seed+k")
    detail.add_argument("--cfg", type=float, help="guidance scale (default 7)")
    detail.add_argument("--scheduler", help="Euler a, Euler, DPM++ 2M, ...")
    detail.add_argument("--dtype", choices=DTYPES, help="precision (default auto)")
    detail.add_argument(
        "--detail-tile", type=int, metavar="PX", help="img2img tile size, multiple of 8 (512)"
    )
    detail.add_argument("--detail-overlap", type=int, metavar="PX", help="img2img overlap px (64)")
    parser.set_defaults(func=run)


class TileProgress:
    """One stderr line per finished tile (rewritten in place on a terminal)."""

    def __init__(self, stream: TextIO | None = None) -> None:
        self.stream = stream or sys.stderr
        self.tty = self.stream.isatty()
        self.started = time.perf_counter()

    def tile(self, report: Any) -> None:
        elapsed = time.perf_counter() - self.started
        per_tile = elapsed / max(report.done, 1)
        remaining = per_tile * (report.total - report.done)
        line = f"tile {report.done}/{report.total}  {per_tile:.1f} s/tile  ETA {remaining:.0f}s"
        if self.tty:
            self.stream.write("\r" + line.ljust(50))
        else:
            self.stream.write(line + "\n")
        self.stream.flush()

    def done(self, path: Path) -> None:
        if self.tty:
            self.stream.write("\n")
        seconds = time.perf_counter() - self.started
        self.stream.write(f"wrote {path} in {seconds:.1f}s\n")
        self.stream.flush()


def _check_output(path: Path) -> None:
    if path.is_dir():
        raise ParamsError(f"output {str(path)!r} is a folder; give a file name such as big.png")
    if path.suffix.lower() != ".png":
        raise ParamsError(f"output {path.name!r} must end in .png")
    check_writable(path.parent)


def _embedded(chunks: dict[str, str]) -> GenerationParams | None:
    try:
        return params_from_text_chunks(chunks)
    except (InputImageError, ParamsError, ValueError, TypeError):
        return None  # unreadable metadata only loses the defaults; the pixels are fine


def _detail_params(args: argparse.Namespace, embedded: GenerationParams | None) -> GenerationParams:
    """Embedded params of the input < Studio defaults for a detail pass < flags."""
    base = embedded or GenerationParams(prompt="")
    values: dict[str, Any] = {
        "mode": "img2img",
        "count": 1,
        "strength": 0.3,
        "steps": base.steps if embedded else 20,
        "seed": random_seed(),
    }
    flags = {"model": "model", "prompt": "prompt", "negative": "negative", "steps": "steps",
             "detail_strength": "strength", "seed": "seed", "cfg": "cfg",
             "scheduler": "scheduler", "device": "device", "dtype": "dtype"}  # fmt: skip
    for dest, field in flags.items():
        value = getattr(args, dest, None)
        if value is not None:
            values[field] = value
    if not embedded and args.model is None:
        settings_model = getattr(Settings.load(), "default_model", None)
        if not settings_model:
            raise ParamsError(
                "--detail needs a diffusion model: pass --model NAME (see `studio models`)"
            )
        values["model"] = settings_model
    return base.replace(**values).validated()


def run(args: argparse.Namespace) -> int:
    from studio.engine.upscale import resolve_upscaler, upscale_image
    from studio.engine.upscale.detail import DETAIL_TILE, detail_upscale

    stray = [
        f"--{name.replace('_', '-')}"
        for name in DETAIL_OPTIONS
        if getattr(args, name, None) is not None
    ]
    if stray and not args.detail:
        verb = "applies" if len(stray) == 1 else "apply"
        raise ParamsError(f"{', '.join(stray)} only {verb} to the detail pass; add --detail")
    _check_output(args.output)
    image, chunks = read_image(args.image)
    embedded = _embedded(chunks)
    settings = Settings.load()
    entry = resolve_upscaler(args.upscaler, settings.upscaler_dirs)
    device = args.device or "auto"
    progress = TileProgress()

    if not args.detail:
        result = upscale_image(
            image, entry, args.scale, args.tile, overlap=args.overlap, device=device,
            on_tile=progress.tile,
        )  # fmt: skip
        save_png(args.output, result, embedded)
        progress.done(args.output)
        return 0

    params = _detail_params(args, embedded)
    from studio.engine.api import Engine
    from studio.engine.models.catalog import resolve_model
    from studio.engine.upscale.detail import engine_img2img

    resolve_model(params.model, settings.model_dirs)  # an unknown model fails before any work
    engine = Engine(settings, preview_method="off")
    result = detail_upscale(
        image,
        engine_img2img(engine, params),
        upscaler=entry,
        scale=args.scale if args.scale is not None else 2.0,
        tile=args.detail_tile or DETAIL_TILE,
        overlap=args.detail_overlap,
        upscale_tile=args.tile,
        device=device,
        on_tile=progress.tile,
    )
    height, width = result.shape[:2]
    extra = {"upscaler": entry.name, "upscale": args.scale or 2.0, "detail": True}
    used = params.replace(width=width, height=height, extra={**params.extra, **extra})
    save_png(args.output, np.ascontiguousarray(result), used)
    progress.done(args.output)
    return 0
