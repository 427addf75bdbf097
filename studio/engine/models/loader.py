"""Loading a model into pipelines once, and deriving every mode's pipeline from it (from_pipe)."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import torch

from studio.core.errors import ModelError
from studio.core.failures import first_line, is_out_of_memory
from studio.engine.memory_layout import prefer_channels_last
from studio.engine.models.catalog import ModelRef
from studio.engine.models.checkpoint_check import inspect_checkpoint
from studio.engine.models.mini import MINI_NAME

MODES = ("txt2img", "img2img", "inpaint")


@dataclass
class LoadedModel:
    """One model's components on one device, with a pipeline per mode sharing them."""

    ref: ModelRef
    family: str  # sd1 | sd2 | sdxl
    device: torch.device
    dtype: torch.dtype
    base: Any  # the first pipeline built; the others come from it with from_pipe
    scheduler_config: dict[str, Any] = field(default_factory=dict)
    dtype_reason: str = ""  # why this precision (see studio.engine.device.choose_dtype)
    _pipes: dict[str, Any] = field(default_factory=dict)

    @property
    def unet_in_channels(self) -> int:
        return int(self.base.unet.config.in_channels)

    @property
    def is_inpainting_model(self) -> bool:
        return self.unet_in_channels == 9

    @property
    def native_size(self) -> int:
        if self.ref.kind == "builtin":
            return 64
        if self.ref.name == MINI_NAME:  # trained at 64 px; its UNet config says 16 x 4
            return _config_size(self.base) or 64
        return 1024 if self.family == "sdxl" else 768 if self.family == "sd2" else 512

    def pipeline(self, mode: str) -> Any:
        """The pipeline for txt2img | img2img | inpaint, sharing components with the base."""
        if mode not in self._pipes:
            from diffusers import (
                AutoPipelineForImage2Image,
                AutoPipelineForInpainting,
                AutoPipelineForText2Image,
            )

            auto = {
                "txt2img": AutoPipelineForText2Image,
                "img2img": AutoPipelineForImage2Image,
                "inpaint": AutoPipelineForInpainting,
            }[mode]
            pipe = auto.from_pipe(self.base)
            pipe.set_progress_bar_config(disable=True)
            self._pipes[mode] = pipe
        return self._pipes[mode]


def _config_size(pipe: Any) -> int:
    """The UNet's sample size in pixels (0 when the config does not say)."""
    sample = getattr(pipe.unet.config, "sample_size", 0) or 0
    return int(sample) * int(getattr(pipe, "vae_scale_factor", 8))


def _family_from_pipeline(pipe: Any) -> str:
    name = type(pipe).__name__
    if "XL" in name:
        return "sdxl"
    cross = getattr(pipe.unet.config, "cross_attention_dim", 768)
    return "sd2" if cross == 1024 else "sd1"


def _load_single_file(path: Path, dtype: torch.dtype) -> Any:
    from studio.engine.models.single_file import load_single_file

    inspect_checkpoint(path)  # refuses damaged files, pickles that run code, non-models
    try:
        return load_single_file(path, dtype)
    except ModelError as exc:
        raise ModelError(f"could not load model {path.name!r}: {exc}") from exc


def _load_pretrained(location: str, dtype: torch.dtype, local_only: bool) -> Any:
    from diffusers import DiffusionPipeline

    return DiffusionPipeline.from_pretrained(
        location, torch_dtype=dtype, local_files_only=local_only
    )


def _hub_is_cached(repo_id: str) -> bool:
    from huggingface_hub import try_to_load_from_cache

    found = try_to_load_from_cache(repo_id, "model_index.json")
    return isinstance(found, str)


def _build_tiny(name: str, dtype: torch.dtype) -> Any:
    from diffusers import StableDiffusionInpaintPipeline, StableDiffusionPipeline

    from studio.engine.models.tiny import build_tiny_components

    components = build_tiny_components(name)
    cls = StableDiffusionInpaintPipeline if name == "tiny-inpaint" else StableDiffusionPipeline
    pipe = cls(**components)
    return pipe if dtype == torch.float32 else pipe.to(dtype=dtype)


def load_model(ref: ModelRef, device: torch.device, dtype: torch.dtype) -> LoadedModel:
    """Load ref onto device; every failure becomes a ModelError that says what to do."""
    try:
        if ref.kind == "builtin":
            pipe = _build_tiny(ref.name, dtype)
        elif ref.kind == "file":
            pipe = _load_single_file(Path(ref.location), dtype)
        elif ref.kind == "folder":
            _check_model_index(Path(ref.location))
            pipe = _load_pretrained(ref.location, dtype, local_only=True)
        else:
            pipe = _load_pretrained(ref.location, dtype, local_only=_hub_is_cached(ref.location))
    except ModelError:
        raise
    except Exception as exc:  # diffusers raises many kinds; the user needs one clear line
        if is_out_of_memory(exc):
            raise  # not the file's fault: the caller frees memory or tells the user so
        hint = (
            "it is not in the local Hugging Face cache and could not be downloaded; "
            "check the network or run `huggingface-cli download " + ref.location + "`"
            if ref.kind == "hub"
            else "check that the file is a complete Stable Diffusion 1.x/2.x/SDXL model"
        )
        raise ModelError(f"could not load model {ref.name!r}: {first_line(exc)}; {hint}") from exc
    pipe.set_progress_bar_config(disable=True)
    if hasattr(pipe, "safety_checker"):
        pipe.safety_checker = None
    pipe = pipe.to(device)
    prefer_channels_last(pipe.vae, device)
    return LoadedModel(
        ref=ref,
        family=_family_from_pipeline(pipe),
        device=device,
        dtype=dtype,
        base=pipe,
        scheduler_config=dict(pipe.scheduler.config),
    )


def _check_model_index(folder: Path) -> None:
    try:
        json.loads((folder / "model_index.json").read_text(encoding="utf-8"))
    except (OSError, json.JSONDecodeError) as exc:
        raise ModelError(f"{str(folder)!r} has an unreadable model_index.json ({exc})") from exc
