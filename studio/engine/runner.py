"""One diffusers call with live previews and cancel: the engine's inner loop."""

from __future__ import annotations

import threading
import time
from dataclasses import dataclass
from typing import Any

import numpy as np
import torch
from PIL import Image

from studio.core.params import GenerationParams
from studio.engine.cancel_hooks import cancel_inside, pipeline_modules
from studio.engine.decode import latents_to_images
from studio.engine.models.loader import LoadedModel
from studio.engine.output_check import require_finite
from studio.engine.previews import X0Tap
from studio.engine.prompt_encoding import encode_prompts
from studio.engine.schedulers import make_scheduler
from studio.engine.types import StepCallback, StepReport, check_cancel
from studio.engine.variation import variation_kwargs


def step_callback(
    scheduler: Any,
    *,
    previewer: Any | None,
    on_step: StepCallback | None,
    cancel: threading.Event | None,
    steps: int,
    image_index: int,
    image_count: int,
    box: tuple[int, int, int, int] | None = None,
) -> Any:
    """diffusers' callback_on_step_end: a StepReport with a preview of x0 after every step,
    then the cancel check. Taps `scheduler` for x0, so call it after the scheduler is set."""
    tap = X0Tap(scheduler)
    started = time.perf_counter()

    def on_step_end(pipeline: Any, index: int, _timestep: Any, _kwargs: dict) -> dict:
        if on_step is not None:
            preview = None
            if previewer is not None and tap.latest is not None:
                preview = previewer(tap.latest)
            on_step(
                StepReport(
                    image_index=image_index,
                    image_count=image_count,
                    step=index + 1,
                    total=int(getattr(pipeline, "_num_timesteps", 0) or steps),
                    preview=preview,
                    elapsed=time.perf_counter() - started,
                    box=box,
                )
            )
        # Raising here stops before the next UNet call and before the VAE decode.
        check_cancel(cancel)
        return {}

    return on_step_end


def to_uint8(images: np.ndarray) -> np.ndarray:
    """diffusers' float [0, 1] output to uint8, rounding exactly as diffusers' numpy_to_pil does."""
    return (np.clip(images, 0.0, 1.0) * 255).round().astype(np.uint8)


@dataclass
class DiffusionRun:
    """Runs diffusion for one image of a job: the seed, previews and cancel are fixed here.

    Callable as run(mode, width=..., height=..., image=..., mask=..., strength=..., box=...):
    mode is txt2img | img2img | inpaint; image is uint8 RGB (H, W, 3); mask uint8 (H, W).
    `box` tells the UI where in the final image this render's previews belong.
    """

    model: LoadedModel
    params: GenerationParams
    previewer: Any | None
    on_step: StepCallback | None
    cancel: threading.Event | None
    image_index: int = 0
    image_count: int = 1
    embeddings: Any | None = None  # textual-inversion lookup for the prompt encoder

    def __call__(
        self,
        mode: str,
        *,
        width: int,
        height: int,
        image: np.ndarray | None = None,
        mask: np.ndarray | None = None,
        strength: float | None = None,
        box: tuple[int, int, int, int] | None = None,
    ) -> np.ndarray:
        check_cancel(self.cancel)
        if self.model.is_inpainting_model and mode != "inpaint":
            # 9-channel models paint a whole frame as an inpaint of everything (as A1111 does).
            image = image if image is not None else np.full((height, width, 3), 127, np.uint8)
            mask = np.full(image.shape[:2], 255, np.uint8)
            strength = 1.0 if mode == "txt2img" else strength
            mode = "inpaint"
        pipe = self.model.pipeline(mode)
        pipe.scheduler = make_scheduler(self.params.scheduler, self.model.scheduler_config)
        on_step_end = step_callback(
            pipe.scheduler,
            previewer=self.previewer,
            on_step=self.on_step,
            cancel=self.cancel,
            steps=self.params.steps,
            image_index=self.image_index,
            image_count=self.image_count,
            box=box,
        )

        kwargs: dict[str, Any] = {
            "num_inference_steps": self.params.steps,
            "guidance_scale": self.params.cfg,
            "generator": torch.Generator("cpu").manual_seed(self.params.seed),
            "output_type": "latent",  # decoded below: float32 retry on overflow, or TAESD
            "callback_on_step_end": on_step_end,
        }
        if mode == "txt2img":
            kwargs.update(width=width, height=height)
        else:
            kwargs["image"] = Image.fromarray(image[..., :3])
            kwargs["strength"] = self.params.strength if strength is None else strength
        if mode == "inpaint":
            kwargs.update(mask_image=Image.fromarray(mask), width=width, height=height)
            if not self.model.is_inpainting_model:
                # A 4-channel UNet never reads the masked-image latents: hand diffusers zeros
                # instead of letting it spend a VAE encode on them.
                scale = pipe.vae_scale_factor
                kwargs["masked_image_latents"] = torch.zeros(
                    (1, 4, height // scale, width // scale),
                    device=self.model.device,
                    dtype=self.model.dtype,
                )
        tiny_vae = None
        if self.params.decode == "fast":
            from studio.engine.tiny_vae import require_tiny_vae

            tiny_vae = require_tiny_vae(self.model)
        kwargs.update(
            variation_kwargs(pipe, self.params, mode, width, height, kwargs.get("strength"))
        )
        modules = pipeline_modules(pipe, (tiny_vae,))
        with torch.inference_mode(), cancel_inside(modules, self.cancel):
            kwargs.update(
                encode_prompts(
                    pipe, self.params.prompt, self.params.negative, find_embedding=self.embeddings
                )
            )
            latents = pipe(**kwargs).images
            images = latents_to_images(pipe, latents, tiny_vae)
        return to_uint8(require_finite(images[0]))
