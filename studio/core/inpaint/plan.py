"""An inpaint/outpaint job planned in pixels: what the model renders and how it goes back.

Pure numpy + Pillow. `plan_inpaint` / `plan_outpaint` return an `InpaintPlan`; the engine
renders `plan.image` with `plan.mask` at `plan.render_size`, then `plan.finish(rendered)` gives
the final picture (original size for inpaint, extended size for outpaint) in which every pixel
where `plan.composite == 0` is bit-identical to `plan.original`.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from studio.core.errors import InputImageError
from studio.core.inpaint.composite import composite, paste_back
from studio.core.inpaint.fill import fill_hole, flatten_alpha
from studio.core.inpaint.geometry import (
    LATENT_FACTOR,
    Box,
    context_box,
    mask_bbox,
    mask_to_render,
    render_size,
    resize_rgb,
    round_size,
)
from studio.core.inpaint.masks import check_mask, composite_bbox, composite_mask
from studio.core.inpaint.outpaint import Extents, extend_canvas, outpaint_masks

AREAS = ("masked", "whole")


def check_image(image: np.ndarray) -> np.ndarray:
    image = np.asarray(image)
    if image.dtype != np.uint8 or image.ndim != 3 or image.shape[2] not in (3, 4):
        raise InputImageError("the input image must be 8-bit RGB or RGBA")
    return image


def block_cover(mask: np.ndarray, block: int = LATENT_FACTOR) -> np.ndarray:
    """255 over every block x block cell that has any masked pixel (latent-cell coverage)."""
    h, w = mask.shape
    hb, wb = -(-h // block), -(-w // block)
    padded = np.zeros((hb * block, wb * block), dtype=bool)
    padded[:h, :w] = mask > 0
    cells = padded.reshape(hb, block, wb, block).any(axis=(1, 3))
    full = np.repeat(np.repeat(cells, block, axis=0), block, axis=1)[:h, :w]
    return np.where(full, 255, 0).astype(np.uint8)


@dataclass
class InpaintPlan:
    """Everything between the user's image + mask and the model call, and back."""

    original: np.ndarray  # full-size picture to composite into (the extended canvas for outpaint)
    composite: np.ndarray  # full-size composite mask; 0 = kept bit-identical
    box: Box  # the context box: the part of `original` the model sees
    render_size: tuple[int, int]  # (width, height), multiples of 8
    image: np.ndarray  # model input, uint8 RGB at render size
    mask: np.ndarray  # model mask, uint8 at render size, 255 = denoise (latent-cell aligned)
    match_colors: bool = False
    keep_alpha: bool = False
    _preview_base: tuple[np.ndarray, np.ndarray] | None = field(default=None, repr=False)

    def finish(self, rendered: np.ndarray) -> np.ndarray:
        """The final picture from the model's output (uint8 RGB at render size)."""
        if (rendered.shape[1], rendered.shape[0]) != self.render_size:
            raise ValueError(f"rendered {rendered.shape[:2]} is not {self.render_size}")
        return paste_back(
            self.original,
            rendered,
            self.box,
            self.composite,
            match_colors=self.match_colors,
            keep_alpha=self.keep_alpha,
        )

    def preview(self, preview: np.ndarray, size: tuple[int, int] | None = None) -> np.ndarray:
        """A live preview shown inside the mask only: RGB covering `box`, at `size`.

        `size` defaults to the render size; the original around the mask is kept.
        """
        size = tuple(size or self.render_size)  # type: ignore[assignment]
        if self._preview_base is None or self._preview_base[0].shape[:2] != size[::-1]:
            region = flatten_alpha(np.ascontiguousarray(self.original[self.box.slices]))
            base = resize_rgb(region, size)
            weight = mask_to_render(self.composite, self.box, size, cover=False)
            self._preview_base = (base, weight)
        base, weight = self._preview_base
        return composite(base, resize_rgb(preview[:, :, :3], size), weight)


