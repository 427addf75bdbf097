"""Does a position word reach the picture? For one caption with each position word, from the same
noise: where the UNet's predicted x0 puts the shape (centroid of the shape colour, px), at several
noise levels, and how far apart the text encoder puts the captions.

    python -m training.probe_position [--model resources/models/mini] [--seeds 2]
"""

from __future__ import annotations

import argparse

import torch

from training.data import COLOURS, POSITIONS

CAPTION = "a red circle on a white background, {}, large"


def centroid(image: torch.Tensor) -> tuple[float, float]:
    """Centre of the pixels nearest red in an image in [-1, 1], (3, H, W)."""
    rgb = (image.clamp(-1, 1) + 1) * 127.5
    red = torch.tensor(COLOURS["red"], dtype=rgb.dtype).view(3, 1, 1)
    weight = torch.relu(120 - (rgb - red).pow(2).sum(0).sqrt())
    ys, xs = torch.meshgrid(
        torch.arange(rgb.shape[1], dtype=rgb.dtype),
        torch.arange(rgb.shape[2], dtype=rgb.dtype),
        indexing="ij",
    )
    total = weight.sum().clamp(min=1e-6)
    return float((weight * xs).sum() / total), float((weight * ys).sum() / total)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--model", default="resources/models/mini")
    parser.add_argument("--seeds", type=int, default=2)
    args = parser.parse_args(argv)
    from diffusers import StableDiffusionPipeline

    pipe = StableDiffusionPipeline.from_pretrained(args.model, torch_dtype=torch.float32)

    def encode(caption: str) -> tuple[torch.Tensor, torch.Tensor]:
        ids = pipe.tokenizer(
            caption, padding="max_length", max_length=77, return_tensors="pt"
        ).input_ids
        out = pipe.text_encoder(ids)
        return out.last_hidden_state, out.pooler_output

    with torch.no_grad():
        states = {word: encode(CAPTION.format(word)) for word in POSITIONS}
        blue = encode(CAPTION.replace("red", "blue").format("left"))
        left, right = states["left"], states["right"]
        print(
            f"text encoder distance, left vs right: states {(left[0] - right[0]).norm():.2f}, "
            f"pooled {(left[1] - right[1]).norm():.3f}; red vs blue: states "
            f"{(left[0] - blue[0]).norm():.2f}, pooled {(left[1] - blue[1]).norm():.3f}"
        )
        alphas = pipe.scheduler.alphas_cumprod
        for t in (999, 800, 600, 400):
            for seed in range(args.seeds):
                noise = torch.randn(1, 4, 16, 16, generator=torch.Generator().manual_seed(seed))
                found = {}
                for word, (hidden, _pooled) in states.items():
                    eps = pipe.unet(noise, t, hidden).sample
                    x0 = (noise - (1 - alphas[t]).sqrt() * eps) / alphas[t].sqrt()
                    image = pipe.vae.decode(x0 / pipe.vae.config.scaling_factor).sample[0]
                    found[word] = "({:.1f}, {:.1f})".format(*centroid(image))
                print(f"t={t} seed {seed}: " + ", ".join(f"{w} {c}" for w, c in found.items()))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
