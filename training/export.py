"""Export a trained run as the studio's `mini`: a diffusers folder, float16 safetensors.

python -m training.export --run-dir training/run --unet ema --out resources/models/mini
"""

from __future__ import annotations

import argparse
import json
import shutil
from pathlib import Path

import torch

CARD = """# mini — Studio's built-in demo model

A small latent diffusion model (Stable Diffusion 1.x layout: AutoencoderKL 4x down,
UNet2DConditionModel, CLIPTextModel with the real CLIP tokenizer) trained from scratch in this
repository on procedural 64 px scenes: one circle, square or triangle in one of eight colours on a
plain background of another colour, captioned like
"a red circle on a white background, left, large".
It knows nothing else. Data, training and evaluation: `training/`; figures: `bench/RESULTS.md`.
"""


def build_pipeline(run_dir: Path, unet_kind: str):
    from diffusers import (
        AutoencoderKL,
        StableDiffusionPipeline,
        UNet2DConditionModel,
    )
    from transformers import CLIPTextModel

    from studio.engine.models.clip_tokenizer import clip_tokenizer
    from training.models import make_scheduler

    scale = json.loads((run_dir / "scale.json").read_text())["scaling_factor"]
    vae = AutoencoderKL.from_pretrained(run_dir / "vae")
    vae.register_to_config(scaling_factor=scale)
    if (run_dir / f"unet_{unet_kind}").is_dir():
        unet = UNet2DConditionModel.from_pretrained(run_dir / f"unet_{unet_kind}")
        text_encoder = CLIPTextModel.from_pretrained(run_dir / "text_encoder")
    else:  # the run is still going (or was stopped): take its last checkpoint
        from training.models import make_text_encoder, make_unet

        saved = torch.load(run_dir / "unet_ckpt.pt", weights_only=True)
        unet, text_encoder = make_unet(), make_text_encoder()
        unet.load_state_dict(saved["ema" if unet_kind == "ema" else "unet"])
        text_encoder.load_state_dict(saved["text_encoder"])
    return StableDiffusionPipeline(
        vae=vae,
        text_encoder=text_encoder,
        tokenizer=clip_tokenizer(),
        unet=unet,
        scheduler=make_scheduler(),
        safety_checker=None,
        feature_extractor=None,
        requires_safety_checker=False,
    )


def prefix_text_encoder_keys(folder: Path) -> None:
    """Store the text encoder under `text_model.*` keys, as SD checkpoints do.

    transformers 5.x saves CLIPTextModel without the prefix and reads both forms; older
    versions (pulled in by optimum-intel) read only the prefixed form and would silently start
    the encoder from random weights.
    """
    from safetensors.torch import load_file, save_file

    path = folder / "text_encoder" / "model.safetensors"
    tensors = load_file(path)
    fixed = {k if k.startswith("text_model.") else f"text_model.{k}": v for k, v in tensors.items()}
    save_file(fixed, path, metadata={"format": "pt"})


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--run-dir", type=Path, default=Path("training/run"))
    parser.add_argument("--unet", choices=["ema", "raw"], default="ema")
    parser.add_argument("--out", type=Path, default=Path("resources/models/mini"))
    args = parser.parse_args(argv)
    pipe = build_pipeline(args.run_dir, args.unet).to(torch.float16)
    if args.out.exists():
        shutil.rmtree(args.out)
    pipe.save_pretrained(args.out, safe_serialization=True)
    prefix_text_encoder_keys(args.out)
    (args.out / "README.md").write_text(CARD, encoding="utf-8")
    total = sum(f.stat().st_size for f in args.out.rglob("*") if f.is_file())
    print(f"wrote {args.out} ({total / 1e6:.1f} MB)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
