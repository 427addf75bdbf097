"""upscale_image: Lanczos or any spandrel model, tiled, resized to the asked-for scale."""

from __future__ import annotations

import os
import threading
from collections.abc import Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np

from studio.core.errors import ParamsError
from studio.core.imagefiles import MAX_PIXELS
from studio.engine.types import TileCallback, TileReport, check_cancel
from studio.engine.upscale.discovery import LANCZOS_SCALE, UpscalerEntry, resolve_upscaler
from studio.engine.upscale.loading import load_upscaler
from studio.engine.upscale.pixels import PreviewCanvas, check_image, lanczos, target_size
from studio.engine.upscale.tiling import DEFAULT_OVERLAP, Tile, count_tiles, run_tiled

if TYPE_CHECKING:
    from spandrel import ImageModelDescriptor

DEFAULT_TILE = 512
MIN_TILE = 32
MAX_SCALE = 16.0
MAX_PASSES = 4  # a 2x model asked for 8x runs three times, then Lanczos fits the size


@dataclass(frozen=True)
class UpscalePlan:
    """What an upscale will do: model passes, their input sizes, the tile count, the output size."""

    scale: float
    model_scale: int  # per model pass; Lanczos: 0 (no model pass)
    pass_sizes: tuple[tuple[int, int], ...]  # (width, height) entering each model pass
    out_size: tuple[int, int]
    tiles: int  # progress reports the job will make


def check_tile(tile: int, overlap: int) -> None:
    if not isinstance(tile, int) or (tile != 0 and tile < MIN_TILE):
        raise ParamsError(f"tile must be 0 (no tiling) or at least {MIN_TILE} px, got {tile!r}")
    if not isinstance(overlap, int) or overlap < 0:
        raise ParamsError(f"tile overlap must be 0 or more pixels, got {overlap!r}")


def plan_upscale(
    width: int,
    height: int,
    model_scale: int | None,
    scale: float | None,
    tile: int = DEFAULT_TILE,
    overlap: int = DEFAULT_OVERLAP,
) -> UpscalePlan:
    """Plan an upscale of a width x height image; `model_scale` None means Lanczos."""
    check_tile(tile, overlap)
    native = model_scale if model_scale is not None else LANCZOS_SCALE
    wanted = float(native if scale is None else scale)
    if not 1.0 <= wanted <= MAX_SCALE:
        raise ParamsError(f"scale must be from 1 to {MAX_SCALE:g}, got {scale!r}")
    out_w, out_h = target_size(width, height, wanted)
    if out_w * out_h > MAX_PIXELS:
        raise ParamsError(
            f"the result would be {out_w}x{out_h}, more than Studio handles "
            f"({MAX_PIXELS // 1_000_000} megapixels); use a smaller scale"
        )
    if model_scale is None:
        return UpscalePlan(wanted, 0, (), (out_w, out_h), 1)
    sizes = [(width, height)]
    reached = model_scale
    while model_scale > 1 and reached < wanted - 1e-9 and len(sizes) < MAX_PASSES:
        sizes.append((sizes[-1][0] * model_scale, sizes[-1][1] * model_scale))
        reached *= model_scale
    tiles = sum(count_tiles(w, h, tile, overlap) for w, h in sizes)
    return UpscalePlan(wanted, model_scale, tuple(sizes), (out_w, out_h), tiles)


def _model_runner(descriptor: ImageModelDescriptor):
    import torch

    channels_in = descriptor.input_channels

    def run(window: np.ndarray, _tile: Tile) -> np.ndarray:
        x = torch.from_numpy(np.ascontiguousarray(window)).to(descriptor.device)
        x = x.permute(2, 0, 1)[None].to(descriptor.dtype) / 255.0
        if channels_in == 1:  # a greyscale model: run it on each colour channel
            y = torch.cat([descriptor(x[:, c : c + 1]) for c in range(x.shape[1])], dim=1)
        else:
            y = descriptor(x)
        return (y[0].permute(1, 2, 0).float() * 255.0).cpu().numpy()

    return run


def _model_input(image: np.ndarray, channels_in: int) -> np.ndarray:
    if channels_in == 4:
        if image.shape[2] == 4:
            return image
        opaque = np.full((*image.shape[:2], 1), 255, np.uint8)
        return np.concatenate([image, opaque], axis=2)
    return np.ascontiguousarray(image[..., :3])


