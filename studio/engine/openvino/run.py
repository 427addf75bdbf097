"""One image on OpenVINO, with the torch path's previews, step reports, cancel and decode."""

from __future__ import annotations

import threading
import time
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
from studio.engine.previews import X0Tap
from studio.engine.prompt_encoding import encode_prompts
from studio.engine.runner import to_uint8
from studio.engine.schedulers import make_scheduler
from studio.engine.types import StepCallback, StepReport, check_cancel


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
        tap = X0Tap(pipe.scheduler)
        started = time.perf_counter()

        def on_step_end(pipeline: Any, index: int, _timestep: Any, _kwargs: dict) -> dict:
            if self.on_step is not None:
                preview = None
                if self.previewer is not None and tap.latest is not None:
                    preview = self.previewer(tap.latest)
                self.on_step(
                    StepReport(
                        image_index=self.image_index,
                        image_count=self.image_count,
                        step=index + 1,
                        total=int(getattr(pipeline, "_num_timesteps", 0) or params.steps),
                        preview=preview,
                        elapsed=time.perf_counter() - started,
                    )
                )
            check_cancel(self.cancel)  # before the next UNet call and before the decode
            return {}

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
