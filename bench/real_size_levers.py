"""Other CPU levers at real size, each against the plain UNet call: channels-last memory
format, attention slicing, and (with --compile) torch.compile.

    python bench/real_size_levers.py [--repeats 3] [--dtype float32] [--compile]

One SD-1.5 UNet evaluation at 512² (64² latents, batch 2 = one CFG step), random weights built
from resources/model_configs/sd15. Prints the median seconds of each variant, measured
interleaved, and its speed-up over the plain call (> 1: faster). Issue 15 keeps a lever only
where this shows a gain.
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


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--dtype", default="float32")
    parser.add_argument("--compile", action="store_true", help="also time torch.compile")
    args = parser.parse_args()

    import torch
    from diffusers import UNet2DConditionModel

    dtype = getattr(torch, args.dtype)
    config = json.loads((ROOT / "resources/model_configs/sd15/unet/config.json").read_text())
    torch.manual_seed(0)
    plain = UNet2DConditionModel(**{k: v for k, v in config.items() if not k.startswith("_")})
    plain = plain.to(dtype).eval()
    channels_last = copy.deepcopy(plain).to(memory_format=torch.channels_last)
    sliced = copy.deepcopy(plain)
    sliced.set_attention_slice("auto")
    variants = {"plain": plain, "channels_last": channels_last, "attention_slicing": sliced}
    latents = torch.randn(2, 4, 64, 64, dtype=dtype)
    context = torch.randn(2, 77, 768, dtype=dtype)
    timestep = torch.tensor(500)
    print(f"torch {torch.__version__}, {torch.get_num_threads()} threads, {dtype}", flush=True)

    if args.compile:
        compiled = torch.compile(copy.deepcopy(plain))
        started = time.perf_counter()
        with torch.inference_mode():
            compiled(latents, timestep, context)
        print(f"torch.compile: first call (compiling) {time.perf_counter() - started:.1f}s")
        variants["compiled"] = compiled

    def call(unet):
        inputs = latents.to(memory_format=torch.channels_last) if unet is channels_last else latents
        with torch.inference_mode():
            started = time.perf_counter()
            unet(inputs, timestep, context)
            return time.perf_counter() - started

    reference = call(plain)  # warm-up, and the reference output's shape
    print(f"warm-up {reference:.2f}s", flush=True)
    times: dict[str, list[float]] = {name: [] for name in variants}
    for round_ in range(args.repeats):
        order = list(variants) if round_ % 2 == 0 else list(reversed(variants))
        for name in order:
            times[name].append(call(variants[name]))
            print(f"  {name}: {times[name][-1]:.2f}s", flush=True)
    base = statistics.median(times["plain"])
    print("\nmedian seconds per UNet call (batch 2), speed-up over plain:")
    for name, values in times.items():
        median = statistics.median(values)
        print(f"  {name}: {median:.2f}s  x{base / median:.3f}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
