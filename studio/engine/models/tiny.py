"""The built-in `tiny` model: the real SD-1.x architecture, small, deterministic random weights.

It produces noise, fast, with no download. Tests and smoke runs use it; `tiny-inpaint` is the
9-channel inpainting variant (UNet input = latents + mask + masked-image latents).
"""

from __future__ import annotations

from typing import Any

TINY_NAMES = ("tiny", "tiny-inpaint")

SCHEDULER_CONFIG: dict[str, Any] = {
    "num_train_timesteps": 1000,
    "beta_start": 0.00085,
    "beta_end": 0.012,
    "beta_schedule": "scaled_linear",
    "prediction_type": "epsilon",
    "steps_offset": 1,
    "clip_sample": False,
    "set_alpha_to_one": False,
    "timestep_spacing": "leading",
}


def _unet(in_channels: int):
    from diffusers import UNet2DConditionModel

    return UNet2DConditionModel(
        sample_size=32,
        in_channels=in_channels,
        out_channels=4,
        block_out_channels=(32, 64),
        layers_per_block=1,
        down_block_types=("DownBlock2D", "CrossAttnDownBlock2D"),
        up_block_types=("CrossAttnUpBlock2D", "UpBlock2D"),
        cross_attention_dim=32,
        attention_head_dim=(2, 4),
        norm_num_groups=16,
    )


def _vae():
    from diffusers import AutoencoderKL

    # Four blocks give the real 8x spatial factor, so sizes behave as on SD-1.x.
    return AutoencoderKL(
        block_out_channels=(16, 16, 32, 32),
        in_channels=3,
        out_channels=3,
        down_block_types=("DownEncoderBlock2D",) * 4,
        up_block_types=("UpDecoderBlock2D",) * 4,
        latent_channels=4,
        layers_per_block=1,
        norm_num_groups=8,
        sample_size=256,
    )


def tiny_text_config():  # -> transformers.CLIPTextConfig
    """A 2-layer, 32-wide CLIP text encoder over the real 49,408-token vocabulary."""
    from transformers import CLIPTextConfig

    return CLIPTextConfig(
        vocab_size=49408,
        hidden_size=32,
        intermediate_size=37,
        num_attention_heads=4,
        num_hidden_layers=2,
        max_position_embeddings=77,
        projection_dim=32,
        bos_token_id=49406,
        eos_token_id=49407,
        pad_token_id=49407,
    )


def _text_encoder():
    from transformers import CLIPTextModel

    return CLIPTextModel(tiny_text_config())


def build_tiny_components(name: str = "tiny") -> dict[str, Any]:
    """The pipeline components of a tiny model, identical on every run and machine."""
    import torch
    from diffusers import EulerAncestralDiscreteScheduler

    from studio.engine.models.clip_tokenizer import clip_tokenizer

    in_channels = 9 if name == "tiny-inpaint" else 4
    with torch.random.fork_rng(devices=[]):
        torch.manual_seed(20261122)
        vae = _vae()
        text_encoder = _text_encoder()
        unet = _unet(in_channels)
    for module in (vae, text_encoder, unet):
        module.eval().requires_grad_(False)
    return {
        "vae": vae,
        "text_encoder": text_encoder,
        "tokenizer": clip_tokenizer(),
        "unet": unet,
        "scheduler": EulerAncestralDiscreteScheduler.from_config(SCHEDULER_CONFIG),
        "safety_checker": None,
        "feature_extractor": None,
        "requires_safety_checker": False,
    }
