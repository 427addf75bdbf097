"""generate, img2img, inpaint, outpaint: one engine call each, PNGs with metadata out."""

from __future__ import annotations

import argparse
import math
import sys
import time
from pathlib import Path
from typing import Any

import numpy as np

from studio.cli.options import (
    add_backend_option,
    add_common_options,
    build_params,
    check_output,
    print_status,
)
from studio.cli.progress import StepProgress
from studio.core.errors import InputImageError
from studio.core.imagefiles import read_image, read_mask, save_png
from studio.core.params import GenerationParams, floor_to_8, random_seed
from studio.core.settings import Settings
from studio.engine.fast_models import MODEL_KINDS


def register(subparsers: Any) -> None:
    specs = {
        "generate": ("txt2img", "text to image"),
        "img2img": ("img2img", "repaint a whole image guided by a prompt"),
        "inpaint": ("inpaint", "repaint the white part of a mask"),
        "outpaint": ("outpaint", "extend the canvas and paint the new border"),
    }
    for command, (mode, text) in specs.items():
        parser = subparsers.add_parser(command, help=text, description=text)
        parser.add_argument("-p", "--prompt", help="what to paint")
        if mode != "txt2img":
            parser.add_argument("-i", "--image", type=Path, required=True, help="input image")
        if mode in ("img2img", "inpaint", "outpaint"):
            parser.add_argument("--strength", type=float, help="how much to change (0-1)")
        if mode == "inpaint":
            parser.add_argument("--mask", type=Path, required=True, help="white = repaint")
        if mode in ("inpaint", "outpaint"):
            _add_inpaint_options(parser, mode)
        if mode == "outpaint":
            parser.add_argument(
                "--extend", required=True, help="pixels to add: LEFT,TOP,RIGHT,BOTTOM"
            )
        add_common_options(parser)
        parser.add_argument(
            "--model-kind",
            choices=MODEL_KINDS,
            default="auto",
            help="few-step models (Turbo, LCM, Lightning, Hyper) get 1-4 steps and CFG 1; "
            "auto recognises them by name or config",
        )
        add_backend_option(parser)
        parser.set_defaults(func=run, mode=mode)


def _add_inpaint_options(parser: argparse.ArgumentParser, mode: str) -> None:
    group = parser.add_argument_group(f"{mode} options")
    group.add_argument("--mask-blur", type=int, help="feather the mask edge (px, default 4)")
    group.add_argument("--padding", type=int, help="context around the mask (px, default 32)")
    group.add_argument(
        "--inpaint-area",
        choices=("masked", "whole"),
        help="render only the area around the mask at model size (default) or the whole picture",
    )
    group.add_argument("--mask-grow", type=int, help="grow (or, negative, shrink) the mask (px)")
    group.add_argument(
        "--color-match", action="store_true", default=None, help="match the repainted colours"
    )
    group.add_argument(
        "--masked-content",
        choices=("auto", "original", "fill"),
        help="what the model starts from inside the mask (default auto)",
    )
    if mode == "outpaint":
        group.add_argument("--outpaint-overlap", type=int, help="blend band into the original (px)")


# CLI option -> key in GenerationParams.extra, read by the inpaint flow.
EXTRA_OPTIONS = {
    "mask_grow": "mask_grow",
    "color_match": "color_match",
    "masked_content": "masked_content",
    "outpaint_overlap": "overlap",
}


def _with_extras(params: GenerationParams, args: argparse.Namespace) -> GenerationParams:
    given = {key: getattr(args, dest, None) for dest, key in EXTRA_OPTIONS.items()}
    given = {key: value for key, value in given.items() if value is not None}
    return params.replace(extra={**params.extra, **given}) if given else params


def _defaults(mode: str) -> dict[str, Any]:
    defaults: dict[str, Any] = {"seed": random_seed(), "steps": 20, "cfg": 7.0}
    if mode in ("inpaint", "outpaint"):
        defaults["strength"] = 1.0
    return defaults


