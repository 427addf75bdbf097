"""Test helper: a diffusers SD pipeline's weights in the original (LDM / A1111) key layout.

Generalised from diffusers' scripts/convert_diffusers_to_original_stable_diffusion.py (which
hard-codes SD1.5's 4 levels and 2 layers per block) so the tiny model converts too.
"""

from __future__ import annotations

from typing import Any

UNET_TOP = [
    ("time_embed.0.", "time_embedding.linear_1."),
    ("time_embed.2.", "time_embedding.linear_2."),
    ("input_blocks.0.0.", "conv_in."),
    ("out.0.", "conv_norm_out."),
    ("out.2.", "conv_out."),
]
RESNET_PARTS = [
    ("in_layers.0", "norm1"),
    ("in_layers.2", "conv1"),
    ("out_layers.0", "norm2"),
    ("out_layers.3", "conv2"),
    ("emb_layers.1", "time_emb_proj"),
    ("skip_connection", "conv_shortcut"),
]


def _unet_prefixes(config: dict[str, Any]) -> list[tuple[str, str]]:
    levels = len(config["block_out_channels"])
    per = config["layers_per_block"]
    up_attention = ["CrossAttn" in t for t in config["up_block_types"]]
    pairs: list[tuple[str, str]] = []
    for i in range(levels):
        for j in range(per):
            pairs.append(
                (f"input_blocks.{(per + 1) * i + j + 1}.0.", f"down_blocks.{i}.resnets.{j}.")
            )
            pairs.append(
                (f"input_blocks.{(per + 1) * i + j + 1}.1.", f"down_blocks.{i}.attentions.{j}.")
            )
        for j in range(per + 1):
            pairs.append((f"output_blocks.{(per + 1) * i + j}.0.", f"up_blocks.{i}.resnets.{j}."))
            pairs.append(
                (f"output_blocks.{(per + 1) * i + j}.1.", f"up_blocks.{i}.attentions.{j}.")
            )
        if i < levels - 1:
            pairs.append(
                (
                    f"input_blocks.{(per + 1) * (i + 1)}.0.op.",
                    f"down_blocks.{i}.downsamplers.0.conv.",
                )
            )
            slot = 2 if up_attention[i] else 1
            pairs.append(
                (f"output_blocks.{(per + 1) * i + per}.{slot}.", f"up_blocks.{i}.upsamplers.0.")
            )
    pairs.append(("middle_block.1.", "mid_block.attentions.0."))
    pairs += [(f"middle_block.{2 * j}.", f"mid_block.resnets.{j}.") for j in range(2)]
    return pairs


def unet_to_ldm(state: dict[str, Any], config: dict[str, Any]) -> dict[str, Any]:
    prefixes = _unet_prefixes(config)
    out = {}
    for key, value in state.items():
        name = key
        for sd, hf in UNET_TOP:
            if name.startswith(hf):
                name = sd + name[len(hf) :]
        if "resnets" in name:
            for sd, hf in RESNET_PARTS:
                name = name.replace(hf, sd)
        for sd, hf in prefixes:
            if name.startswith(hf):
                name = sd + name[len(hf) :]
                break
        out["model.diffusion_model." + name] = value
    return out


def vae_to_ldm(state: dict[str, Any]) -> dict[str, Any]:
    pairs = [("nin_shortcut", "conv_shortcut"), ("norm_out", "conv_norm_out")]
    pairs.append(("mid.attn_1.", "mid_block.attentions.0."))
    for i in range(4):
        for j in range(3):
            pairs.append((f"encoder.down.{i}.block.{j}.", f"encoder.down_blocks.{i}.resnets.{j}."))
            pairs.append((f"decoder.up.{3 - i}.block.{j}.", f"decoder.up_blocks.{i}.resnets.{j}."))
        pairs.append((f"down.{i}.downsample.", f"down_blocks.{i}.downsamplers.0."))
        pairs.append((f"up.{3 - i}.upsample.", f"up_blocks.{i}.upsamplers.0."))
    pairs += [(f"mid.block_{i + 1}.", f"mid_block.resnets.{i}.") for i in range(2)]
    attn = [("norm.", "group_norm."), ("q.", "to_q."), ("k.", "to_k."), ("v.", "to_v.")]
    attn.append(("proj_out.", "to_out.0."))
    out = {}
    for key, value in state.items():
        name = key
        for sd, hf in pairs:
            name = name.replace(hf, sd)
        if "mid.attn_1." in name:
            for sd, hf in attn:
                name = name.replace("mid.attn_1." + hf, "mid.attn_1." + sd)
            if name.endswith((".q.weight", ".k.weight", ".v.weight", ".proj_out.weight")):
                value = value.reshape(*value.shape, 1, 1)
        out["first_stage_model." + name] = value
    return out


def pipeline_to_ldm(pipe: Any) -> dict[str, Any]:
    """UNet + VAE + CLIP text encoder of an SD1.x pipeline as one LDM-layout state dict."""
    state = unet_to_ldm(pipe.unet.state_dict(), dict(pipe.unet.config))
    state.update(vae_to_ldm(pipe.vae.state_dict()))
    for key, value in pipe.text_encoder.state_dict().items():
        # transformers 5 drops the `text_model.` level that real checkpoints have
        name = key if key.startswith("text_model.") else "text_model." + key
        state["cond_stage_model.transformer." + name] = value
    return {k: v.contiguous() for k, v in state.items()}
