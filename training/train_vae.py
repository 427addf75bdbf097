"""Stage 1: the autoencoder (64 px <-> 16x16x4), MSE + L1 + small KL, scenes drawn on the fly."""

from __future__ import annotations

import time

import numpy as np
import torch

from training.checkpoint import Phase, cosine_lr
from training.data import make_dataset, split
from training.models import make_vae

BATCH = 32
CROP = 32  # the VAE is convolutional: 32 px crops train it at a quarter of the cost
KL_WEIGHT = 1e-6  # keeps the latent spread near SD's, so the UNet's residual errors decode gently


def to_tensor(images: np.ndarray) -> torch.Tensor:
    return torch.from_numpy(images).permute(0, 3, 1, 2).float().div(127.5).sub(1.0)


def random_crops(images: np.ndarray, seed: int) -> np.ndarray:
    rng = np.random.default_rng(seed)
    xs, ys = rng.integers(0, images.shape[2] - CROP + 1, (2, len(images)))
    return np.stack(
        [im[y : y + CROP, x : x + CROP] for im, x, y in zip(images, xs, ys, strict=True)]
    )


def psnr(vae, images: torch.Tensor) -> float:
    with torch.no_grad():
        recon = vae.decode(vae.encode(images).latent_dist.mean).sample.clamp(-1, 1)
    mse = ((recon - images) / 2).pow(2).mean().item()
    return 10 * np.log10(1.0 / max(mse, 1e-12))


def train_vae(run_dir, until: float, seed: int, log, steps: int | None = None) -> None:
    phase = Phase(run_dir, "vae", until, steps)
    if phase.state["done"]:
        return
    torch.manual_seed(seed)
    vae = make_vae()
    opt = torch.optim.AdamW(vae.parameters(), lr=1e-3, weight_decay=0.0)
    objects = {"vae": vae, "opt": opt}
    step = phase.resume(objects)
    train_scenes, held = split()
    val = to_tensor(make_dataset(held, 32, seed + 999)[0])
    started = time.time()
    while not phase.finished(step):
        lr = cosine_lr(2e-3, 5e-5, phase.progress(step))
        for group in opt.param_groups:
            group["lr"] = lr
        images = to_tensor(
            random_crops(make_dataset(train_scenes, BATCH, seed * 7919 + step)[0], step)
        )
        posterior = vae.encode(images).latent_dist
        recon = vae.decode(posterior.sample()).sample
        loss = (recon - images).pow(2).mean() + 0.5 * (recon - images).abs().mean()
        loss = loss + KL_WEIGHT * posterior.kl().mean()
        opt.zero_grad(set_to_none=True)
        loss.backward()
        opt.step()
        step += 1
        if step % 50 == 0:
            log(f"vae step {step} loss {loss.item():.4f} lr {lr:.2e} {time.time() - started:.0f}s")
        if step % 400 == 0:
            log(f"vae step {step} held-out PSNR {psnr(vae, val):.2f} dB")
        phase.maybe_save(objects, step)
    phase.maybe_save(objects, step, force=True)
    log(f"vae done at step {step}: held-out PSNR {psnr(vae, val):.2f} dB")
    vae.save_pretrained(run_dir / "vae")
    phase.mark_done()
