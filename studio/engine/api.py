"""The engine's public surface: one Engine object owns the loaded model and runs every job.

Contract (stable; the CLI, the job worker and tests rely on it):

    engine = Engine(settings)                      # cheap; nothing loads until needed
    engine.load(model="tiny", device="auto", dtype="auto")   # optional preload
    results = engine.generate(params, image=None, mask=None,
                              on_step=callback, on_result=callback, cancel=event)
    big = engine.upscale(image, upscaler="lanczos", scale=4, tile=512, on_tile=cb, cancel=event)

- backend (Engine(settings, backend=...), else settings.json's): torch runs PyTorch; auto runs
  OpenVINO where studio.engine.openvino.availability.auto_backend says it pays off;
  openvino runs what it can on the OpenVINO export of the model (studio.engine.openvino) and
  the rest on PyTorch after a notice. engine.load_for(params) loads what params will run on.

- params: studio.core.params.GenerationParams (mode txt2img | img2img | inpaint | outpaint).
- image: uint8 (H, W, 3|4) numpy array; mask: uint8 (H, W), 255 = repaint.
- on_step(StepReport) is called once per denoising step, from the calling thread;
  on_result(GenerationResult) once per finished image (count > 1 streams them).
- cancel: threading.Event; when set, generate raises studio.core.errors.Cancelled within one
  step, before the VAE decode, and returns nothing.
- Results carry the exact params used (count=1, the image's own seed).
"""

from __future__ import annotations

import gc
import threading
from collections.abc import Callable
from typing import Any

import numpy as np

from studio.core.errors import InputImageError, ModelError
from studio.core.failures import is_out_of_memory
from studio.core.params import GenerationParams
from studio.core.settings import BACKENDS, Settings
from studio.engine.smooth_start import quiet_gc
from studio.engine.types import (
    GenerationResult,
    ResultCallback,
    StepCallback,
    TileCallback,
    check_cancel,
)

PREVIEW_METHODS = ("latent", "taesd", "off")


