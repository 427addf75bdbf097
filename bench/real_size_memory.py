"""Peak memory at real size: one SD-1.5 model through txt2img -> img2img -> inpaint, and an
SDXL-size (1024²) VAE decode whole and in tiles.

    python bench/real_size_memory.py [--workdir /tmp/studio-real-size]

Prints whether every mode's pipeline shares the same UNet, VAE and text encoder (no component
loaded twice), the process RSS after each mode, and the peak RSS growth of each decode (sampled
every 5 ms). Random weights: memory does not depend on their values.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
GIB = 1024**3


class PeakRss:
    """The process's peak resident memory while the block runs, sampled every 5 ms."""

    def __enter__(self) -> PeakRss:
        import psutil

        self._process = psutil.Process()
        self.start = self.peak = self._process.memory_info().rss
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._sample, daemon=True)
        self._thread.start()
        return self

    def _sample(self) -> None:
        while not self._stop.wait(0.005):
            self.peak = max(self.peak, self._process.memory_info().rss)

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join()
        self.peak = max(self.peak, self._process.memory_info().rss)

    @property
    def growth_gib(self) -> float:
        return (self.peak - self.start) / GIB


def unique_parameter_bytes(modules: list) -> int:
    seen: dict[int, int] = {}
    for module in modules:
        for tensor in [*module.parameters(), *module.buffers()]:
            seen[tensor.data_ptr()] = tensor.numel() * tensor.element_size()
    return sum(seen.values())


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--workdir", type=Path, default=Path("/tmp/studio-real-size"))
    args = parser.parse_args()
    args.workdir.mkdir(parents=True, exist_ok=True)
    os.environ["HF_HUB_CACHE"] = str(args.workdir / "hf-cache")
    os.environ["HF_HUB_OFFLINE"] = "1"
    os.environ["STUDIO_MODEL_DIRS"] = str(args.workdir / "models")
    folder = args.workdir / "models" / "sd15-random"

    import numpy as np
    import psutil
    import torch
    from diffusers import AutoencoderKL

    from bench.real_size import PROMPT, build_model
    from studio.core.params import GenerationParams
    from studio.core.settings import Settings
    from studio.engine.api import Engine
    from studio.engine.decode import safe_decode
    from studio.engine.vae_memory import tiled

    if not (folder / "model_index.json").exists():
        build_model(folder)
    rss = lambda: psutil.Process().memory_info().rss / GIB  # noqa: E731
    print(f"torch {torch.__version__}; RSS at start {rss():.2f} GiB", flush=True)

    engine = Engine(Settings.load())
    model = engine.load("sd15-random")
    weights = unique_parameter_bytes([model.base.unet, model.base.vae, model.base.text_encoder])
    print(f"loaded ({model.dtype}): RSS {rss():.2f} GiB; weights {weights / GIB:.2f} GiB")
    base = GenerationParams(
        prompt=PROMPT, model="sd15-random", seed=1, width=512, height=512, steps=1, cfg=1.0
    )
    picture = np.full((512, 512, 3), 128, np.uint8)
    mask = np.zeros((512, 512), np.uint8)
    mask[128:384, 128:384] = 255
    full = base.replace(strength=1.0)  # one step must still denoise
    runs = {
        "txt2img": lambda: engine.generate(base),
        "img2img": lambda: engine.generate(full.replace(mode="img2img"), picture),
        "inpaint": lambda: engine.generate(full.replace(mode="inpaint"), picture, mask),
    }
    for mode, run in runs.items():
        with PeakRss() as peak:
            run()
        pipe = model.pipeline(mode)
        shared = all(
            getattr(pipe, name) is getattr(model.base, name)
            for name in ("unet", "vae", "text_encoder")
        )
        print(
            f"{mode}: components shared with the base pipeline: {shared}; "
            f"RSS after {rss():.2f} GiB, peak during {peak.peak / GIB:.2f} GiB"
        )
    modules = [getattr(model.pipeline(m), c) for m in runs for c in ("unet", "vae")]
    print(f"unique weight bytes, all modes: {unique_parameter_bytes(modules) / GIB:.2f} GiB")
    engine = model = pipe = None  # free the SD-1.5 model before the SDXL-size decode

    config = json.loads((ROOT / "resources/model_configs/sdxl-base/vae/config.json").read_text())
    config = {k: v for k, v in config.items() if not k.startswith("_")}
    torch.manual_seed(0)
    vae = AutoencoderKL(**config).eval()
    latents = torch.randn(1, 4, 128, 128)
    print("SDXL-size decode, 1024² (128² latents), float32:", flush=True)
    with torch.inference_mode():
        with PeakRss() as peak, tiled(vae):
            started = time.perf_counter()
            image = safe_decode(vae, latents)
        print(
            f"  tiled: {tuple(image.shape)} in {time.perf_counter() - started:.1f}s, "
            f"peak growth {peak.growth_gib:.2f} GiB"
        )
        del image
        with PeakRss() as peak:
            started = time.perf_counter()
            image = vae.decode(latents / vae.config.scaling_factor).sample
        print(
            f"  whole: {tuple(image.shape)} in {time.perf_counter() - started:.1f}s, "
            f"peak growth {peak.growth_gib:.2f} GiB"
        )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
