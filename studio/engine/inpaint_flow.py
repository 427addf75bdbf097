"""Inpaint and outpaint through the engine's diffusion run: plan, render once, composite back.

The engine calls `inpaint_image(run, params, image, mask)` / `outpaint_image(run, params, image)`.
`run` is the engine's per-image diffusion callable (studio.engine.runner.DiffusionRun): it
renders `run("inpaint", width=, height=, image=, mask=, box=)` with the job's seed, previews and
cancel. 4-channel models get diffusers' latent blending; 9-channel inpainting models get the
masked image natively. Either way the result goes through `InpaintPlan.finish`, so every pixel
where the composite mask is 0 comes back bit-identical, alpha included.

Parameters used: padding, mask_blur, inpaint_area, extend, strength, seed, and width x height
as the processing size (the model's native size unless the user set --size). Optional, in
`params.extra`: mask_grow (px, negative shrinks; default 0), color_match (bool, default False),
overlap (outpaint band, px; default max(16, 4 * mask_blur)), masked_content
("auto" | "original" | "fill"; auto fills the hole on 4-channel models at strength >= 0.95),
keep_alpha (bool: keep the original alpha inside the mask; default False).
"""

from __future__ import annotations

import dataclasses
from typing import Any

import numpy as np

from studio.core.errors import ParamsError
from studio.core.inpaint.geometry import render_size
from studio.core.inpaint.outpaint import default_overlap
from studio.core.inpaint.plan import InpaintPlan, plan_inpaint, plan_outpaint
from studio.core.params import GenerationParams
from studio.engine.types import StepReport

MASKED_CONTENT = ("auto", "original", "fill")
FILL_STRENGTH = 0.95
PREVIEW_MAX_SIDE = 512


@dataclasses.dataclass(frozen=True)
class InpaintOptions:
    """The inpaint knobs beyond GenerationParams' own fields (read from params.extra)."""

    grow: int = 0
    color_match: bool = False
    overlap: int | None = None
    masked_content: str = "auto"
    keep_alpha: bool = False

    @classmethod
    def from_params(cls, params: GenerationParams) -> InpaintOptions:
        extra = params.extra or {}
        try:
            options = cls(
                grow=int(extra.get("mask_grow", 0)),
                color_match=_as_bool(extra.get("color_match", False)),
                overlap=None if extra.get("overlap") is None else int(extra["overlap"]),
                masked_content=str(extra.get("masked_content", "auto")),
                keep_alpha=_as_bool(extra.get("keep_alpha", False)),
            )
        except (TypeError, ValueError) as exc:
            raise ParamsError(f"bad inpaint option in {extra!r}: {exc}") from exc
        if not -256 <= options.grow <= 256:
            raise ParamsError(f"mask grow must be -256 to 256 pixels, got {options.grow}")
        if options.overlap is not None and not 0 <= options.overlap <= 1024:
            raise ParamsError(f"outpaint overlap must be 0 to 1024 pixels, got {options.overlap}")
        if options.masked_content not in MASKED_CONTENT:
            raise ParamsError(
                f"masked content must be one of {', '.join(MASKED_CONTENT)}, "
                f"got {options.masked_content!r}"
            )
        return options


def _as_bool(value: Any) -> bool:
    if isinstance(value, str):
        lowered = value.strip().lower()
        if lowered in ("1", "true", "yes", "on"):
            return True
        if lowered in ("0", "false", "no", "off", ""):
            return False
        raise ValueError(f"{value!r} is not yes/no")
    return bool(value)


def _processing_size(params: GenerationParams) -> tuple[int, int]:
    return int(params.width), int(params.height)


def _whole_size(params: GenerationParams, canvas_hw: tuple[int, int]) -> tuple[int, int]:
    """Whole picture: the processing size's pixel count at the picture's own aspect."""
    h, w = canvas_hw
    return render_size((w, h), _processing_size(params))


def _fills_hole(run: Any, params: GenerationParams, options: InpaintOptions) -> bool:
    if options.masked_content != "auto":
        return options.masked_content == "fill"
    return not run.model.is_inpainting_model and float(params.strength) >= FILL_STRENGTH


def inpaint_image(
    run: Any, params: GenerationParams, image: np.ndarray, mask: np.ndarray
) -> np.ndarray:
    """Repaint the masked part of `image` (uint8 RGB/RGBA); the same shape comes back."""
    options = InpaintOptions.from_params(params)
    plan = plan_inpaint(
        image,
        mask,
        native=_processing_size(params),
        padding=params.padding,
        blur=params.mask_blur,
        grow=options.grow,
        area=params.inpaint_area,
        fill_seed=params.seed if _fills_hole(run, params, options) else None,
        match_colors=options.color_match,
        keep_alpha=options.keep_alpha,
        whole_size=_whole_size(params, image.shape[:2]),
    )
    return render_plan(run, plan)


def outpaint_image(run: Any, params: GenerationParams, image: np.ndarray) -> np.ndarray:
    """Extend `image` by params.extend (L, T, R, B) and paint the new border seamlessly."""
    options = InpaintOptions.from_params(params)
    left, top, right, bottom = params.extend
    canvas_hw = (image.shape[0] + top + bottom, image.shape[1] + left + right)
    overlap = options.overlap if options.overlap is not None else default_overlap(params.mask_blur)
    plan = plan_outpaint(
        image,
        params.extend,
        native=_processing_size(params),
        seed=params.seed,
        padding=params.padding,
        overlap=overlap,
        area=params.inpaint_area,
        match_colors=options.color_match,
        whole_size=_whole_size(params, canvas_hw),
    )
    return render_plan(run, plan)


def render_plan(run: Any, plan: InpaintPlan) -> np.ndarray:
    """Render the plan's context box once with the engine's run, then composite it back."""
    if run.on_step is not None:
        run = dataclasses.replace(run, on_step=_masked_previews(run.on_step, plan))
    width, height = plan.render_size
    rendered = run(
        "inpaint",
        width=width,
        height=height,
        image=plan.image,
        mask=plan.mask,
        box=plan.box.as_tuple(),
    )
    return plan.finish(rendered)


def _masked_previews(on_step: Any, plan: InpaintPlan) -> Any:
    """Previews show the render inside the mask only, over the original, for `plan.box`."""
    width, height = plan.render_size
    scale = min(1.0, PREVIEW_MAX_SIDE / max(width, height))
    size = (max(1, round(width * scale)), max(1, round(height * scale)))

    def report(step: StepReport) -> None:
        preview = step.preview
        if preview is not None:
            preview = plan.preview(preview, size)
        on_step(dataclasses.replace(step, preview=preview, box=plan.box.as_tuple()))

    return report
