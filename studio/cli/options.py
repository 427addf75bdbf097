"""The options every generation subcommand shares, and turning them into GenerationParams."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any

from studio.core.errors import InputImageError, ParamsError
from studio.core.imagefiles import read_image
from studio.core.metadata import params_from_text_chunks
from studio.core.params import DECODES, DEVICES, DTYPES, GenerationParams, parse_size
from studio.core.settings import BACKENDS
from studio.core.write_errors import check_writable

# option dest -> GenerationParams field, for flags that map one to one.
DIRECT_FIELDS = {
    "model": "model",
    "negative": "negative",
    "seed": "seed",
    "steps": "steps",
    "cfg": "cfg",
    "scheduler": "scheduler",
    "count": "count",
    "device": "device",
    "dtype": "dtype",
    "decode": "decode",
    "prompt": "prompt",
    "strength": "strength",
    "mask_blur": "mask_blur",
    "padding": "padding",
    "inpaint_area": "inpaint_area",
    "variation_seed": "variation_seed",
    "variation_strength": "variation_strength",
}


def add_common_options(parser: argparse.ArgumentParser) -> None:
    """The contract's common options. Defaults are None so we can tell what the user gave."""
    group = parser.add_argument_group("common options")
    group.add_argument("--model", help="model name (see `studio models`), file, folder or hub id")
    group.add_argument("-n", "--negative", help="negative prompt")
    group.add_argument("--seed", type=int, help="seed (random if omitted)")
    group.add_argument("--steps", type=int, help="denoising steps (default 20)")
    group.add_argument("--cfg", type=float, help="guidance scale (default 7)")
    group.add_argument(
        "--variation-seed", type=int, help="mix this seed's noise in (A1111's variation seed)"
    )
    group.add_argument(
        "--variation-strength", type=float, help="how much of the variation seed (0-1)"
    )
    group.add_argument("--size", help="WIDTHxHEIGHT, multiples of 8 (default: the model's size)")
    group.add_argument("--scheduler", help="Euler a, Euler, DPM++ 2M, DPM++ 2M Karras, ...")
    group.add_argument("--count", type=int, help="number of images; seeds count up from --seed")
    group.add_argument("--device", choices=DEVICES, help="where to run (default auto)")
    group.add_argument("--dtype", choices=DTYPES, help="precision (default auto)")
    group.add_argument(
        "--decode",
        choices=DECODES,
        help="final decode: full VAE (default) or fast TAESD when its weights are cached",
    )
    group.add_argument("--preview-dir", type=Path, help="write every step's preview here as PNG")
    group.add_argument(
        "--preview-method",
        choices=("latent", "taesd"),
        default="latent",
        help="previews by the cheap linear map (default) or TAESD when its weights are cached",
    )
    group.add_argument("--params-from", type=Path, help="reuse the parameters embedded in IMAGE")
    group.add_argument("--vae", help="a separate VAE file or name (A1111's SD VAE)")
    group.add_argument("-o", "--output", type=Path, required=True, help="output file (or folder)")


def add_backend_option(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--backend",
        choices=BACKENDS,
        help="what runs the model: torch, or openvino (pip install 'studio[openvino]'; exports "
        "the model once, then runs faster on CPUs); default auto (settings.json, else torch)",
    )


def print_status(text: str) -> None:
    """A slow preparation's stage (an OpenVINO export), on stderr."""
    print(f"{text}…", file=sys.stderr, flush=True)


def params_from_image(path: Path) -> GenerationParams:
    _, chunks = read_image(path)
    params = params_from_text_chunks(chunks)
    if params is None:
        raise InputImageError(
            f"{path.name!r} has no embedded generation parameters; drop --params-from"
        )
    return params


def _default_model() -> str:
    """The first real checkpoint installed, else `mini` (else `tiny`): as the app starts."""
    from studio.core.settings import Settings
    from studio.engine.models.catalog import default_model

    return default_model(Settings.load().model_dirs)


def build_params(args: argparse.Namespace, mode: str, defaults: dict[str, Any]) -> GenerationParams:
    """Defaults < --params-from < flags given on the command line."""
    base = params_from_image(args.params_from) if args.params_from else GenerationParams()
    values: dict[str, Any] = {} if args.params_from else dict(defaults)
    values["mode"] = mode
    for dest, field in DIRECT_FIELDS.items():
        value = getattr(args, dest, None)
        if value is not None:
            values[field] = value
    if getattr(args, "size", None):
        values["width"], values["height"] = parse_size(args.size)
    if getattr(args, "extend", None):
        from studio.core.params import parse_extend

        values["extend"] = parse_extend(args.extend)
    if not args.params_from and not values.get("model"):
        values["model"] = _default_model()
    return base.replace(**values).validated()


def check_output(path: Path, count: int) -> None:
    """Refuse an output we could not write, before any work is done."""
    if count == 1 and path.is_dir():
        raise ParamsError(f"output {str(path)!r} is a folder; give a file name such as out.png")
    if count > 1 and path.exists() and not path.is_dir():
        raise ParamsError(f"--count {count} writes several images, so -o must be a folder")
    if count == 1 and path.suffix.lower() != ".png":
        raise ParamsError(f"output {path.name!r} must end in .png")
    check_writable(path if count > 1 else path.parent)