def _finish_plan(
    original: np.ndarray,
    comp: np.ndarray,
    box: Box,
    size: tuple[int, int],
    fill_seed: int | None,
    match_colors: bool,
    keep_alpha: bool,
) -> InpaintPlan:
    region = flatten_alpha(np.ascontiguousarray(original[box.slices]))
    image = resize_rgb(region, size)
    mask = block_cover(mask_to_render(comp, box, size, cover=True))
    if fill_seed is not None:
        image = fill_hole(image, mask, fill_seed)
    return InpaintPlan(original, comp, box, size, image, mask, match_colors, keep_alpha)


def _box_and_size(
    comp: np.ndarray,
    area: str,
    padding: int,
    native: int | tuple[int, int],
    whole_size: tuple[int, int] | None,
) -> tuple[Box, tuple[int, int]]:
    h, w = comp.shape
    if area not in AREAS:
        raise ValueError(f"inpaint area must be one of {AREAS}, got {area!r}")
    if area == "whole":
        return Box(0, 0, w, h), round_size(whole_size or (w, h))
    bbox = mask_bbox(comp)
    assert bbox is not None
    box = context_box(bbox, (w, h), padding, native)
    return box, render_size(box.size, native)


def plan_inpaint(
    image: np.ndarray,
    mask: np.ndarray,
    *,
    native: int | tuple[int, int],
    padding: int = 32,
    blur: float = 4,
    grow: int = 0,
    area: str = "masked",
    fill_seed: int | None = None,
    match_colors: bool = False,
    keep_alpha: bool = False,
    whole_size: tuple[int, int] | None = None,
) -> InpaintPlan:
    """Plan an inpaint. `fill_seed`: fill the hole (surroundings + noise) with this seed.

    area "masked" renders the context box at about the native size; "whole" renders the whole
    picture at `whole_size` (default: the image size rounded to multiples of 8).
    """
    image = check_image(image)
    mask = check_mask(mask, image.shape[:2])
    comp = _nonempty_composite(mask, grow, blur)
    box, size = _box_and_size(comp, area, padding, native, whole_size)
    return _finish_plan(image, comp, box, size, fill_seed, match_colors, keep_alpha)


def _nonempty_composite(mask: np.ndarray, grow: int, blur: float) -> np.ndarray:
    comp = composite_mask(mask, grow, blur)
    if not comp.any():
        if mask.any():
            raise InputImageError(
                f"the mask vanished when shrunk by {-grow} px; shrink it less or paint more"
            )
        raise InputImageError("the mask is empty (all black); paint white where to repaint")
    return comp


def context_box_for_mask(
    mask: np.ndarray,
    *,
    native: int | tuple[int, int],
    padding: int = 32,
    blur: float = 4,
    grow: int = 0,
    area: str = "masked",
) -> Box | None:
    """The box `plan_inpaint` would render (what the model sees), for drawing it on a canvas.

    None when the mask is empty. Cheap: the work is local to the mask.
    """
    mask = check_mask(mask)
    bbox = composite_bbox(mask, grow, blur)
    if bbox is None:
        return None
    if area not in AREAS:
        raise ValueError(f"inpaint area must be one of {AREAS}, got {area!r}")
    h, w = mask.shape
    return Box(0, 0, w, h) if area == "whole" else context_box(bbox, (w, h), padding, native)


def plan_outpaint(
    image: np.ndarray,
    extents: Extents,
    *,
    native: int | tuple[int, int],
    seed: int,
    padding: int = 32,
    overlap: int = 16,
    area: str = "masked",
    match_colors: bool = False,
    whole_size: tuple[int, int] | None = None,
) -> InpaintPlan:
    """Plan an outpaint: extend by (left, top, right, bottom), pre-fill, repaint border + band."""
    image = check_image(image)
    if not any(int(v) > 0 for v in extents):
        raise InputImageError("outpaint needs --extend L,T,R,B with at least one side above 0")
    canvas = extend_canvas(image, extents, seed)
    _, comp = outpaint_masks(image.shape[:2], extents, overlap)
    box, size = _box_and_size(comp, area, padding, native, whole_size)
    return _finish_plan(canvas, comp, box, size, None, match_colors, False)