def _fast_model_defaults(params: GenerationParams, model: Any, args: argparse.Namespace):
    """Steps/CFG/sampler for a Turbo/LCM/... model, where the user gave none of their own."""
    from studio.engine.fast_models import fast_defaults, kind_of

    wanted = fast_defaults(kind_of(model, args.model_kind))
    wanted = {key: value for key, value in wanted.items() if getattr(args, key, None) is None}
    if "steps" in wanted and params.mode != "txt2img":
        # img2img runs int(steps * strength) steps: keep at least one
        wanted["steps"] = max(wanted["steps"], math.ceil(1 / max(params.strength, 1e-3) - 1e-9))
    return params.replace(**wanted).validated() if wanted else params


def _inputs(args: argparse.Namespace) -> tuple[np.ndarray | None, np.ndarray | None]:
    image = read_image(args.image)[0] if getattr(args, "image", None) else None
    mask = read_mask(args.mask) if getattr(args, "mask", None) else None
    if image is not None and mask is not None and mask.shape != image.shape[:2]:
        raise InputImageError(
            f"mask {args.mask.name!r} is {mask.shape[1]}x{mask.shape[0]} but image "
            f"{args.image.name!r} is {image.shape[1]}x{image.shape[0]}; they must match"
        )
    return image, mask


def output_paths(output: Path, params: GenerationParams) -> list[Path]:
    if params.count == 1:
        return [output]
    return [output / f"{i:04d}-{_seed_label(one)}.png" for i, one in enumerate(params.per_image())]


def _seed_label(params: GenerationParams) -> str:
    return f"{params.seed}v{params.variation_seed}" if params.varies else str(params.seed)


def run(args: argparse.Namespace) -> int:
    from studio.core.prompts.syntax import unsupported_syntax
    from studio.engine.models.catalog import resolve_model
    from studio.engine.models.hashing import resolve_or_find_by_hash

    image, mask = _inputs(args)
    params = _with_extras(build_params(args, args.mode, _defaults(args.mode)), args)
    settings = Settings.load()
    if args.params_from and args.model is None:  # the image's checkpoint, by name or by hash
        found = resolve_or_find_by_hash(
            params.model, settings.model_dirs, str(params.extra.get("Model hash", ""))
        )
        params = params.replace(model=found)
    resolve_model(params.model, settings.model_dirs)  # an unknown model fails fast
    size_given = bool(args.size) or bool(args.params_from)
    if not size_given and image is not None and args.mode == "img2img":
        width, height = floor_to_8(image.shape[1], image.shape[0])
        params = params.replace(width=width, height=height)
    check_output(args.output, params.count)
    for note in unsupported_syntax(f"{params.prompt}\n{params.negative}"):
        print(f"note: {note}", file=sys.stderr)

    from studio.engine.api import Engine

    engine = Engine(
        settings,
        preview_method=args.preview_method,
        vae=args.vae,
        backend=args.backend,
        on_status=print_status,
    )
    model = engine.load_for(params)  # an OpenVINO export happens here, once per model
    if not size_given and args.mode != "img2img":
        params = params.replace(width=model.native_size, height=model.native_size)
    if not args.params_from:
        params = _fast_model_defaults(params, model, args)
    paths = output_paths(args.output, params)
    progress = StepProgress(total_images=params.count)
    preview_writer = _preview_writer(args.preview_dir) if args.preview_dir else None

    def on_step(report: Any) -> None:
        progress.step(report)
        if preview_writer is not None:
            preview_writer(report)

    finished: list[Path] = []

    def on_result(result: Any) -> None:
        path = paths[len(finished) % len(paths)]
        finished.append(path)
        save_png(path, result.image, result.params)
        progress.done(path)

    started = time.perf_counter()
    engine.generate(params, image=image, mask=mask, on_step=on_step, on_result=on_result)
    progress.finish(time.perf_counter() - started)
    return 0


def _preview_writer(folder: Path) -> Any:
    from PIL import Image

    folder.mkdir(parents=True, exist_ok=True)

    def write(report: Any) -> None:
        if report.preview is None:
            return
        name = f"{report.image_index:04d}-step{report.step:03d}.png"
        Image.fromarray(report.preview).save(folder / name)

    return write


if __name__ == "__main__":  # pragma: no cover
    sys.exit("use `studio generate`")
