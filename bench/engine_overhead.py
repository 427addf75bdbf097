"""Engine overhead: Studio's engine against a raw diffusers call on the same components.

Prints, from one run: engine time per image / raw pipeline time per image (target <= 1.03),
and engine with live previews / engine without previews (target <= 1.02). Runs are interleaved
and the median is taken, so background load affects both sides alike.

    python bench/engine_overhead.py [--size 512] [--steps 20] [--repeats 9] [--model tiny]
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
os.environ.setdefault("HF_HUB_OFFLINE", "1")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--model", default="tiny")
    parser.add_argument("--size", type=int, default=512)
    parser.add_argument("--steps", type=int, default=20)
    parser.add_argument("--repeats", type=int, default=9)
    args = parser.parse_args()

    import numpy as np
    import torch

    from studio.core.params import GenerationParams
    from studio.core.settings import Settings
    from studio.engine.api import Engine
    from studio.engine.runner import to_uint8
    from studio.engine.schedulers import make_scheduler

    engine = Engine(Settings())
    params = GenerationParams(
        prompt="castle on a cliff, concept art",
        model=args.model,
        steps=args.steps,
        width=args.size,
        height=args.size,
        seed=1234,
    )
    model = engine.load(params.model)
    raw_pipe = model.pipeline("txt2img")

    def raw() -> np.ndarray:
        raw_pipe.scheduler = make_scheduler(params.scheduler, model.scheduler_config)
        with torch.inference_mode():
            out = raw_pipe(
                params.prompt,
                num_inference_steps=params.steps,
                guidance_scale=params.cfg,
                width=params.width,
                height=params.height,
                generator=torch.Generator("cpu").manual_seed(params.seed),
                output_type="np",
            ).images[0]
        return to_uint8(out)

    def studio_with_previews() -> np.ndarray:
        return engine.generate(params, on_step=lambda report: None)[0].image

    def studio_without_previews() -> np.ndarray:
        return engine.generate(params)[0].image

    runs = {"raw": raw, "previews": studio_with_previews, "no_previews": studio_without_previews}
    for run in runs.values():  # warm up every path once
        run()
    assert np.array_equal(raw(), studio_without_previews()), "engine and raw diffusers disagree"
    times: dict[str, list[float]] = {name: [] for name in runs}
    for _ in range(args.repeats):
        for name, run in runs.items():
            start = time.perf_counter()
            run()
            times[name].append(time.perf_counter() - start)
    median = {name: statistics.median(values) for name, values in times.items()}
    print(
        f"model {args.model}, {args.size}x{args.size}, {args.steps} steps, {args.repeats} repeats"
    )
    for name, value in median.items():
        print(f"  {name:12s} {value * 1000:8.1f} ms per image (median)")
    engine_ratio = median["no_previews"] / median["raw"]
    preview_ratio = median["previews"] / median["no_previews"]
    print(f"engine / raw diffusers     = {engine_ratio:.3f}  (target <= 1.03)")
    print(f"previews on / previews off = {preview_ratio:.3f}  (target <= 1.02)")


if __name__ == "__main__":
    main()
