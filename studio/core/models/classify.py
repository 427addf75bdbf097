"""What a model file is — kind and family — from its tensor names and shapes (and its name).

Keys decide where they can (a checkpoint's conditioner layout, the cross-attention width of a
LoRA or ControlNet, 9 input channels for inpainting); the folder a file sits in is the fallback
(a .ckpt or .pth cannot be opened without unpickling, so for those the folder is all we have).
"""

from __future__ import annotations

from dataclasses import dataclass

from studio.core.models.header import TensorIndex

KINDS = (
    "checkpoint",
    "inpaint",
    "vae",
    "lora",
    "embedding",
    "controlnet",
    "ipadapter",
    "image_encoder",
    "upscaler",
    "preview",
)
KIND_LABELS = {
    "checkpoint": "Checkpoints",
    "inpaint": "Inpainting checkpoints",
    "vae": "VAEs",
    "lora": "LoRA",
    "embedding": "Embeddings",
    "controlnet": "ControlNet",
    "ipadapter": "IP-Adapter",
    "image_encoder": "Image encoders",
    "upscaler": "Upscalers",
    "preview": "Preview decoders (TAESD)",
}
SD1, SD2, SDXL = "SD1.x", "SD2.x", "SDXL"
SD_ANY = "SD1.x/2.x"  # a VAE or TAESD fits both (same latent space)
FAST_WORDS = ("turbo", "lcm", "lightning", "hyper")
DIFF = "model.diffusion_model."
# The cross-attention width is the text encoder's: CLIP-L, OpenCLIP-H, both SDXL encoders.
CROSS_DIM_FAMILY = {768: SD1, 1024: SD2, 2048: SDXL, 1280: SDXL}


@dataclass(frozen=True)
class Classified:
    kind: str
    family: str = ""
    tags: tuple[str, ...] = ()
    config: str = ""  # for checkpoints: the shipped config folder (resources/model_configs/...)

    @property
    def family_label(self) -> str:
        return " ".join([self.family, *self.tags]).strip() or "?"


def _cross_dim_family(index: TensorIndex, prefix: str = "") -> str:
    for suffix in ("attn2.to_k.weight", "attn2_to_k.lora_down.weight", "attn2.to_k.lora_A.weight"):
        shape = index.first(suffix, prefix)
        if shape and len(shape) == 2:
            return CROSS_DIM_FAMILY.get(shape[1], "")
    return ""


def _name_tags(name: str) -> tuple[str, ...]:
    lower = name.lower()
    return ("Turbo/LCM",) if any(w in lower for w in FAST_WORDS) else ()


def prediction_hint(index: TensorIndex, name: str) -> str:
    """'v' or 'epsilon' where the file says so; '' where only a test run could tell."""
    if "v_pred" in index.shapes:
        return "v"
    spec = index.metadata.get("modelspec.prediction_type", "").lower()
    if spec:
        return "v" if spec.startswith("v") else "epsilon"
    lower = name.lower()
    if "vpred" in lower or "v-pred" in lower or "v_pred" in lower or "768-v" in lower:
        return "v"
    if "512-base" in lower or "-base" in lower or "_base" in lower or "eps" in lower:
        return "epsilon"
    return ""


