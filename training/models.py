"""The architecture of `mini`: small diffusers modules, 64 px images, 16x16x4 latents."""

from __future__ import annotations

from diffusers import AutoencoderKL, DDPMScheduler, UNet2DConditionModel
from transformers import CLIPTextConfig, CLIPTextModel

TEXT_WIDTH = 128
MAX_TOKENS = 77  # the studio tokenizes to 77 like every SD 1.x model


def make_vae() -> AutoencoderKL:
    return AutoencoderKL(
        in_channels=3,
        out_channels=3,
        down_block_types=("DownEncoderBlock2D",) * 3,
        up_block_types=("UpDecoderBlock2D",) * 3,
        block_out_channels=(16, 32, 64),
        layers_per_block=1,
        latent_channels=4,
        norm_num_groups=8,
        sample_size=64,
    )


def make_unet() -> UNet2DConditionModel:
    # Four levels (16, 8, 4, 2): at 2x2 every cell touches the border, so the convolutions know
    # where they are and position words bind to places; cross-attention at every level, at 16x16
    # text-only (no 256x256 self-attention). Two heads per layer: tiny heads are slow on CPU.
    return UNet2DConditionModel(
        sample_size=16,
        in_channels=4,
        out_channels=4,
        down_block_types=("CrossAttnDownBlock2D",) * 4,
        up_block_types=("CrossAttnUpBlock2D",) * 4,
        block_out_channels=(32, 64, 128, 128),
        layers_per_block=1,
        cross_attention_dim=TEXT_WIDTH,
        attention_head_dim=2,  # diffusers' legacy name: the number of heads
        norm_num_groups=8,
        only_cross_attention=(True, False, False, False),
        # A pooled caption added to the time embedding reaches every ResNet: global facts
        # (background, colour, size) bind in far fewer steps than through attention alone.
        addition_embed_type="text",
        addition_embed_type_num_heads=4,
    )


def make_text_encoder() -> CLIPTextModel:
    config = CLIPTextConfig(
        vocab_size=49408,
        hidden_size=TEXT_WIDTH,
        intermediate_size=TEXT_WIDTH * 2,
        num_hidden_layers=2,
        num_attention_heads=4,
        max_position_embeddings=MAX_TOKENS,
        bos_token_id=49406,
        eos_token_id=49407,
        pad_token_id=49407,
        projection_dim=TEXT_WIDTH,
    )
    return CLIPTextModel(config)


def make_scheduler() -> DDPMScheduler:
    # Stable Diffusion 1.x's schedule, so every sampler in the studio applies unchanged.
    return DDPMScheduler(
        num_train_timesteps=1000,
        beta_start=0.00085,
        beta_end=0.012,
        beta_schedule="scaled_linear",
        clip_sample=False,
        steps_offset=1,
        prediction_type="epsilon",
    )