class Engine:
    """Owns at most one loaded model and runs generation jobs on it. Not thread-safe by design:
    one worker thread (or the CLI's main thread) drives it."""

    def __init__(
        self,
        settings: Settings | None = None,
        preview_method: str = "latent",
        vae: str | None = None,
        backend: str | None = None,
        on_status: Callable[[str], None] | None = None,
    ) -> None:
        if preview_method not in PREVIEW_METHODS:
            raise ValueError(f"preview_method must be one of {PREVIEW_METHODS}")
        self.settings = settings if settings is not None else Settings.load()
        self.backend = backend or self.settings.backend  # auto | torch | openvino
        if self.backend not in BACKENDS:
            raise ValueError(f"backend must be one of {BACKENDS}")
        # Slow preparations (an OpenVINO export) report their stage here.
        self.on_status = on_status
        self._openvino: Any = None  # studio.engine.openvino.backend.OpenVinoBackend
        self.preview_method = preview_method
        self.vae = vae  # a separate VAE for every model; else settings.json's per checkpoint
        self._model: Any = None  # LoadedModel
        self._vae_choice: tuple[str | None, Any] | None = None  # (name, resolved path)
        self._previewer: Any = None

    # -- models -------------------------------------------------------------------------
    def load(self, model: str = "tiny", device: str = "auto", dtype: str = "auto") -> Any:
        """Load model (no-op when it is already loaded on that device and dtype)."""
        from studio.engine.device import choose_dtype, pick_device
        from studio.engine.models.catalog import resolve_model
        from studio.engine.models.loader import load_model

        ref = resolve_model(model, self.settings.model_dirs)
        torch_device = pick_device(device)
        choice = choose_dtype(dtype, torch_device)
        torch_dtype = choice.torch_dtype
        current = self._model
        if not (
            current is not None
            and current.ref == ref
            and current.device == torch_device
            and current.dtype == torch_dtype
        ):
            # Load before letting go of the current model, so a file that fails to load leaves
            # the previous model usable. Where both do not fit, free the old one and try again.
            # No automatic collection pass mid-load (it stalls the window); unload's explicit
            # gc.collect() still runs.
            with quiet_gc():
                loaded = None
                try:
                    loaded = load_model(ref, torch_device, torch_dtype)
                except Exception as exc:
                    if current is None or not is_out_of_memory(exc):
                        raise
                if loaded is None:  # out of memory with the old model held
                    self.unload()
                    loaded = load_model(ref, torch_device, torch_dtype)
            previewer = self._make_previewer(loaded)
            self.unload()
            self._model, self._previewer = loaded, previewer
        self._model.dtype_reason = choice.reason
        self._apply_vae(self._model)
        return self._model

    def load_for(self, params: GenerationParams) -> Any:
        """The model params will run on: its OpenVINO export (made now, once, if the backend is
        openvino and the job suits it) or the PyTorch model. Both tell native_size and ref."""
        from studio.engine.prompt_extras import PromptExtras

        params = params.validated()
        extras = PromptExtras(self.settings)
        ref = self._openvino_ref(params, extras, extras.images(params))
        if ref is not None:
            return self._openvino.load(ref, params.dtype, self.on_status)
        return self.load(params.model, params.device, params.dtype)

    def _apply_vae(self, model: Any) -> None:
        from studio.engine.models.vae import apply_vae, configured_vae, resolve_vae

        name = self.vae or configured_vae(model.ref.name)
        if self._vae_choice is None or self._vae_choice[0] != name:
            path = resolve_vae(name, self.settings.model_dirs) if name else None
            self._vae_choice = (name, path)
        apply_vae(model, self._vae_choice[1])

    def warm_up(self) -> None:
        """Build every mode's pipeline now (~300 diffusers imports), not on the first job."""
        if self._model is None:
            return
        with quiet_gc():
            for mode in ("txt2img", "img2img", "inpaint"):
                self._model.pipeline(mode)

    def unload(self) -> None:
        if self._openvino is not None:
            self._openvino.unload()
        if self._model is None:
            return
        self._model = None
        self._previewer = None
        from studio.engine.tiny_vae import clear_cache as clear_tiny_vae
        from studio.engine.upscale.loading import clear_cache

        clear_cache()
        clear_tiny_vae()
        gc.collect()
        import torch

        if torch.cuda.is_available():
            torch.cuda.empty_cache()

    def release_memory(self) -> None:
        """Return cached memory after a failed job (the loaded model stays)."""
        gc.collect()
        import torch

        if torch.cuda.is_available():
            torch.cuda.empty_cache()

    @property
    def loaded(self) -> Any:
        return self._model

    def list_models(self) -> list[Any]:
        from studio.engine.models.catalog import list_models

        return list_models(self.settings.model_dirs)

    def _make_previewer(self, model: Any) -> Any:
        from studio.engine.previews import LatentPreviewer, load_taesd_previewer

        if self.preview_method == "off":
            return None
        if self.preview_method == "taesd":
            taesd = load_taesd_previewer(model)
            if taesd is not None:
                return taesd
        return LatentPreviewer(model.family)

    # -- generation ---------------------------------------------------------------------
    def generate(
        self,
        params: GenerationParams,
        image: np.ndarray | None = None,
        mask: np.ndarray | None = None,
        *,
        on_step: StepCallback | None = None,
        on_result: ResultCallback | None = None,
        cancel: threading.Event | None = None,
    ) -> list[GenerationResult]:
        """Render params.count images (seeds seed, seed+1, ...). See the module docstring."""
        from studio.engine.inpaint_flow import inpaint_image, outpaint_image
        from studio.engine.models.hashing import with_model_hashes
        from studio.engine.prompt_extras import PromptExtras
        from studio.engine.runner import DiffusionRun

        params = params.validated()
        _check_inputs(params, image, mask)
        check_cancel(cancel)
        extras = PromptExtras(self.settings)
        images = extras.images(params)
        ref = self._openvino_ref(params, extras, images)
        if ref is not None:
            return self._openvino.generate(
                images,
                ref,
                image,
                make_previewer=self._make_previewer,
                on_step=on_step,
                on_result=on_result,
                cancel=cancel,
                on_status=self.on_status,
            )
        model = self.load(params.model, params.device, params.dtype)
        results: list[GenerationResult] = []
        for index, planned in enumerate(images):
            one = with_model_hashes(extras.prepare(model, planned), model)
            if hasattr(self._previewer, "reset"):
                self._previewer.reset()  # a throttled previewer budgets per image
            run = DiffusionRun(
                model=model,
                params=one,
                previewer=self._previewer if on_step is not None else None,
                on_step=on_step,
                cancel=cancel,
                image_index=index,
                image_count=len(images),
                embeddings=extras.embeddings(model),
            )
            if one.mode == "txt2img":
                pixels = run("txt2img", width=one.width, height=one.height)
            elif one.mode == "img2img":
                pixels = run("img2img", width=one.width, height=one.height, image=_fit(image, one))
            elif one.mode == "inpaint":
                pixels = inpaint_image(run, one, image, mask)
            else:
                pixels = outpaint_image(run, one, image)
            result = GenerationResult(image=pixels, params=one)
            results.append(result)
            if on_result is not None:
                on_result(result)
        return results

    def _openvino_ref(
        self, params: GenerationParams, extras: Any, images: list[GenerationParams]
    ) -> Any:
        """The model to run on OpenVINO, or None: the torch path (after a fallback notice)."""
        if self.backend == "torch":
            return None
        from studio.engine.device import pick_device
        from studio.engine.models.catalog import resolve_model
        from studio.engine.models.vae import configured_vae
        from studio.engine.openvino.availability import (
            auto_backend,
            openvino_status,
            require_openvino,
        )
        from studio.engine.openvino.backend import OpenVinoBackend

        chosen = self.backend == "openvino"
        if chosen:
            require_openvino()
        elif not openvino_status()[0]:  # auto without the extra: PyTorch, nothing to resolve
            return None
        ref = resolve_model(params.model, self.settings.model_dirs)
        if not chosen and auto_backend(pick_device(params.device).type, ref.kind)[0] != "openvino":
            return None
        if self._openvino is None:
            self._openvino = OpenVinoBackend()
        vae = self.vae or configured_vae(ref.name)
        embeddings = any(extras.names_embeddings(one) for one in images)
        # "auto" falls back without a notice: the user did not ask for OpenVINO.
        return None if self._openvino.plan(params, ref, vae, embeddings, notify=chosen) else ref

    # -- upscaling ----------------------------------------------------------------------
    def upscale(
        self,
        image: np.ndarray,
        upscaler: str = "lanczos",
        scale: float | None = None,
        tile: int = 512,
        *,
        device: str = "auto",
        on_tile: TileCallback | None = None,
        cancel: threading.Event | None = None,
    ) -> np.ndarray:
        """Upscale with Lanczos or an upscaler model (a path or a name in upscaler_dirs)."""
        from studio.engine.upscale import upscale_image

        return upscale_image(
            image,
            upscaler=upscaler,
            scale=scale,
            tile=tile,
            device=device,
            on_tile=on_tile,
            cancel=cancel,
            dirs=self.settings.upscaler_dirs,
        )

    def detail_upscale(
        self,
        image: np.ndarray,
        params: GenerationParams,
        upscaler: str = "lanczos",
        scale: float = 2.0,
        tile: int = 512,
        *,
        on_tile: TileCallback | None = None,
        on_step: StepCallback | None = None,
        cancel: threading.Event | None = None,
    ) -> np.ndarray:
        """Upscale, then repaint detail with tiled img2img (params: model, prompt, steps...)."""
        from studio.engine.upscale.detail import detail_upscale, engine_img2img

        return detail_upscale(
            image,
            engine_img2img(self, params, on_step=on_step, cancel=cancel),
            upscaler=upscaler,
            scale=scale,
            tile=tile,
            device=params.device,
            dirs=self.settings.upscaler_dirs,
            on_tile=on_tile,
            cancel=cancel,
        )


