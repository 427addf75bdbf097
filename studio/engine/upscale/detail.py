"""Detail upscale: upscale (a model or Lanczos), then repaint it tile by tile with img2img at a
low strength, so the diffusion model adds detail at the new resolution. The tiles overlap and
are blended with feathering, so no seams show.

The img2img step is a callable, so any engine (or a test double) can run it; `engine_img2img`
adapts studio.engine.api.Engine.
"""

from __future__ import annotations

import os
import threading
from collections.abc import Callable, Iterable
from typing import Any

import numpy as np

from studio.core.errors import ParamsError
from studio.core.params import MAX_SEED, GenerationParams
from studio.engine.types import StepCallback, TileCallback, TileReport, check_cancel
from studio.engine.upscale.discovery import UpscalerEntry, resolve_upscaler
from studio.engine.upscale.pixels import PreviewCanvas, check_image
from studio.engine.upscale.tiling import Tile, count_tiles, run_tiled
from studio.engine.upscale.upscaler import DEFAULT_TILE, plan_for, upscale_image

# img2img on one tile: (uint8 RGB (h, w, 3), tile index) -> uint8 RGB of the same size.
TileImg2Img = Callable[[np.ndarray, int], np.ndarray]

DETAIL_TILE = 512  # the diffusion model's native size for SD-1.x
DETAIL_OVERLAP = 64
DETAIL_STRENGTH = 0.3
_MULTIPLE = 8  # diffusion models work on sizes that are multiples of 8


def check_detail_tile(tile: int, overlap: int) -> None:
    if not isinstance(tile, int) or tile < 64 or tile % _MULTIPLE:
        raise ParamsError(f"detail tile must be a multiple of 8, at least 64 px, got {tile!r}")
    if not isinstance(overlap, int) or not 0 <= overlap <= tile // 2:
        raise ParamsError(f"detail overlap must be 0 to {tile // 2} px, got {overlap!r}")


def _padded(image: np.ndarray) -> np.ndarray:
    """Pad the bottom/right edges (mirrored) so both sides are multiples of 8."""
    height, width = image.shape[:2]
    pad_h, pad_w = -height % _MULTIPLE, -width % _MULTIPLE
    if not pad_h and not pad_w:
        return image
    return np.pad(image, ((0, pad_h), (0, pad_w), (0, 0)), mode="symmetric")


def detail_upscale(
    image: np.ndarray,
    img2img: TileImg2Img,
    *,
    upscaler: str | os.PathLike[str] | UpscalerEntry = "lanczos",
    scale: float | None = 2.0,
    tile: int = DETAIL_TILE,
    overlap: int | None = None,
    upscale_tile: int = DEFAULT_TILE,
    device: str = "auto",
    dirs: Iterable[str | os.PathLike[str]] = (),
    on_tile: TileCallback | None = None,
    cancel: threading.Event | None = None,
) -> np.ndarray:
    """Upscale `image` (uint8 (H, W, 3|4)) by `scale`, then img2img it in overlapping tiles.

    tile/overlap: img2img window and shared pixels (default min(64, tile / 4)).
    on_tile(TileReport) counts the upscaler's tiles and then the img2img tiles against one total,
    with a preview of the image so far. cancel raises Cancelled between tiles (and, through the
    img2img callable, within a tile); nothing is returned then. Alpha is upscaled, not repainted.
    """
    image = check_image(image)
    if overlap is None:
        overlap = min(DETAIL_OVERLAP, tile // 4) if isinstance(tile, int) else DETAIL_OVERLAP
    check_detail_tile(tile, overlap)
    entry = upscaler if isinstance(upscaler, UpscalerEntry) else resolve_upscaler(upscaler, dirs)
    plan = plan_for((image.shape[1], image.shape[0]), entry, scale, upscale_tile, device=device)
    out_w, out_h = plan.out_size
    padded_w, padded_h = out_w + (-out_w % _MULTIPLE), out_h + (-out_h % _MULTIPLE)
    detail_tiles = count_tiles(padded_w, padded_h, tile, overlap)
    total = plan.tiles + detail_tiles

    def upscaled_tile(report: TileReport) -> None:
        if on_tile is not None:
            on_tile(TileReport(report.done, total, report.preview))

    check_cancel(cancel)
    big = upscale_image(
        image,
        entry,
        plan.scale,
        upscale_tile,
        device=device,
        on_tile=upscaled_tile if on_tile is not None else None,
        cancel=cancel,
    )
    rgb = _padded(np.ascontiguousarray(big[..., :3]))
    canvas = PreviewCanvas(rgb, padded_w, padded_h) if on_tile is not None else None

    def repaint(window: np.ndarray, where: Tile) -> np.ndarray:
        painted = np.asarray(img2img(np.ascontiguousarray(window), where.index))
        if painted.shape[:2] != window.shape[:2] or painted.dtype != np.uint8:
            raise RuntimeError(
                f"img2img returned {painted.shape} {painted.dtype} for a {window.shape} tile"
            )
        return painted[..., :3].astype(np.float32)

    def repainted(where: Tile, pixels: np.ndarray) -> None:
        if canvas is not None and on_tile is not None:
            canvas.paste(pixels, where.x0, where.y0, padded_w, padded_h)
            on_tile(TileReport(plan.tiles + where.index + 1, total, canvas.snapshot()))

    detailed = run_tiled(
        rgb, repaint, scale=1, tile=tile, overlap=overlap, on_done=repainted, cancel=cancel
    )[:out_h, :out_w]
    check_cancel(cancel)
    if big.shape[2] == 4:
        return np.concatenate([detailed, big[..., 3:]], axis=2)
    return detailed


def engine_img2img(
    engine: Any,
    params: GenerationParams,
    *,
    on_step: StepCallback | None = None,
    cancel: threading.Event | None = None,
) -> TileImg2Img:
    """An img2img tile runner over `engine.generate` with params' model, prompt, steps and
    strength; each tile renders at its own size with seed + tile index."""
    base = params.replace(mode="img2img", count=1)
    base.validated()  # refuses, e.g., a strength and step count that leave no denoising step

    def run(window: np.ndarray, index: int) -> np.ndarray:
        height, width = window.shape[:2]
        one = base.replace(width=width, height=height, seed=(base.seed + index) % (MAX_SEED + 1))
        results = engine.generate(one, image=window, on_step=on_step, cancel=cancel)
        return np.asarray(results[0].image)[..., :3]

    return run
