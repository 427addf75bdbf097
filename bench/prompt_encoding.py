"""Prompt encoding cost: a 3-chunk weighted prompt (+ negative) against one UNet step.

Prints, for `tiny` and for the real SD1.5 architecture with random weights (UNet + CLIP ViT-L
text encoder built from their configs, no download):
  encode / UNet step   (target <= 5 %)  the A1111-style encoding of a ~200-token prompt
                                        with weights and BREAK, positive and negative
  plain / UNet step                     diffusers' own encode_prompt of a short prompt
One UNet step is one classifier-free-guidance call (batch 2) at the default 512x512.
Medians of interleaved repeats, so background load affects every side alike.

    python bench/prompt_encoding.py [--size 512] [--repeats 5] [--threads N]
                                    [--skip-tiny] [--skip-sd15]
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
os.environ.setdefault("HF_HUB_OFFLINE", "1")

PROMPT = (
    "masterpiece, (castle on a cliff:1.3), concept art, [fog], dramatic light, "
    + ", ".join(f"((detail {i}))" for i in range(25))
    + " BREAK (stormy sea:1.2), waves crashing, seagulls, [[muted colours]]"
)
NEGATIVE = "blurry, lowres, (bad anatomy:1.2), watermark"


def sd15_pipeline():
    """SD1.5's UNet and CLIP ViT-L/14 text encoder from their configs, random weights."""
    import torch
    from diffusers import StableDiffusionPipeline, UNet2DConditionModel
    from transformers import CLIPTextConfig, CLIPTextModel

    from studio.engine.models.clip_tokenizer import clip_tokenizer
    from studio.engine.models.tiny import build_tiny_components

    torch.manual_seed(0)
    unet = UNet2DConditionModel(
        sample_size=64,
        in_channels=4,
        out_channels=4,
        layers_per_block=2,
        block_out_channels=(320, 640, 1280, 1280),
        down_block_types=("CrossAttnDownBlock2D",) * 3 + ("DownBlock2D",),
        up_block_types=("UpBlock2D",) + ("CrossAttnUpBlock2D",) * 3,
        cross_attention_dim=768,
        attention_head_dim=8,
    )
    text_encoder = CLIPTextModel(
        CLIPTextConfig(
            vocab_size=49408,
            hidden_size=768,
            intermediate_size=3072,
            num_attention_heads=12,
            num_hidden_layers=12,
            max_position_embeddings=77,
            hidden_act="quick_gelu",
            projection_dim=768,
        )
    )
    parts = build_tiny_components()
    parts.update(unet=unet.eval(), text_encoder=text_encoder.eval(), tokenizer=clip_tokenizer())
    return StableDiffusionPipeline(**parts)


def measure(name: str, pipe, size: int, repeats: int) -> None:
    import torch

    from studio.engine.prompt_encoding import encode_prompts

    latents = torch.randn(2, 4, size // 8, size // 8)
    with torch.inference_mode():
        embeds = encode_prompts(pipe, PROMPT, NEGATIVE)
        chunks = embeds["prompt_embeds"].shape[1] // 77
        context = torch.cat([embeds["negative_prompt_embeds"], embeds["prompt_embeds"]])
        short = torch.cat([context[:, :77]] * 1)

        def step():
            pipe.unet(latents, 500, encoder_hidden_states=short)

        def ours():
            encode_prompts(pipe, PROMPT, NEGATIVE)

        def plain():
            pipe.encode_prompt("castle on a cliff, concept art", "cpu", 1, True, NEGATIVE)

        times: dict[str, list[float]] = {"step": [], "ours": [], "plain": []}
        step(), ours(), plain()  # warm up
        for _ in range(repeats):
            for key, fn in (("step", step), ("ours", ours), ("plain", plain)):
                start = time.perf_counter()
                fn()
                times[key].append(time.perf_counter() - start)
    med = {k: statistics.median(v) for k, v in times.items()}
    print(
        f"{name}: {chunks}-chunk weighted prompt + negative {med['ours'] * 1000:.1f} ms, "
        f"UNet step (batch 2, {size}px) {med['step'] * 1000:.1f} ms -> "
        f"encode/step {med['ours'] / med['step']:.1%} (target <= 5 %); "
        f"diffusers plain encode/step {med['plain'] / med['step']:.1%}"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--size", type=int, default=512)
    parser.add_argument("--repeats", type=int, default=5)
    parser.add_argument("--skip-sd15", action="store_true")
    parser.add_argument("--skip-tiny", action="store_true")
    parser.add_argument("--threads", type=int, default=0, help="torch threads (0: default)")
    args = parser.parse_args()

    import torch

    if args.threads:
        torch.set_num_threads(args.threads)
    from diffusers import StableDiffusionPipeline

    from studio.engine.models.tiny import build_tiny_components

    print(f"torch {torch.__version__}, {torch.get_num_threads()} threads, {os.cpu_count()} CPUs")
    if not args.skip_tiny:
        tiny = StableDiffusionPipeline(**build_tiny_components())
        measure("tiny", tiny, args.size, args.repeats)
    if not args.skip_sd15:
        measure("SD1.5 (random weights)", sd15_pipeline(), args.size, args.repeats)


if __name__ == "__main__":
    main()