def _fit(image: np.ndarray, params: GenerationParams) -> np.ndarray:
    """The init image at the render size (img2img renders at params' width x height)."""
    from PIL import Image

    if image.shape[1] == params.width and image.shape[0] == params.height:
        return image[..., :3]
    resized = Image.fromarray(image[..., :3]).resize((params.width, params.height), Image.LANCZOS)
    return np.asarray(resized)


def _check_inputs(
    params: GenerationParams, image: np.ndarray | None, mask: np.ndarray | None
) -> None:
    if params.mode == "txt2img":
        return
    if image is None:
        raise InputImageError(f"{params.mode} needs an input image; give one with -i IMAGE")
    if image.dtype != np.uint8 or image.ndim != 3 or image.shape[2] not in (3, 4):
        raise InputImageError("the input image must be 8-bit RGB or RGBA")
    if params.mode == "inpaint":
        if mask is None:
            raise InputImageError(
                "inpaint needs a mask; give one with --mask MASK (white = repaint)"
            )
        if mask.shape != image.shape[:2]:
            raise InputImageError(
                f"the mask is {mask.shape[1]}x{mask.shape[0]} but the image is "
                f"{image.shape[1]}x{image.shape[0]}; they must be the same size"
            )
        if not mask.any():
            raise InputImageError("the mask is empty (all black); paint white where to repaint")
    if params.mode == "outpaint" and not any(params.extend):
        raise InputImageError("outpaint needs --extend L,T,R,B with at least one side above 0")


__all__ = ["PREVIEW_METHODS", "Engine", "ModelError"]