def upscale_with_model(
    image: np.ndarray,
    descriptor: ImageModelDescriptor,
    scale: float | None = None,
    tile: int = DEFAULT_TILE,
    *,
    overlap: int = DEFAULT_OVERLAP,
    on_tile: TileCallback | None = None,
    cancel: threading.Event | None = None,
) -> np.ndarray:
    """Upscale uint8 (H, W, 3|4) with a loaded spandrel model, tiled; see `upscale_image`."""
    from spandrel import ModelTiling

    image = check_image(image)
    height, width = image.shape[:2]
    if descriptor.tiling == ModelTiling.INTERNAL:
        tile = 0  # the architecture tiles internally; cutting it up again only hurts
    plan = plan_upscale(width, height, descriptor.scale, scale, tile, overlap)
    out_w, out_h = plan.out_size
    canvas = PreviewCanvas(image, out_w, out_h) if on_tile is not None else None
    done = 0
    run = _model_runner(descriptor)
    current = _model_input(image, descriptor.input_channels)
    s = descriptor.scale
    for pass_w, pass_h in plan.pass_sizes:

        def finished(t: Tile, pixels: np.ndarray, pw: int = pass_w, ph: int = pass_h) -> None:
            nonlocal done
            done += 1
            if canvas is not None and on_tile is not None:
                canvas.paste(pixels, t.x0 * s, t.y0 * s, pw * s, ph * s)
                on_tile(TileReport(done, plan.tiles, canvas.snapshot()))

        current = run_tiled(
            current, run, scale=s, tile=tile, overlap=overlap, on_done=finished, cancel=cancel
        )
    check_cancel(cancel)
    has_alpha = image.shape[2] == 4
    if descriptor.input_channels == 4 and has_alpha:
        return lanczos(current, out_w, out_h)
    rgb = lanczos(current[..., :3], out_w, out_h)
    if not has_alpha:
        return rgb
    alpha = lanczos(image[..., 3], out_w, out_h)
    return np.concatenate([rgb, alpha[..., None]], axis=2)


def upscale_lanczos(
    image: np.ndarray,
    scale: float | None = None,
    *,
    on_tile: TileCallback | None = None,
    cancel: threading.Event | None = None,
) -> np.ndarray:
    """Upscale with Lanczos (default 4x); one progress report."""
    image = check_image(image)
    plan = plan_upscale(image.shape[1], image.shape[0], None, scale, 0)
    check_cancel(cancel)
    result = lanczos(image, *plan.out_size)
    check_cancel(cancel)
    if on_tile is not None:
        preview = PreviewCanvas(result, *plan.out_size).snapshot()
        on_tile(TileReport(1, 1, preview))
    return result


def upscale_image(
    image: np.ndarray,
    upscaler: str | os.PathLike[str] | UpscalerEntry = "lanczos",
    scale: float | None = None,
    tile: int = DEFAULT_TILE,
    *,
    overlap: int = DEFAULT_OVERLAP,
    device: str = "auto",
    on_tile: TileCallback | None = None,
    cancel: threading.Event | None = None,
    dirs: Iterable[str | os.PathLike[str]] = (),
) -> np.ndarray:
    """Upscale a uint8 (H, W, 3|4) image; returns uint8 with the same channels.

    upscaler: 'lanczos', a model file path, or the name of a file in the upscaler folders `dirs`.
    scale: the result's scale; None uses the model's own (Lanczos: 4). A model smaller than the
      scale runs repeatedly, then Lanczos fits the exact size (a 4x model for 2x: one pass, then
      downscale). tile: window size in source pixels (0 = whole image at once); overlap: pixels
      shared by neighbouring windows, blended with feathering.
    on_tile(TileReport) after each tile, with a preview (RGB, at most 1024 px) of the image so
    far; cancel: raises studio.core.errors.Cancelled between tiles and returns nothing.
    Alpha is upscaled with Lanczos unless the model itself takes 4 channels.
    """
    check_tile(tile, overlap)
    entry = upscaler if isinstance(upscaler, UpscalerEntry) else resolve_upscaler(upscaler, dirs)
    if entry.path is None:
        return upscale_lanczos(image, scale, on_tile=on_tile, cancel=cancel)
    image = check_image(image)
    check_cancel(cancel)
    descriptor = load_upscaler(entry.path, device)
    return upscale_with_model(
        image, descriptor, scale, tile, overlap=overlap, on_tile=on_tile, cancel=cancel
    )


def plan_for(
    image_size: tuple[int, int],
    upscaler: str | os.PathLike[str] | UpscalerEntry,
    scale: float | None,
    tile: int = DEFAULT_TILE,
    overlap: int = DEFAULT_OVERLAP,
    *,
    device: str = "auto",
    dirs: Iterable[str | os.PathLike[str]] = (),
) -> UpscalePlan:
    """The plan `upscale_image` will follow for an image of (width, height) (loads the model)."""
    entry = upscaler if isinstance(upscaler, UpscalerEntry) else resolve_upscaler(upscaler, dirs)
    if entry.path is None:
        return plan_upscale(*image_size, None, scale, 0)
    from spandrel import ModelTiling

    descriptor = load_upscaler(entry.path, device)
    if descriptor.tiling == ModelTiling.INTERNAL:
        tile = 0
    return plan_upscale(*image_size, descriptor.scale, scale, tile, overlap)
