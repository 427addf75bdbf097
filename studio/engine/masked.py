"""Inpaint and outpaint flows (basic whole-picture version; studio/engine/inpaint refines it)."""

from __future__ import annotations

import numpy as np
from PIL import Image, ImageFilter

from studio.core.params import GenerationParams
from studio.engine.runner import DiffusionRun


def _resize(pixels: np.ndarray, width: int, height: int) -> np.ndarray:
    if pixels.shape[1] == width and pixels.shape[0] == height:
        return pixels
    return np.asarray(Image.fromarray(pixels).resize((width, height), Image.LANCZOS))


def composite(original: np.ndarray, generated: np.ndarray, weight: np.ndarray) -> np.ndarray:
    """Blend generated RGB into original where weight (uint8) > 0; elsewhere keep it exactly."""
    out = original.copy()
    alpha = weight.astype(np.float32)[..., None] / 255.0
    touched = weight > 0
    rgb = original[..., :3].astype(np.float32) * (1 - alpha) + generated.astype(np.float32) * alpha
    out[..., :3][touched] = np.round(rgb[touched]).astype(np.uint8)
    return out


def inpaint_image(
    run: DiffusionRun, params: GenerationParams, image: np.ndarray, mask: np.ndarray
) -> np.ndarray:
    height, width = image.shape[:2]
    rendered = run(
        "inpaint",
        width=params.width,
        height=params.height,
        image=_resize(image[..., :3], params.width, params.height),
        mask=_resize(mask, params.width, params.height),
    )
    generated = _resize(rendered, width, height)
    weight = mask
    if params.mask_blur:
        blurred = Image.fromarray(mask).filter(ImageFilter.GaussianBlur(params.mask_blur))
        weight = np.maximum(np.asarray(blurred), mask)
    return composite(image, generated, weight)


def outpaint_image(run: DiffusionRun, params: GenerationParams, image: np.ndarray) -> np.ndarray:
    left, top, right, bottom = params.extend
    pad = ((top, bottom), (left, right)) + ((0, 0),) * (image.ndim - 2)
    canvas = np.pad(image, pad, mode="edge")
    mask = np.full(canvas.shape[:2], 255, np.uint8)
    mask[top : top + image.shape[0], left : left + image.shape[1]] = 0
    return inpaint_image(run, params, canvas, mask)
