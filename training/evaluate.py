"""Evaluate `mini` on held-out captions through the studio's own engine, by pixel analysis.

    python -m training.evaluate --model mini --count 168 --inpaint 100

Prints how often the generated image's shape colour, background, size, position and shape match
the prompt (combinations never seen in training), how often an inpainted square takes the
prompted colour, whether pixels outside the feathered mask stay exact, and seconds per image.
"""

from __future__ import annotations

import argparse
import json
import time
from collections import Counter
from pathlib import Path

import numpy as np

from training.classify import classify, dominant_colour, shape_mask
from training.data import COLOURS, POSITIONS, SIZE, Scene, render, split

FIELDS = ("colour", "background", "size", "position", "shape")
MASK_SIDE = 32


def generate(engine, params) -> np.ndarray:
    return engine.generate(params)[0].image[..., :3]


def square_mask(position: str, side: int = MASK_SIDE) -> np.ndarray:
    fx, fy = POSITIONS[position]
    cx, cy = round(fx * SIZE), round(fy * SIZE)
    x0, y0 = max(0, cx - side // 2), max(0, cy - side // 2)
    mask = np.zeros((SIZE, SIZE), np.uint8)
    mask[y0 : y0 + side, x0 : x0 + side] = 255
    return mask


def new_colour(scene: Scene, index: int) -> str:
    options = [c for c in COLOURS if c not in (scene.colour, scene.background)]
    return options[index % len(options)]


def evaluate_txt2img(engine, base, scenes: list[Scene], save: Path | None) -> dict:
    hits: Counter[str] = Counter()
    started = time.perf_counter()
    for index, scene in enumerate(scenes):
        image = generate(engine, base.replace(prompt=scene.caption(), seed=base.seed + index))
        found = classify(image)
        for field in FIELDS:
            hits[field] += found[field] == getattr(scene, field)
        if save is not None and index < 32:
            from PIL import Image

            Image.fromarray(image).save(save / f"{index:03d}-{scene.caption()}.png")
    seconds = (time.perf_counter() - started) / len(scenes)
    result = {f: hits[f] / len(scenes) for f in FIELDS}
    result["seconds_per_image"] = seconds
    return result


def evaluate_inpaint(engine, base, scenes: list[Scene], blur: int) -> dict:
    from studio.core.inpaint.masks import composite_mask

    hits, exact, started = 0, 0, time.perf_counter()
    rng = np.random.default_rng(base.seed)
    for index, scene in enumerate(scenes):
        picture = render(scene, rng)
        colour = new_colour(scene, index)
        mask = square_mask(scene.position)
        # A large shape (~28 px) is what a 32 px mask can hold; a small one (~15 px) may land
        # half outside the mask's solid core, where the composite fades it back out.
        prompt = Scene(scene.shape, colour, scene.background, scene.position, "large")
        params = base.replace(
            mode="inpaint",
            prompt=prompt.caption(),
            seed=base.seed + index,
            mask_blur=blur,
            strength=1.0,
        )
        out = engine.generate(params, image=picture, mask=mask)[0].image[..., :3]
        inner = np.zeros_like(mask, bool)
        ys, xs = np.nonzero(mask)
        pad = 2 * blur
        inner[ys.min() + pad : ys.max() - pad + 1, xs.min() + pad : xs.max() - pad + 1] = True
        background, shape = shape_mask(out)
        painted = out[inner & shape]
        if len(painted) >= 12 and dominant_colour(painted, exclude=background) == colour:
            hits += 1
        outside = composite_mask(mask, blur=blur) == 0
        exact += bool(np.array_equal(out[outside], picture[outside]))
    seconds = (time.perf_counter() - started) / len(scenes)
    return {
        "inpaint_colour": hits / len(scenes),
        "inpaint_outside_exact": exact / len(scenes),
        "inpaint_seconds_per_image": seconds,
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--model", default="mini", help="mini, or a diffusers folder")
    parser.add_argument("--count", type=int, default=168, help="held-out captions (max 168)")
    parser.add_argument("--inpaint", type=int, default=100, help="inpainting cases (0: none)")
    parser.add_argument("--scheduler", default="DPM++ 2M")
    parser.add_argument("--steps", type=int, default=20)
    parser.add_argument("--cfg", type=float, default=5.0)
    parser.add_argument("--seed", type=int, default=1000)
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--save", type=Path, help="folder for the first 32 images")
    parser.add_argument("--json", type=Path, help="write the figures here too")
    args = parser.parse_args(argv)

    import torch

    from studio.core.params import GenerationParams
    from studio.engine.api import Engine

    torch.set_num_threads(args.threads)
    _, held = split()
    engine = Engine()
    base = GenerationParams(
        model=args.model,
        scheduler=args.scheduler,
        steps=args.steps,
        cfg=args.cfg,
        seed=args.seed,
        width=SIZE,
        height=SIZE,
        device="cpu",
        dtype="float32",
    )
    engine.load(args.model, "cpu", "float32")
    if args.save:
        args.save.mkdir(parents=True, exist_ok=True)
    result = evaluate_txt2img(engine, base, held[: args.count], args.save)
    result["held_out_captions"] = min(args.count, len(held))
    if args.inpaint:
        result.update(evaluate_inpaint(engine, base, held[: args.inpaint], blur=4))
        result["inpaint_cases"] = min(args.inpaint, len(held))
    for key, value in result.items():
        shown = f"{value:.1%}" if isinstance(value, float) and "seconds" not in key else value
        print(f"{key:28s} {shown if not isinstance(shown, float) else f'{shown:.3f}'}")
    if args.json:
        args.json.write_text(json.dumps(result, indent=2))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