def classify_checkpoint(index: TensorIndex, name: str = "") -> Classified | None:
    """An LDM-layout (A1111/ComfyUI) single-file checkpoint: family, inpainting, config."""
    first_conv = index.shape(DIFF + "input_blocks.0.0.weight")
    if not first_conv or len(first_conv) != 4:
        return None
    inpainting = first_conv[1] == 9
    refiner = False
    if index.has_prefix("conditioner.embedders.1."):
        family = SDXL
    elif index.has_prefix("conditioner.embedders.0.model."):
        family, refiner = SDXL, True
    elif index.has_prefix("cond_stage_model.model."):
        family = SD2
    elif index.has_prefix("cond_stage_model.transformer."):
        family = SD1
    elif index.has_prefix(DIFF + "label_emb."):
        family = SDXL
    else:
        family = _cross_dim_family(index, DIFF) or SD1
    tags = list(_name_tags(name))
    if family == SDXL:
        config = "sdxl-inpaint" if inpainting else "sdxl-refiner" if refiner else "sdxl-base"
        if refiner:
            tags.append("refiner")
    elif family == SD2:
        v = prediction_hint(index, name) != "epsilon"
        config = "sd2-inpaint" if inpainting else "sd2-v" if v else "sd2-epsilon"
        if v and not inpainting:
            tags.append("v-prediction")
    else:
        config = "sd15-inpaint" if inpainting else "sd15"
    if inpainting:
        tags.append("inpainting")
    return Classified("inpaint" if inpainting else "checkpoint", family, tuple(tags), config)


def _lora_family(index: TensorIndex) -> str:
    if index.has_prefix("lora_te2_") or index.has_prefix("lora_te1_"):
        return SDXL
    return _cross_dim_family(index)


def classify_keys(index: TensorIndex, name: str = "") -> Classified | None:
    """Kind and family from a safetensors index; None when the keys are not conclusive."""
    found = classify_checkpoint(index, name)
    if found:
        return found
    keys = index.shapes
    lower = name.lower()
    if any(
        k.endswith((".lora_down.weight", ".lora_A.weight", ".hada_w1_a", ".lokr_w1")) for k in keys
    ):
        return Classified("lora", _lora_family(index), _name_tags(name))
    if index.has_prefix("image_proj.") and index.has_prefix("ip_adapter."):
        shape = index.first("to_k_ip.weight", "ip_adapter.")
        family = CROSS_DIM_FAMILY.get(shape[1], "") if shape and len(shape) == 2 else ""
        return Classified("ipadapter", family)
    if index.has_prefix("control_model.") or "input_hint_block.0.weight" in keys:
        prefix = "control_model." if index.has_prefix("control_model.") else ""
        family = SDXL if index.has_prefix(prefix + "label_emb.") else _cross_dim_family(index)
        return Classified("controlnet", family)
    if "controlnet_cond_embedding.conv_in.weight" in keys:
        family = SDXL if index.has_prefix("add_embedding.") else _cross_dim_family(index)
        return Classified("controlnet", family)
    if "vision_model.embeddings.patch_embedding.weight" in keys:
        width = index.shapes["vision_model.embeddings.patch_embedding.weight"][0]
        return Classified(
            "image_encoder", {1024: "ViT-L", 1280: "ViT-H", 1664: "ViT-bigG"}.get(width, "")
        )
    if "emb_params" in keys:
        return Classified("embedding", {768: SD1, 1024: SD2}.get(keys["emb_params"][-1], ""))
    if "clip_g" in keys and "clip_l" in keys:
        return Classified("embedding", SDXL)
    if index.has_prefix("encoder.layers.") or index.has_prefix("decoder.layers."):
        return Classified("preview", SDXL if "xl" in lower else SD_ANY)
    if "encoder.conv_in.weight" in keys and "decoder.conv_out.weight" in keys:
        return Classified("vae", SDXL if "xl" in lower else SD_ANY)
    if "conv_first.weight" in keys or "model.0.weight" in keys:
        return Classified("upscaler", "ESRGAN" if "conv_first.weight" in keys else "")
    return None


def classify_by_folder(kind_hint: str, name: str) -> Classified:
    """What we can say without keys: the folder's kind, a family guessed from the name."""
    lower = name.lower()
    family = ""
    if kind_hint in ("checkpoint", "inpaint", "lora", "controlnet", "vae", "preview"):
        family = SDXL if "xl" in lower else ""
    if kind_hint == "checkpoint" and "inpaint" in lower:
        return Classified("inpaint", family, (*_name_tags(name), "inpainting"))
    return Classified(kind_hint, family, _name_tags(name))
