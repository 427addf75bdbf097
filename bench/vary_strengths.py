"""Measure how far Vary (Subtle/Strong) children land from their parent on the `tiny` model:
mean absolute pixel distance (0-255) over several parents, for variation-seed strengths and
img2img strengths. Used to choose studio.core.vary's defaults. Run:
    python bench/vary_strengths.py [--model tiny] [--steps 8] [--size 128]
"""

from __future__ import annotations

import argparse
import platform
import time

import numpy as np

from studio.core.params import GenerationParams
from studio.core.settings import Settings
from studio.engine.api import Engine


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--model", default="tiny")
    parser.add_argument("--steps", type=int, default=8)
    parser.add_argument("--size", type=int, default=128)
    parser.add_argument("--parents", type=int, default=4)
    args = parser.parse_args()
    engine = Engine(Settings(), preview_method="off")
    base = GenerationParams(
        prompt="a castle on a cliff, concept art",
        model=args.model,
        steps=args.steps,
        width=args.size,
        height=args.size,
        scheduler="Euler a",
    )
    started = time.perf_counter()
    rows: dict[str, list[float]] = {}
    for parent_seed in range(args.parents):
        parent = base.replace(seed=100 + parent_seed)
        image = engine.generate(parent)[0].image.astype(float)
        other = engine.generate(parent.replace(seed=900 + parent_seed))[0].image
        rows.setdefault("another seed", []).append(np.abs(other - image).mean())
        for strength in (0.05, 0.1, 0.2, 0.3, 0.5):
            child = engine.generate(
                parent.replace(variation_seed=500 + parent_seed, variation_strength=strength)
            )[0].image
            rows.setdefault(f"variation seed {strength}", []).append(np.abs(child - image).mean())
        for strength in (0.3, 0.5, 0.7, 0.85):
            child = engine.generate(
                parent.replace(mode="img2img", strength=strength, seed=700 + parent_seed),
                image=image.astype(np.uint8),
            )[0].image
            rows.setdefault(f"img2img {strength}", []).append(np.abs(child - image).mean())
    print(
        f"# {args.model}, {args.size}px, {args.steps} steps, {args.parents} parents; "
        f"{platform.processor() or platform.machine()}, {time.perf_counter() - started:.0f}s"
    )
    for name, values in rows.items():
        print(f"{name:24s} mean |child - parent| = {np.mean(values):6.2f}")


if __name__ == "__main__":
    main()
