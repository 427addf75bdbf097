"""Inpaint scaling: a small mask on a large image renders at model resolution.

Prints, for a SIZE x SIZE image with a MASK x MASK mask ("only masked", the default):
  1. its time against a txt2img at the processing size with the same steps (target <= 1.3x);
  2. against whole-picture inpainting of the same image at the processing size (the same pixel
     budget, so about the same time, but the mask gets far fewer render pixels: detail lost);
  3. with --full: against whole-picture inpainting at the image's full resolution (the way to
     keep that detail without "only masked"); slow (minutes on a CPU), so it runs once with
     --full-steps steps and is compared with "only masked" at the same steps.
Runs 1-2 are interleaved and the median is taken. Ratios are of process CPU time with torch
on --threads threads (default 1), which other processes on a shared machine barely disturb;
wall-clock medians are printed beside them.

    python bench/inpaint_scaling.py [--size 2048] [--mask 64] [--native 256] [--steps 20]
                                    [--repeats 5] [--threads 1] [--full] [--full-steps 1]
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
    parser.add_argument("--size", type=int, default=2048, help="image side (px)")
    parser.add_argument("--mask", type=int, default=64, help="mask side (px)")
    parser.add_argument("--native", type=int, default=256, help="processing size (px)")
    parser.add_argument("--steps", type=int, default=20)
    parser.add_argument("--repeats", type=int, default=5)
    parser.add_argument("--threads", type=int, default=1, help="torch CPU threads")
    parser.add_argument("--full", action="store_true", help="also time whole picture, full res")
    parser.add_argument("--full-steps", type=int, default=1)
    args = parser.parse_args()

    import numpy as np
    import torch

    from studio.core.inpaint.masks import composite_mask
    from studio.core.params import GenerationParams
    from studio.core.settings import Settings
    from studio.engine.api import Engine

    torch.set_num_threads(args.threads)
    engine = Engine(Settings())
    rng = np.random.default_rng(0)
    image = rng.integers(0, 256, (args.size, args.size, 3), dtype=np.uint8)
    mask = np.zeros((args.size, args.size), np.uint8)
    at = args.size * 5 // 8
    mask[at : at + args.mask, at - args.mask : at] = 255
    base = GenerationParams(
        prompt="a lighthouse at dusk",
        model=args.model,
        steps=args.steps,
        width=args.native,
        height=args.native,
        seed=1234,
        strength=1.0,
    )
    txt2img = base
    masked = base.replace(mode="inpaint", inpaint_area="masked")
    whole = base.replace(mode="inpaint", inpaint_area="whole")
    engine.load(base.model)

    boxes: dict[str, tuple[int, int, int, int]] = {}

    def timed(params: GenerationParams, name: str) -> tuple[float, float]:
        """(wall seconds, process CPU seconds) of one generate call."""

        def on_step(report) -> None:
            if report.box is not None:
                boxes[name] = report.box

        kwargs = {} if params.mode == "txt2img" else {"image": image, "mask": mask}
        started, cpu = time.perf_counter(), time.process_time()
        out = engine.generate(params, on_step=on_step, **kwargs)[0].image
        elapsed = (time.perf_counter() - started, time.process_time() - cpu)
        if params.mode == "inpaint":
            keep = composite_mask(mask, 0, params.mask_blur) == 0
            assert np.array_equal(out[keep], image[keep]), "pixels outside the mask changed"
        return elapsed

    for params, name in ((txt2img, "txt2img"), (masked, "masked"), (whole, "whole")):
        timed(params, name)  # warm-up: pipelines built, caches filled
    times: dict[str, list[tuple[float, float]]] = {"txt2img": [], "masked": [], "whole": []}
    for _ in range(args.repeats):
        for params, name in ((txt2img, "txt2img"), (masked, "masked"), (whole, "whole")):
            times[name].append(timed(params, name))
    wall = {name: statistics.median(v[0] for v in values) for name, values in times.items()}
    cpu = {name: statistics.median(v[1] for v in values) for name, values in times.items()}

    def scale(name: str) -> float:
        x0, y0, x1, y1 = boxes[name]
        return args.native / max(x1 - x0, y1 - y0)

    print(
        f"image {args.size}x{args.size}, mask {args.mask}x{args.mask}, model {args.model}, "
        f"processing size {args.native}x{args.native}, {args.steps} steps, "
        f"{args.threads} thread(s), median of {args.repeats} runs (CPU / wall seconds)"
    )
    print(
        f"  only masked        {cpu['masked']:7.3f} / {wall['masked']:7.3f} s  "
        f"context box {boxes['masked']}, {scale('masked'):.3f} render px per image px"
    )
    print(
        f"  txt2img {args.native}x{args.native}   {cpu['txt2img']:7.3f} / {wall['txt2img']:7.3f} s"
    )
    print(
        f"  whole picture      {cpu['whole']:7.3f} / {wall['whole']:7.3f} s  "
        f"{scale('whole'):.3f} render px per image px"
    )
    ratio = cpu["masked"] / cpu["txt2img"]
    verdict = "OK" if ratio <= 1.3 else "ABOVE TARGET"
    print(f"only masked / txt2img at processing size: {ratio:.2f}x (target <= 1.3x: {verdict})")
    print(
        f"only masked / whole picture at processing size: {cpu['masked'] / cpu['whole']:.2f}x "
        f"time for {scale('masked') / scale('whole'):.0f}x the linear detail in the mask"
    )

    if args.full:
        full = whole.replace(width=args.size, height=args.size, steps=args.full_steps)
        small = masked.replace(steps=args.full_steps)
        small_time = statistics.median(timed(small, "masked")[1] for _ in range(3))
        full_time = timed(full, "full")[1]
        print(
            f"whole picture at full {args.size}x{args.size} ({args.full_steps} step(s)): "
            f"{full_time:.2f} s CPU vs only masked {small_time:.3f} s: "
            f"only masked costs {small_time / full_time:.3f}x for the same detail"
        )


if __name__ == "__main__":
    main()
