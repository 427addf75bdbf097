"""Stage 2: UNet + text encoder on the frozen VAE's posterior means (sharper than samples)."""

from __future__ import annotations

import copy
import json
import time

import numpy as np
import torch
from diffusers import AutoencoderKL

from training.checkpoint import Phase, cosine_lr
from training.data import make_dataset, sample_caption, split
from training.models import MAX_TOKENS, make_scheduler, make_text_encoder, make_unet
from training.train_vae import to_tensor

BATCH = 32
LATENT_IMAGES = 16000
CAPTION_DROPOUT = 0.1
MIN_SNR_GAMMA = 5.0
# Offset noise: SD's schedule never fully hides an image's mean, so without it a model cannot
# move a whole background to white or black (Guttenberg 2023).
OFFSET_NOISE = 0.1


def pyramid_noise(shape: tuple[int, ...], discount: float) -> torch.Tensor:
    """Gaussian noise plus coarser noise at 1/2, 1/4, ... of the side, rescaled to unit std.

    SD's schedule leaves ~7 % of the image in x_T, enough for a 16x16 latent to show where the
    shape is at every training step; the model learns to read the layout from the noise instead
    of the caption, and at sampling time puts the shape wherever the seed's low frequencies
    happen to be. Low-frequency noise hides that leak, so the caption must carry the layout.
    """
    batch, channels, height, width = shape
    noise = torch.randn(shape)
    side, level = height // 2, 1
    while side >= 1:
        coarse = torch.randn(batch, channels, side, max(1, width * side // height))
        noise += discount**level * torch.nn.functional.interpolate(
            coarse, size=(height, width), mode="bilinear" if side > 1 else "nearest"
        )
        side, level = side // 2, level + 1
    return noise / noise.std(dim=(1, 2, 3), keepdim=True)


def tokenizer():
    from studio.engine.models.clip_tokenizer import clip_tokenizer

    return clip_tokenizer()


def encode_dataset(run_dir, seed: int, log):
    """Posterior means of LATENT_IMAGES training scenes (cached) and the scaling factor."""
    cache = run_dir / "latents.pt"
    if cache.exists():
        saved = torch.load(cache, weights_only=False)
        return saved["latents"], saved["scenes"], saved["scale"]
    vae = AutoencoderKL.from_pretrained(run_dir / "vae").eval()
    train_scenes, _ = split()
    images, scenes = make_dataset(train_scenes, LATENT_IMAGES, seed + 17)
    chunks = []
    with torch.no_grad():
        for start in range(0, len(images), 64):
            chunks.append(vae.encode(to_tensor(images[start : start + 64])).latent_dist.mean)
            if start % 960 == 0:
                log(f"encoded {start}/{len(images)}")
    latents = torch.cat(chunks)
    scale = float(1.0 / latents.std())
    scene_list = [[s.shape, s.colour, s.background, s.position, s.size] for s in scenes]
    torch.save({"latents": latents, "scenes": scene_list, "scale": scale}, cache)
    log(f"latents {tuple(latents.shape)} mean {latents.mean():.3f} std {latents.std():.3f}")
    return latents, scene_list, scale


def train_unet(
    run_dir,
    until: float,
    seed: int,
    log,
    steps: int | None = None,
    layout_cap: float = 0.0,
    pyramid: float = 0.0,
    peak_lr: float = 1e-3,
    init_from=None,
    train_tokens: bool = False,
) -> None:
    from training.data import Scene

    phase = Phase(run_dir, "unet", until, steps)
    if phase.state["done"]:
        return
    latents, scene_list, scale = encode_dataset(run_dir, seed, log)
    scenes = [Scene(*s) for s in scene_list]
    (run_dir / "scale.json").write_text(json.dumps({"scaling_factor": scale}))
    torch.manual_seed(seed)
    unet, text_encoder = make_unet(), make_text_encoder()
    # Random token vectors already tell the ~30 words apart; freezing the 49k-row table saves
    # most of the text encoder's optimiser work.
    table = text_encoder.get_input_embeddings()
    table.requires_grad_(False)
    if train_tokens:
        # The frozen table's rows (std 0.02) are swamped by the learnt layers: the encoder maps
        # "left" and "right" to nearly the same state, so the UNet never sees where to paint.
        # Train only the rows of the caption vocabulary.
        table.requires_grad_(True)
        used, words = torch.zeros(table.num_embeddings, 1), tokenizer()
        for scene in scenes[:2000]:
            used[words(scene.caption()).input_ids] = 1.0
        table.weight.register_hook(lambda grad: grad * used)
    ema = copy.deepcopy(unet).requires_grad_(False)
    params = [p for p in [*unet.parameters(), *text_encoder.parameters()] if p.requires_grad]
    opt = torch.optim.AdamW(params, lr=1e-3, weight_decay=0.0)
    objects = {"unet": unet, "text_encoder": text_encoder, "ema": ema, "opt": opt}
    if init_from is not None and not phase.ckpt_file.exists():
        # Fine-tune: start from another run's weights (not its optimiser or step count).
        saved = torch.load(init_from / "unet_ckpt.pt", weights_only=True)
        for key in ("unet", "text_encoder", "ema"):
            objects[key].load_state_dict(saved[key])
        log(f"weights from {init_from}")
    step = phase.resume(objects)
    scheduler = make_scheduler()
    alphas = scheduler.alphas_cumprod
    snr = alphas / (1 - alphas)
    tok = tokenizer()
    token_cache: dict[str, torch.Tensor] = {}

    def ids(caption: str) -> torch.Tensor:
        if caption not in token_cache:
            token_cache[caption] = tok(
                caption,
                padding="max_length",
                max_length=MAX_TOKENS,
                truncation=True,
                return_tensors="pt",
            ).input_ids[0]
        return token_cache[caption]

    started, running = time.time(), []
    while not phase.finished(step):
        lr = cosine_lr(peak_lr, 4e-5, phase.progress(step))
        for group in opt.param_groups:
            group["lr"] = lr
        rng = np.random.default_rng(seed * 1_000_003 + step)
        pick = rng.integers(0, len(latents), BATCH)
        captions = [
            "" if rng.random() < CAPTION_DROPOUT else sample_caption(scenes[i], rng) for i in pick
        ]
        x0 = latents[torch.from_numpy(pick)] * scale
        if pyramid > 0:
            noise = pyramid_noise(tuple(x0.shape), pyramid)
        else:
            noise = torch.randn_like(x0) + OFFSET_NOISE * torch.randn(BATCH, x0.shape[1], 1, 1)
        t = torch.randint(0, scheduler.config.num_train_timesteps, (BATCH,))
        noisy = scheduler.add_noise(x0, noise, t)
        context = text_encoder(torch.stack([ids(c) for c in captions])).last_hidden_state
        pred = unet(noisy, t, context).sample
        weight = torch.clamp(snr[t], max=MIN_SNR_GAMMA) / snr[t]
        if layout_cap > 0:
            # Where the shape goes is decided at high noise, where an ε error costs little: weigh
            # those steps by their error in x0 (1/SNR times the ε error), capped.
            weight = torch.maximum(weight, torch.clamp(1.0 / snr[t], max=layout_cap))
        loss = (weight * (pred - noise).pow(2).mean(dim=(1, 2, 3))).mean()
        opt.zero_grad(set_to_none=True)
        loss.backward()
        torch.nn.utils.clip_grad_norm_(params, 1.0)
        opt.step()
        step += 1
        decay = min(0.998, (1 + step) / (10 + step))
        with torch.no_grad():
            for e, p in zip(ema.parameters(), unet.parameters(), strict=True):
                e.lerp_(p, 1 - decay)
        running.append(loss.item())
        if step % 25 == 0:
            log(
                f"unet step {step} loss {np.mean(running):.4f} lr {lr:.2e} "
                f"{time.time() - started:.0f}s"
            )
            running = []
        phase.maybe_save(objects, step)
    phase.maybe_save(objects, step, force=True)
    unet.save_pretrained(run_dir / "unet_raw")
    ema.save_pretrained(run_dir / "unet_ema")
    text_encoder.save_pretrained(run_dir / "text_encoder")
    log(f"unet done at step {step}")
    phase.mark_done()
