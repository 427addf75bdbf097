"""Models worth getting first, with their size and licence (shown on the first-run page).

Checked against the hub's file listings and model cards: the size is what Studio downloads
(one file, or for a whole repo the files downloads.pick_repo_files keeps)."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Recommended:
    title: str
    repo_id: str
    filename: str | None  # None: the whole (diffusers) repo
    size: str
    licence: str
    why: str


RECOMMENDED: tuple[Recommended, ...] = (
    Recommended(
        "SD-Turbo",
        "stabilityai/sd-turbo",
        "sd_turbo.safetensors",
        "5.2 GB",
        "Stability AI Community License (commercial use free below US$1M yearly revenue)",
        "1–4 steps: the fastest way to pictures on a CPU or a small GPU (512×512).",
    ),
    Recommended(
        "Stable Diffusion 1.5",
        "stable-diffusion-v1-5/stable-diffusion-v1-5",
        "v1-5-pruned-emaonly.safetensors",
        "4.3 GB",
        "CreativeML OpenRAIL-M",
        "The classic all-rounder; most LoRAs and embeddings are made for it.",
    ),
    Recommended(
        "Stable Diffusion 1.5 Inpainting",
        "stable-diffusion-v1-5/stable-diffusion-inpainting",
        # the single file: the repo's diffusers folders hold full-precision weights only as
        # .bin pickles (fp16 as safetensors), which pick_repo_files rightly skips
        "sd-v1-5-inpainting.ckpt",
        "4.3 GB",
        "CreativeML OpenRAIL-M",
        "Repaints masked areas seamlessly (9-channel inpainting model).",
    ),
    Recommended(
        "Stable Diffusion XL 1.0",
        "stabilityai/stable-diffusion-xl-base-1.0",
        "sd_xl_base_1.0.safetensors",
        "6.9 GB",
        "CreativeML Open RAIL++-M",
        "Best quality at 1024×1024; needs a GPU with 8 GB or patience on a CPU.",
    ),
    Recommended(
        "TAESD",
        "madebyollin/taesd",
        None,
        "10 MB",
        "MIT",
        "Sharp live previews for SD 1.x/2.x while an image renders.",
    ),
    Recommended(
        "TAESDXL",
        "madebyollin/taesdxl",
        None,
        "10 MB",
        "MIT",
        "Sharp live previews for SDXL.",
    ),
    Recommended(
        "Real-ESRGAN 4×",
        "ai-forever/Real-ESRGAN",
        "RealESRGAN_x4.pth",
        "67 MB",
        "licence not stated on its card (Real-ESRGAN's code: BSD-3-Clause)",
        "Upscales 4× with sharp detail (Image ▸ Upscale).",
    ),
)
