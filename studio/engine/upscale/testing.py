"""Small random-weight Real-ESRGAN files for tests, benchmarks and smoke runs (no download).

The network is spandrel's own ESRGAN/RRDBNet class; its last convolution is rescaled so the
output spreads over mid-greys instead of collapsing to black, which makes pixel comparisons
(tiled against untiled) meaningful.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import torch


def random_esrgan(
    scale: int = 4, num_filters: int = 16, num_blocks: int = 1, seed: int = 0
) -> torch.nn.Module:
    """A deterministic random Real-ESRGAN (RRDBNet) whose output is mostly inside [0, 1]."""
    from spandrel.architectures.ESRGAN import ESRGAN

    with torch.random.fork_rng(devices=[]):
        torch.manual_seed(seed)
        net = ESRGAN(
            in_nc=3, out_nc=3, num_filters=num_filters, num_blocks=num_blocks, scale=scale
        ).eval()
        probe = torch.rand(1, 3, 32, 32)
    last = net.model[-1]
    with torch.no_grad():
        raw = net(probe)
        mean = raw.mean(dim=(0, 2, 3))
        std = raw.std(dim=(0, 2, 3)).clamp_min(1e-8)
        gain = 0.15 / std
        last.weight.mul_(gain[:, None, None, None])
        last.bias.copy_(0.5 + (last.bias - mean) * gain)
    return net


def random_esrgan_state(scale: int = 4, **kwargs: Any) -> dict[str, torch.Tensor]:
    return {
        k: v.detach().clone().contiguous()
        for k, v in random_esrgan(scale, **kwargs).state_dict().items()
    }


def save_random_esrgan(path: str | os.PathLike[str], scale: int = 4, **kwargs: Any) -> Path:
    """Write a random Real-ESRGAN as .pth (torch.save) or .safetensors, by the path's suffix."""
    target = Path(path)
    state = random_esrgan_state(scale, **kwargs)
    target.parent.mkdir(parents=True, exist_ok=True)
    if target.suffix.lower() == ".safetensors":
        from safetensors.torch import save_file

        save_file(state, str(target))
    else:
        torch.save(state, str(target))
    return target
