"""The SDXL family end to end, on a tiny SDXL-shaped model saved as a diffusers folder."""

from __future__ import annotations

import numpy as np
import pytest
import torch

from studio.core.params import GenerationParams
from studio.core.settings import Settings
from studio.engine.api import Engine
from tests.helpers import box_mask, noise_image


def build_tiny_sdxl():
    from diffusers import EulerDiscreteScheduler, StableDiffusionXLPipeline, UNet2DConditionModel
    from transformers import CLIPTextModel, CLIPTextModelWithProjection

    from studio.engine.models.clip_tokenizer import clip_tokenizer
    from studio.engine.models.tiny import (
        SCHEDULER_CONFIG,
        build_tiny_components,
        tiny_text_config,
    )

    torch.manual_seed(0)
    unet = UNet2DConditionModel(
        block_out_channels=(32, 64),
        layers_per_block=1,
        sample_size=32,
        in_channels=4,
        out_channels=4,
        down_block_types=("DownBlock2D", "CrossAttnDownBlock2D"),
        up_block_types=("CrossAttnUpBlock2D", "UpBlock2D"),
        attention_head_dim=(2, 4),
        use_linear_projection=True,
        addition_embed_type="text_time",
        addition_time_embed_dim=8,
        transformer_layers_per_block=(1, 1),
        projection_class_embeddings_input_dim=6 * 8 + 32,
        cross_attention_dim=64,
        norm_num_groups=16,
    )
    config = tiny_text_config()

    return StableDiffusionXLPipeline(
        vae=build_tiny_components()["vae"],
        text_encoder=CLIPTextModel(config),
        text_encoder_2=CLIPTextModelWithProjection(config),
        tokenizer=clip_tokenizer(),
        tokenizer_2=clip_tokenizer(),
        unet=unet,
        scheduler=EulerDiscreteScheduler.from_config(SCHEDULER_CONFIG),
    )


@pytest.fixture(scope="module")
def sdxl_engine(tmp_path_factory):
    folder = tmp_path_factory.mktemp("models") / "tiny-sdxl"
    build_tiny_sdxl().save_pretrained(folder)
    engine = Engine(Settings(model_dirs=[folder.parent]))
    return engine, "tiny-sdxl"


def test_sdxl_folder_is_detected_and_runs_every_mode(sdxl_engine):
    engine, name = sdxl_engine
    base = GenerationParams(prompt="a lighthouse", model=name, steps=3, width=64, height=64, seed=2)
    reports = []
    first = engine.generate(base, on_step=reports.append)[0].image
    assert engine.loaded.family == "sdxl"
    assert engine.loaded.native_size == 1024
    assert len(reports) == 3 and reports[0].preview.shape == (8, 8, 3)
    assert np.array_equal(first, engine.generate(base)[0].image)
    source = noise_image(64, 64, seed=5)
    mask = box_mask(64, 64, (8, 8, 40, 40))
    img2img = engine.generate(base.replace(mode="img2img", strength=0.5), image=source)[0].image
    assert img2img.shape == (64, 64, 3)
    inpaint = engine.generate(
        base.replace(mode="inpaint", strength=1.0, mask_blur=0), image=source, mask=mask
    )[0].image
    assert np.array_equal(inpaint[mask == 0], source[mask == 0])
    assert not np.array_equal(inpaint[mask == 255], source[mask == 255])
    pipes = {
        engine.loaded.pipeline(m).__class__.__name__ for m in ("txt2img", "img2img", "inpaint")
    }
    assert pipes == {
        "StableDiffusionXLPipeline",
        "StableDiffusionXLImg2ImgPipeline",
        "StableDiffusionXLInpaintPipeline",
    }
