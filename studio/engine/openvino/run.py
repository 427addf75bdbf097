"""One image on OpenVINO, with the torch path's previews, step reports, cancel and decode."""

from __future__ import annotations

import threading
from dataclasses import dataclass
from typing import Any

import numpy as np
import torch
from PIL import Image

from studio.core.params import GenerationParams
from studio.engine.decode import latents_to_images
from studio.engine.openvino.infer_cancel import bind_cancel
from studio.engine.openvino.runtime import OpenVinoModel, Shape
from studio.engine.output_check import require_finite
from studio.engine.prompt_encoding import encode_prompts
from studio.engine.runner import step_callback, to_uint8
from studio.engine.schedulers import make_scheduler
from studio.engine.types import StepCallback, check_cancel


@dataclass
class OpenVinoRun:
    """Like studio.engine.runner.DiffusionRun, for txt2img and img2img on an OpenVinoModel."""

    model: OpenVinoModel
    params: GenerationParams
    previewer: Any | None
    on_step: StepCallback | None
    cancel: threading.Event | None
    image_index: int = 0
    image_count: int = 1

    def __call__(self, mode: str, *, image: np.ndarray | None = None) -> np.ndarray:
        check_cancel(self.cancel)
        params = self.params
        base = self.model.base
        bind_cancel(base, self.cancel)
        with torch.inference_mode():
            embeds = encode_prompts(base, params.prompt, params.negative)
        guided = params.cfg > 1.0 and base.unet.config.get("time_cond_proj_dim") is None
        shape = Shape(params.width, params.height, guided, int(embeds["prompt_embeds"].shape[1]))
        pipe = self.model.pipeline(mode, shape, self.cancel)
        pipe.scheduler = make_scheduler(params.scheduler, self.model.scheduler_config)
        on_step_end = step_callback(
            pipe.scheduler,
            previewer=self.previewer,
            on_step=self.on_step,
            cancel=self.cancel,
            steps=params.steps,
            image_index=self.image_index,
            image_count=self.image_count,
        )

        kwargs: dict[str, Any] = {
            **embeds,
            "num_inference_steps": params.steps,
            "guidance_scale": params.cfg,
            "generator": torch.Generator("cpu").manual_seed(params.seed),
            "output_type": "latent",
            "callback_on_step_end": on_step_end,
        }
        if mode == "txt2img":
            kwargs.update(width=params.width, height=params.height)
        else:
            kwargs.update(image=Image.fromarray(image[..., :3]), strength=params.strength)
        with torch.inference_mode():
            latents = pipe(**kwargs).images
            images = latents_to_images(pipe, latents)
        return to_uint8(require_finite(images[0]))
