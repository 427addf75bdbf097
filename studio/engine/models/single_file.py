"""Single-file checkpoints (A1111/ComfyUI .safetensors/.ckpt) loaded fully offline.

diffusers' `from_single_file` needs each component's config; by default it fetches them from
the hub. We ship those configs (resources/model_configs/<name>/) and pick one by reading the
file's keys and shapes (studio.core.models.classify): SD1.x vs SD2.x by the text encoder's
layout, SDXL base vs refiner by the conditioner keys, inpainting by 9 UNet input channels, and
SD2's v vs epsilon prediction by the file's metadata, its name, or an A1111-style `.yaml` beside it.
The CLIP tokenizers are built offline too, so nothing here touches the network.
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

from studio.core.errors import ModelError
from studio.core.models.classify import Classified, classify_checkpoint
from studio.core.models.header import TensorIndex, read_header
from studio.core.paths import resources_dir

CONFIG_ROOT = resources_dir() / "model_configs"
_V_PARAM = re.compile(r"parameterization:\s*[\"']?v[\"']?\s*$", re.MULTILINE)


def checkpoint_index(path: Path) -> TensorIndex:
    """Tensor names and shapes of a checkpoint (.ckpt read safely, with weights_only)."""
    if path.suffix.lower() in (".safetensors", ".sft"):
        return read_header(path)
    import torch

    try:
        data = torch.load(str(path), map_location="cpu", weights_only=True, mmap=True)
    except Exception as exc:  # a refused pickle or a broken file: one clear line
        raise ModelError(
            f"{path.name!r} could not be read safely ({str(exc).splitlines()[0][:120]}); "
            "use a .safetensors version of this model"
        ) from exc
    state = data.get("state_dict", data) if isinstance(data, dict) else {}
    return TensorIndex({k: tuple(v.shape) for k, v in state.items() if hasattr(v, "shape")})


def detect_config(path: Path, index: TensorIndex | None = None) -> Classified:
    """Which shipped config fits this checkpoint; a ModelError when it is no SD checkpoint."""
    index = index if index is not None else checkpoint_index(path)
    found = classify_checkpoint(index, path.name)
    if found is None:
        raise ModelError(
            f"{path.name!r} is not a Stable Diffusion checkpoint (it has no "
            "model.diffusion_model weights); LoRA, VAE and other files go in their own folders"
        )
    sidecar = path.with_suffix(".yaml")
    if found.config in ("sd2-v", "sd2-epsilon") and sidecar.is_file():
        is_v = bool(_V_PARAM.search(sidecar.read_text(encoding="utf-8", errors="replace")))
        tags = tuple(t for t in found.tags if t != "v-prediction") + (("v-prediction",) * is_v)
        found = Classified(found.kind, found.family, tags, "sd2-v" if is_v else "sd2-epsilon")
    return found


def _tokenizers(folder: Path) -> dict[str, Any]:
    """The tokenizers the pipeline in folder needs, built offline (SD2/SDXL-G pad with '!')."""
    from transformers import CLIPTokenizer

    from studio.engine.models.clip_tokenizer import clip_tokenizer, vocab_and_merges

    index = json.loads((folder / "model_index.json").read_text(encoding="utf-8"))
    found: dict[str, Any] = {}
    for name in ("tokenizer", "tokenizer_2"):
        if name not in index:
            continue
        if index[name][0] is None:
            found[name] = None
            continue
        encoder = json.loads(
            (folder / name.replace("tokenizer", "text_encoder") / "config.json").read_text(
                encoding="utf-8"
            )
        )
        if encoder.get("hidden_act") == "gelu":  # OpenCLIP encoders (SD2, SDXL's second)
            vocab, merges = vocab_and_merges()
            found[name] = CLIPTokenizer(vocab=vocab, merges=merges, pad_token="!")
        else:
            found[name] = clip_tokenizer()
    return found


def pipeline_class(folder: Path) -> Any:
    import diffusers

    index = json.loads((folder / "model_index.json").read_text(encoding="utf-8"))
    return getattr(diffusers, index["_class_name"])


def load_single_file(path: Path, dtype: Any, config_root: Path | None = None) -> Any:
    """A diffusers pipeline from a single-file checkpoint, with no network access."""
    found = detect_config(path)
    folder = (config_root or CONFIG_ROOT) / found.config
    if not (folder / "model_index.json").is_file():
        raise ModelError(f"no bundled config {found.config!r} for {path.name!r}; reinstall Studio")
    cls = pipeline_class(folder)
    extra: dict[str, Any] = dict(_tokenizers(folder))
    index = json.loads((folder / "model_index.json").read_text(encoding="utf-8"))
    for optional in ("safety_checker", "feature_extractor", "image_encoder"):
        if optional in index:  # never fetched: the studio does not use them
            extra[optional] = None
    if "tokenizer" in extra and extra["tokenizer"] is None:  # the SDXL refiner
        extra["text_encoder"] = None
    return cls.from_single_file(
        str(path), config=str(folder), local_files_only=True, torch_dtype=dtype, **extra
    )
