"""An exported model loaded for inference: one set of compiled parts shared by every mode,
reshaped and compiled again only when the size, the CFG batch or the prompt length changes.

optimum-intel's static pipelines silently render at the compiled size whatever size is asked
for, so every call goes through `prepare()`, which makes the compiled shape the asked one.
"""

from __future__ import annotations

import json
import logging
import threading
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from studio.engine.openvino.infer_cancel import make_cancellable

log = logging.getLogger(__name__)
MODES = ("txt2img", "img2img")
SHARED_PARTS = ("unet", "vae_decoder", "vae_encoder", "text_encoder", "vae")


@dataclass(frozen=True)
class Shape:
    """What the compiled parts are specialised for."""

    width: int
    height: int
    guided: bool  # CFG > 1: the UNet runs the unconditional and conditional rows together
    tokens: int  # prompt length, in tokens (77 per chunk)


def family_of(folder: Path) -> str:
    """sd1 | sd2 | sdxl from the exported UNet's config."""
    index = json.loads((folder / "model_index.json").read_text(encoding="utf-8"))
    if "XL" in index.get("_class_name", ""):
        return "sdxl"
    config = json.loads((folder / "unet" / "config.json").read_text(encoding="utf-8"))
    return "sd2" if config.get("cross_attention_dim") == 1024 else "sd1"


@dataclass
class OpenVinoModel:
    """One exported model; `pipeline(mode, shape, cancel)` gives a pipeline ready to run."""

    folder: Path
    name: str
    family: str
    base: Any
    scheduler_config: dict[str, Any]
    ref: Any = None  # the ModelRef it was exported from (hashes, metadata)
    shape: Shape | None = None
    _pipes: dict[str, Any] = field(default_factory=dict)

    @classmethod
    def load(
        cls, folder: Path, name: str, ov_config: dict[str, str] | None = None
    ) -> OpenVinoModel:
        from optimum.intel import OVStableDiffusionPipeline

        base = OVStableDiffusionPipeline.from_pretrained(
            folder, compile=False, device="CPU", local_files_only=True, ov_config=ov_config
        )
        base.set_progress_bar_config(disable=True)
        # Static from the start: prompts are encoded (one 77-token chunk at a time) before the
        # first reshape, and a dynamic-shape compile rounds differently from the static one.
        tokens = int(base.tokenizer.model_max_length)
        base.text_encoder.model = base._reshape_text_encoder(base.text_encoder.model, 1, tokens)
        base.text_encoder.clear_requests()
        return cls(
            folder=folder,
            name=name,
            family=family_of(folder),
            base=base,
            scheduler_config=dict(base.scheduler.config),
            _pipes={"txt2img": base},
        )

    @property
    def native_size(self) -> int:
        """The side the model was trained at, as studio.engine.models.loader.LoadedModel says."""
        from studio.engine.models.mini import MINI_NAME

        kind, name = getattr(self.ref, "kind", ""), getattr(self.ref, "name", self.name)
        if kind == "builtin":
            return 64
        if name == MINI_NAME:
            config = json.loads((self.folder / "unet" / "config.json").read_text("utf-8"))
            return int(config.get("sample_size") or 0) * int(self.base.vae_scale_factor) or 64
        return 768 if self.family == "sd2" else 512

    def _mode_pipe(self, mode: str) -> Any:
        if mode not in self._pipes:
            from optimum.intel import OVStableDiffusionImg2ImgPipeline

            base = self.base
            # Built over the same IR without compiling or reshaping, then given the base's parts,
            # so img2img shares the compiled UNet/VAE instead of holding a second copy.
            pipe = OVStableDiffusionImg2ImgPipeline(
                scheduler=base.scheduler,
                unet=base.unet.model,
                vae_decoder=base.vae_decoder.model,
                vae_encoder=base.vae_encoder.model if base.vae_encoder is not None else None,
                text_encoder=base.text_encoder.model,
                tokenizer=base.tokenizer,
                model_save_dir=self.folder,
                compile=False,
                dynamic_shapes=False,
            )
            for name in SHARED_PARTS:
                setattr(pipe, name, getattr(base, name))
            pipe.set_progress_bar_config(disable=True)
            self._pipes[mode] = pipe
        return self._pipes[mode]

    def _reshape(self, shape: Shape) -> None:
        base = self.base
        base.reshape(batch_size=1, height=shape.height, width=shape.width, num_images_per_prompt=1)
        unet = base.unet.model
        wanted = {}
        for port in unet.inputs:
            partial = port.get_partial_shape()
            name = port.get_any_name()
            if name == "timestep":
                continue
            partial[0] = 2 if shape.guided else 1  # reshape() always assumes CFG's two rows
            if name == "encoder_hidden_states":
                partial[1] = shape.tokens
            wanted[port] = partial
        unet.reshape(wanted)
        base.clear_requests()

    def pipeline(self, mode: str, shape: Shape, cancel: threading.Event | None) -> Any:
        """The mode's pipeline compiled for shape (reshaped and recompiled only on a change)."""
        if mode not in MODES:
            raise ValueError(f"the OpenVINO backend runs {MODES}, not {mode!r}")
        if shape != self.shape:
            log.info("compiling the OpenVINO model for %s", shape)
            self.shape = None  # a failed compile must not leave a stale promise
            self._reshape(shape)
            self.shape = shape
        make_cancellable(self.base, cancel)
        return self._mode_pipe(mode)
