"""The Engine's OpenVINO side: choose it per job, export and load the model, run the images.

Engine.generate asks `plan()` first; a reason means the job runs on PyTorch after a notice.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import torch

from studio.core.notices import notice
from studio.core.params import GenerationParams
from studio.engine.openvino.export import Exported, ensure_exported
from studio.engine.openvino.fallback import FALLBACK_NOTICE, job_reason, model_reason
from studio.engine.openvino.runtime import OpenVinoModel
from studio.engine.types import GenerationResult, ResultCallback, StepCallback

log = logging.getLogger(__name__)
StatusCallback = Callable[[str], None]
# --dtype -> OpenVINO's inference precision hint; auto leaves OpenVINO's own choice (bf16 on
# CPUs with native bf16, else f32).
PRECISION_HINTS = {"float32": "f32", "bfloat16": "bf16", "float16": "f16"}


@dataclass
class PreviewModel:
    """What the previewers need to know about a model (studio.engine.previews)."""

    family: str
    device: torch.device = field(default_factory=lambda: torch.device("cpu"))
    dtype: torch.dtype = torch.float32


class OpenVinoBackend:
    """Holds at most one exported model, loaded and compiled, between jobs."""

    def __init__(self) -> None:
        self.model: OpenVinoModel | None = None
        self._key: tuple[str, str] | None = None
        self._model_reasons: dict[Any, str | None] = {}
        self.last_export: Exported | None = None

    def plan(
        self,
        params: GenerationParams,
        ref: Any,
        vae: str | None,
        embeddings: bool,
        notify: bool = True,
    ) -> str | None:
        """None when this job can run on OpenVINO; else why not (and, with notify, a notice)."""
        from studio.engine.device import pick_device

        reason = job_reason(params, pick_device(params.device))
        if reason is None and vae:
            reason = "a separate VAE is not supported yet"
        if reason is None and embeddings:
            reason = "textual-inversion embeddings are not supported yet"
        if reason is None:
            if ref not in self._model_reasons:
                self._model_reasons[ref] = model_reason(ref)
            reason = self._model_reasons[ref]
        if reason is not None and notify:
            notice(FALLBACK_NOTICE.format(reason=reason))
        return reason

    def load(
        self,
        ref: Any,
        dtype: str,
        on_status: StatusCallback | None = None,
        cancel: threading.Event | None = None,
    ) -> OpenVinoModel:
        """The model exported (once) and loaded, for this precision."""
        exported = ensure_exported(ref, on_stage=on_status, cancel=cancel)
        if exported.exported:
            self.last_export = exported
            done = (
                f"exported {ref.name} to OpenVINO in {exported.seconds:.0f} s (peak memory "
                f"{exported.peak_bytes / 2**30:.1f} GiB) into {exported.folder}"
            )
            log.info(done)
            if on_status is not None:
                on_status(done)
        key = (str(exported.folder), dtype)
        if self.model is None or self._key != key:
            self.model = None
            if on_status is not None:
                on_status(f"loading {ref.name} (OpenVINO)")
            hint = PRECISION_HINTS.get(dtype)
            config = {"INFERENCE_PRECISION_HINT": hint} if hint else None
            self.model = OpenVinoModel.load(exported.folder, ref.name, config)
            self.model.ref = ref
            self._key = key
        return self.model

    def unload(self) -> None:
        self.model, self._key = None, None

    def generate(
        self,
        images: list[GenerationParams],
        ref: Any,
        image: np.ndarray | None,
        *,
        make_previewer: Callable[[Any], Any],
        on_step: StepCallback | None,
        on_result: ResultCallback | None,
        cancel: threading.Event | None,
        on_status: StatusCallback | None = None,
    ) -> list[GenerationResult]:
        """Render the planned images (count 1 each) of one job."""
        from studio.engine.api import _fit
        from studio.engine.models.hashing import with_model_hashes
        from studio.engine.openvino.run import OpenVinoRun

        model = self.load(ref, images[0].dtype, on_status, cancel)
        previewer = make_previewer(PreviewModel(model.family)) if on_step is not None else None
        results: list[GenerationResult] = []
        for index, planned in enumerate(images):
            one = with_model_hashes(planned, model)
            if hasattr(previewer, "reset"):
                previewer.reset()
            run = OpenVinoRun(
                model=model,
                params=one,
                previewer=previewer,
                on_step=on_step,
                cancel=cancel,
                image_index=index,
                image_count=len(images),
            )
            if one.mode == "txt2img":
                pixels = run("txt2img")
            else:
                pixels = run("img2img", image=_fit(image, one))
            result = GenerationResult(image=pixels, params=one)
            results.append(result)
            if on_result is not None:
                on_result(result)
        return results
