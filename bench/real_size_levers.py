"""Other CPU levers at real size, each against the plain call: channels-last memory format,
attention slicing, and (with --compile) torch.compile.

    python bench/real_size_levers.py [--repeats 3] [--dtype float32] [--part unet|vae] [--compile]

--part unet (default): one SD-1.5 UNet evaluation at 512² (64² latents, batch 2 = one CFG step).
--part vae: one SD-1.5 VAE decode of 64² latents to a 512² image (batch 1).
Random weights built from resources/model_configs/sd15. Prints the median seconds of each
variant, measured interleaved, and its speed-up over the plain call (> 1: faster). Issue 15
keeps a lever only where this shows a gain.
"""

from __future__ import annotations

import argparse
import copy
import json
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))


def _config(name: str) -> dict:
    data = json.loads((ROOT / f"resources/model_configs/sd15/{name}/config.json").read_text())
    return {k: v for k, v in data.items() if not k.startswith("_")}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--dtype", default="float32")
    parser.add_argument("--part", choices=("unet", "vae"), default="unet")
    parser.add_argument("--compile", action="store_true", help="also time torch.compile")
    args = parser.parse_args()

    import torch
    from diffusers import AutoencoderKL, UNet2DConditionModel

    dtype = getattr(torch, args.dtype)
    torch.manual_seed(0)
    if args.part == "unet":
        plain = UNet2DConditionModel(**_config("unet")).to(dtype).eval()
        latents = torch.randn(2, 4, 64, 64, dtype=dtype)
        context = torch.randn(2, 77, 768, dtype=dtype)
        timestep = torch.tensor(500)

        def forward(model, inputs):
            return model(inputs, timestep, context)
    else:
        plain = AutoencoderKL(**_config("vae")).to(dtype).eval()
        latents = torch.randn(1, 4, 64, 64, dtype=dtype)

        def forward(model, inputs):
            return model.decode(inputs, return_dict=False)[0]

    channels_last = copy.deepcopy(plain).to(memory_format=torch.channels_last)
    variants = {"plain": plain, "channels_last": channels_last}
    if args.part == "unet":
        sliced = copy.deepcopy(plain)
        sliced.set_attention_slice("auto")
        variants["attention_slicing"] = sliced
    print(f"torch {torch.__version__}, {torch.get_num_threads()} threads, {dtype}", flush=True)

    def call(model):
        inputs = latents
        if model is channels_last:
            inputs = latents.to(memory_format=torch.channels_last)
        with torch.inference_mode():
            started = time.perf_counter()
            forward(model, inputs)
            return time.perf_counter() - started

    if args.compile:
        compiled = torch.compile(copy.deepcopy(plain))
        started = time.perf_counter()
        with torch.inference_mode():
            forward(compiled, latents)
        print(f"torch.compile: first call (compiling) {time.perf_counter() - started:.1f}s")
        variants["compiled"] = compiled

    for name, model in variants.items():  # warm-up: oneDNN builds its kernels on first use
        print(f"warm-up {name}: {call(model):.2f}s", flush=True)
    times: dict[str, list[float]] = {name: [] for name in variants}
    for round_ in range(args.repeats):
        order = list(variants) if round_ % 2 == 0 else list(reversed(variants))
        for name in order:
            times[name].append(call(variants[name]))
            print(f"  {name}: {times[name][-1]:.2f}s", flush=True)
    base = statistics.median(times["plain"])
    print(f"\nmedian seconds per {args.part} call, speed-up over plain:")
    for name, values in times.items():
        median = statistics.median(values)
        print(f"  {name}: {median:.2f}s  x{base / median:.3f}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
