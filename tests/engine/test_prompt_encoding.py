"""A1111 prompt encoding on the tiny models: weights, long prompts, BREAK, SDXL."""

from __future__ import annotations

import numpy as np
import pytest
import torch

from studio.core.params import GenerationParams
from studio.engine.prompt_encoding import encode_prompts

BASE = GenerationParams(prompt="", model="tiny", steps=3, width=64, height=64, seed=7, cfg=7.0)


def _pixels(engine, prompt: str, negative: str = "") -> np.ndarray:
    return engine.generate(BASE.replace(prompt=prompt, negative=negative))[0].image


def _pipe(engine):
    return engine.load("tiny").pipeline("txt2img")


def _words(count: int, last: str = "gold") -> str:
    words = ["castle", "river", "tower", "forest"]
    return " ".join(words[i % 4] for i in range(count - 1)) + " " + last


def test_plain_prompt_encodes_exactly_as_diffusers(engine):
    pipe = _pipe(engine)
    with torch.inference_mode():
        ours = encode_prompts(pipe, "a red castle, night", "blurry")
        theirs = pipe.encode_prompt("a red castle, night", "cpu", 1, True, "blurry")
    assert torch.equal(ours["prompt_embeds"], theirs[0])
    assert torch.equal(ours["negative_prompt_embeds"], theirs[1])


def test_weight_one_is_bit_identical_and_other_weights_are_not(engine):
    plain = _pixels(engine, "a red castle")
    assert np.array_equal(_pixels(engine, "a (red:1.0) castle"), plain)
    assert not np.array_equal(_pixels(engine, "a (red:1.4) castle"), plain)
    assert not np.array_equal(_pixels(engine, "a [red] castle"), plain)


def test_emphasis_rescales_to_the_original_mean():
    from diffusers import StableDiffusionPipeline

    from studio.engine.models.tiny import build_tiny_components

    pipe = StableDiffusionPipeline(**build_tiny_components())
    # Real CLIP's final LayerNorm has a learned bias, so its outputs do not average to 0.
    pipe.text_encoder.final_layer_norm.bias.data.fill_(0.3)
    with torch.inference_mode():
        plain = encode_prompts(pipe, "a red castle", "")["prompt_embeds"]
        weighted = encode_prompts(pipe, "a (red:1.4) castle", "")["prompt_embeds"]
    assert torch.allclose(weighted.mean(), plain.mean(), rtol=1e-5)
    assert not torch.allclose(weighted[0, 2], plain[0, 2] * 1.4)  # the rescale ran
    ratio = weighted / plain
    assert torch.allclose(ratio[0, 2] / ratio[0, 1], torch.tensor(1.4), atol=1e-4)
    assert torch.allclose(ratio[0, 1], ratio[0, 5])  # every token scaled by the same factor


def test_zero_mean_encoder_gets_weights_without_rescale(engine):
    pipe = _pipe(engine)
    with torch.inference_mode():
        plain = encode_prompts(pipe, "a red castle", "")["prompt_embeds"]
        weighted = encode_prompts(pipe, "a (red:1.4) castle", "")["prompt_embeds"]
    assert torch.isfinite(weighted).all()
    assert torch.allclose(weighted[0, 2], plain[0, 2] * 1.4)
    assert torch.equal(weighted[0, 3:], plain[0, 3:])


def test_words_after_token_100_change_the_image(engine):
    first, second = _words(150, "gold"), _words(150, "silver")
    tokenizer = _pipe(engine).tokenizer
    truncated = [tokenizer(p, truncation=True, max_length=77)["input_ids"] for p in (first, second)]
    assert truncated[0] == truncated[1]  # plain diffusers would paint the same picture
    with torch.inference_mode():
        embeds = encode_prompts(_pipe(engine), first, "")
    assert embeds["prompt_embeds"].shape[1] == 154
    assert embeds["negative_prompt_embeds"].shape == embeds["prompt_embeds"].shape
    assert not np.array_equal(_pixels(engine, first), _pixels(engine, second))


def test_break_closes_a_chunk(engine):
    pipe = _pipe(engine)
    with torch.inference_mode():
        joined = encode_prompts(pipe, "a castle BREAK a moat", "")["prompt_embeds"]
        castle = encode_prompts(pipe, "a castle", "")["prompt_embeds"]
        moat = encode_prompts(pipe, "a moat", "")["prompt_embeds"]
        single = encode_prompts(pipe, "a castle a moat", "")["prompt_embeds"]
    assert joined.shape[1] == 154 and single.shape[1] == 77
    assert torch.equal(joined, torch.cat([castle, moat], dim=1))


def test_positive_and_negative_of_different_chunk_counts(engine):
    pipe = _pipe(engine)
    long_negative = _words(160, "ugly")
    with torch.inference_mode():
        embeds = encode_prompts(pipe, "a castle", long_negative)
        empty = encode_prompts(pipe, "", "")["prompt_embeds"]
        castle = encode_prompts(pipe, "a castle", "")["prompt_embeds"]
    assert embeds["prompt_embeds"].shape[1] == embeds["negative_prompt_embeds"].shape[1] == 231
    assert torch.equal(embeds["prompt_embeds"][:, :77], castle)
    assert torch.equal(embeds["prompt_embeds"][:, 77:154], empty)  # padded with empty chunks
    image = _pixels(engine, "a castle", long_negative)
    assert image.shape == (64, 64, 3)
    assert not np.array_equal(image, _pixels(engine, "a castle", _words(160, "pretty")))


def test_lora_tags_are_not_encoded(engine):
    pipe = _pipe(engine)
    with torch.inference_mode():
        tagged = encode_prompts(pipe, "a castle<lora:nothing:0.5>", "")["prompt_embeds"]
        plain = encode_prompts(pipe, "a castle", "")["prompt_embeds"]
    assert torch.equal(tagged, plain)


@pytest.fixture(scope="module")
def sdxl_pipe():
    from tests.engine.test_sdxl import build_tiny_sdxl

    pipe = build_tiny_sdxl()
    pipe.set_progress_bar_config(disable=True)
    return pipe


def test_sdxl_plain_prompt_matches_diffusers_and_long_prompts_chunk(sdxl_pipe):
    with torch.inference_mode():
        ours = encode_prompts(sdxl_pipe, "a lighthouse", "fog")
        theirs = sdxl_pipe.encode_prompt("a lighthouse", negative_prompt="fog", device="cpu")
        empty_negative = encode_prompts(sdxl_pipe, "a lighthouse", "")
        long = encode_prompts(sdxl_pipe, "a lighthouse BREAK (a storm:1.3)", "")
        first_chunk = encode_prompts(sdxl_pipe, "a lighthouse", "")
    names = ["prompt_embeds", "negative_prompt_embeds"]
    names += ["pooled_prompt_embeds", "negative_pooled_prompt_embeds"]
    for name, tensor in zip(names, theirs, strict=True):
        assert torch.equal(ours[name], tensor), name
    assert not empty_negative["negative_prompt_embeds"].any()  # diffusers' zeros for ""
    assert long["prompt_embeds"].shape == (1, 154, 64)
    assert torch.equal(long["prompt_embeds"][:, :77], first_chunk["prompt_embeds"])
    assert torch.equal(long["pooled_prompt_embeds"], first_chunk["pooled_prompt_embeds"])
    kwargs = dict(num_inference_steps=2, width=64, height=64, output_type="np")
    with torch.inference_mode():
        image = sdxl_pipe(**long, **kwargs, generator=torch.Generator().manual_seed(1)).images
    assert image.shape == (1, 64, 64, 3)
