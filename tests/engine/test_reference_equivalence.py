"""The studio gives the same pixels as diffusers' own pipelines called directly.

The reference builds StableDiffusion(Img2Img|Inpaint)Pipeline from the same loaded components
with a scheduler made here from diffusers' classes (not the studio's table), draws the noise
from a CPU generator seeded with the job's seed (as the studio does) and converts to pixels
with diffusers' own PIL output. Inpaint in "whole picture" mode is the diffusers inpaint of the
latent-cell-aligned mask followed by the documented composite
`round(orig * (1 - a) + gen * a)`, a = composite_mask(mask, grow, blur) / 255.

Tolerance: none; every comparison is bit-identical. (Ancestral samplers are not used for the
4-channel inpaint reference: the studio hands diffusers zero masked-image latents instead of
letting it VAE-encode them, and that encode would draw from the generator, shifting the
ancestral noise stream; the 4-channel UNet never reads those latents.)
"""

from __future__ import annotations

import numpy as np
import pytest
import torch
from diffusers import (
    DDIMScheduler,
    DPMSolverMultistepScheduler,
    EulerAncestralDiscreteScheduler,
    EulerDiscreteScheduler,
    StableDiffusionImg2ImgPipeline,
    StableDiffusionInpaintPipeline,
    StableDiffusionPipeline,
)
from PIL import Image

from studio.core.inpaint.masks import composite_mask
from studio.core.params import GenerationParams
from studio.engine.models.tiny import SCHEDULER_CONFIG
from tests.engine.test_inpaint_propagation import formula
from tests.helpers import box_mask, noise_image

BASE = GenerationParams(
    prompt="castle on a cliff", negative="blurry", model="tiny", steps=3, width=64, height=64,
    seed=21, cfg=6.0,
)  # fmt: skip

REFERENCE_SCHEDULERS = {
    "Euler a": lambda: EulerAncestralDiscreteScheduler.from_config(SCHEDULER_CONFIG),
    "Euler": lambda: EulerDiscreteScheduler.from_config(SCHEDULER_CONFIG),
    "DDIM": lambda: DDIMScheduler.from_config(SCHEDULER_CONFIG),
    "DPM++ 2M Karras": lambda: DPMSolverMultistepScheduler.from_config(
        SCHEDULER_CONFIG, algorithm_type="dpmsolver++", use_karras_sigmas=True
    ),
}


def _reference(engine, cls, params: GenerationParams, **kwargs) -> np.ndarray:
    components = dict(engine.load(params.model).base.components)
    components["scheduler"] = REFERENCE_SCHEDULERS[params.scheduler]()
    components["requires_safety_checker"] = False
    pipe = cls(**components)
    pipe.set_progress_bar_config(disable=True)
    with torch.no_grad():
        image = pipe(
            prompt=params.prompt,
            negative_prompt=params.negative,
            num_inference_steps=params.steps,
            guidance_scale=params.cfg,
            generator=torch.Generator("cpu").manual_seed(params.seed),
            output_type="pil",
            **kwargs,
        ).images[0]
    return np.asarray(image)


@pytest.mark.parametrize("scheduler", list(REFERENCE_SCHEDULERS))
def test_txt2img_equals_stable_diffusion_pipeline(engine, scheduler):
    params = BASE.replace(scheduler=scheduler, width=64, height=48)
    ours = engine.generate(params)[0].image
    ref = _reference(engine, StableDiffusionPipeline, params, width=64, height=48)
    assert np.array_equal(ours, ref)


@pytest.mark.parametrize("scheduler", ["Euler a", "DPM++ 2M Karras"])
def test_img2img_equals_img2img_pipeline(engine, scheduler):
    source = noise_image(64, 64, seed=2)
    params = BASE.replace(mode="img2img", scheduler=scheduler, strength=0.6, steps=5)
    ours = engine.generate(params, image=source)[0].image
    ref = _reference(
        engine, StableDiffusionImg2ImgPipeline, params, image=Image.fromarray(source), strength=0.6
    )
    assert np.array_equal(ours, ref)


def _latent_cells(comp: np.ndarray) -> np.ndarray:
    """255 on every 8x8 cell the composite mask touches: the mask the model denoises."""
    cells = (comp > 0).reshape(comp.shape[0] // 8, 8, comp.shape[1] // 8, 8).any(axis=(1, 3))
    return np.where(np.kron(cells, np.ones((8, 8), bool)), 255, 0).astype(np.uint8)


@pytest.mark.parametrize(
    ("model", "scheduler", "strength"),
    [("tiny", "Euler", 0.7), ("tiny", "DPM++ 2M Karras", 0.7), ("tiny-inpaint", "Euler a", 1.0)],
)
def test_whole_picture_inpaint_is_diffusers_inpaint_then_the_composite(
    engine, model, scheduler, strength
):
    source = noise_image(64, 64, seed=3)
    mask = box_mask(64, 64, (13, 17, 45, 41))
    params = BASE.replace(
        mode="inpaint", model=model, scheduler=scheduler, strength=strength, mask_blur=3,
        inpaint_area="whole",
    )  # fmt: skip
    ours = engine.generate(params, image=source, mask=mask)[0].image
    comp = composite_mask(mask, 0, 3)
    generated = _reference(
        engine, StableDiffusionInpaintPipeline, params, image=Image.fromarray(source),
        mask_image=Image.fromarray(_latent_cells(comp)), width=64, height=64, strength=strength,
    )  # fmt: skip
    assert np.array_equal(ours, formula(source, generated, comp))
    assert not np.array_equal(ours, source)
