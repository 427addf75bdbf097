"""What the OpenVINO backend cannot do yet: each returns a reason, and the job runs on PyTorch
with that reason in a one-line notice (the CLI prints it, the app's status bar shows it)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from studio.core.params import GenerationParams
from studio.core.prompts.syntax import extract_loras

FALLBACK_NOTICE = "OpenVINO backend: {reason}; this job runs on PyTorch"


def job_reason(params: GenerationParams, torch_device: Any) -> str | None:
    """Why this job cannot run on OpenVINO (None: it can), judged from its params alone."""
    if torch_device.type != "cpu":
        return f"it runs on the CPU only, and this job asks for {torch_device.type}"
    if params.mode not in ("txt2img", "img2img"):
        return f"{params.mode} is not supported yet"
    if extract_loras(params.prompt)[1]:
        return "LoRA is not supported yet"
    if params.varies:
        return "variation seeds are not supported yet"
    if params.decode == "fast":
        return "the Fast (TAESD) decode is not supported yet"
    return None


def _folder_reason(folder: Path) -> str | None:
    index = json.loads((folder / "model_index.json").read_text(encoding="utf-8"))
    if "XL" in str(index.get("_class_name", "")):
        return "SDXL models are not supported yet"
    unet = folder / "unet" / "config.json"
    if unet.is_file():
        config = json.loads(unet.read_text(encoding="utf-8"))
        if config.get("in_channels", 4) != 4:
            return "inpainting models are not supported yet"
    return None


def model_reason(ref: Any) -> str | None:
    """Why this model cannot be exported to OpenVINO, before spending minutes on it."""
    if ref.kind == "builtin":
        return "inpainting models are not supported yet" if ref.name == "tiny-inpaint" else None
    if ref.kind == "folder":
        return _folder_reason(Path(ref.location))
    if ref.kind == "file":
        from studio.engine.models.single_file import detect_config

        found = detect_config(Path(ref.location))
        if found.kind == "inpaint":
            return "inpainting models are not supported yet"
        if found.family == "SDXL":
            return "SDXL models are not supported yet"
        return None
    from studio.engine.openvino.export import export_request

    return _folder_reason(Path(export_request(ref)["folder"]))
