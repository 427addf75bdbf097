"""Images per minute: `studio batch` against a plain loop over the diffusers pipeline.

Both sides use the same model, prompts, seeds, steps, size, CFG and scheduler, write one PNG per
image, and run in this process after the model is loaded and warmed up (so the comparison is
throughput, not start-up). The batch side is the real command: `studio.cli.batch.run` with the
spec parsed, validated, rendered through the Engine, written atomically with metadata, plus
index.json and the contact sheet. Rounds alternate which side goes first. Load from other
processes only ever adds time, so the best round of each side (wall clock) decides; the median
of the per-round ratios and the ratio of process CPU time are printed beside it.

The model is a randomly initialised SD-1.x-shaped pipeline bigger than `tiny` (tiny's images
take so little time that fixed per-image costs would dominate), saved as a diffusers folder.

    python bench/batch_throughput.py            # 1-3 minutes: no new round after --budget
    python bench/batch_throughput.py --quick    # a smoke run
Target: batch / loop >= 0.97.
"""

from __future__ import annotations

import argparse
import io
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
import torch

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

PROMPTS = ("castle on a cliff, concept art", "forest shrine, matte painting")


def build_model(folder: Path) -> None:
    """A random SD-1.x-shaped pipeline (bigger UNet than tiny), saved as a diffusers folder."""
    from diffusers import StableDiffusionPipeline, UNet2DConditionModel

    from studio.engine.models.tiny import build_tiny_components

    components = build_tiny_components("tiny")
    with torch.random.fork_rng(devices=[]):
        torch.manual_seed(7)
        components["unet"] = UNet2DConditionModel(
            sample_size=16,
            in_channels=4,
            out_channels=4,
            block_out_channels=(64, 128, 128),
            layers_per_block=1,
            down_block_types=("DownBlock2D", "CrossAttnDownBlock2D", "CrossAttnDownBlock2D"),
            up_block_types=("CrossAttnUpBlock2D", "CrossAttnUpBlock2D", "UpBlock2D"),
            cross_attention_dim=32,
            attention_head_dim=8,
            norm_num_groups=32,
        ).eval()
    StableDiffusionPipeline(**components).save_pretrained(folder)


def write_spec(path: Path, model: Path, seeds: int, steps: int, size: int) -> None:
    jobs = "".join(
        f'\n[[job]]\nprompt = "{p}"\nseeds = {list(range(1, seeds + 1))}\n' for p in PROMPTS
    )
    path.write_text(
        f'model = "{model.as_posix()}"\nsteps = {steps}\nsize = "{size}x{size}"\ncfg = 7\n'
        f'scheduler = "Euler a"\nname = "{{index:04d}}-{{prompt:.40}}-{{seed}}"\n{jobs}',
        encoding="utf-8",
    )


def _clocks() -> tuple[float, float]:
    return time.perf_counter(), time.process_time()


def _since(start: tuple[float, float]) -> tuple[float, float]:
    wall, cpu = _clocks()
    return wall - start[0], cpu - start[1]


def plain_loop(pipe: object, out: Path, seeds: int, steps: int, size: int) -> tuple[float, float]:
    """The baseline: what a script calling diffusers directly would do. (wall s, CPU s)"""
    out.mkdir(parents=True)
    started = _clocks()
    n = 0
    for prompt in PROMPTS:
        for seed in range(1, seeds + 1):
            n += 1
            image = pipe(  # type: ignore[operator]
                prompt,
                num_inference_steps=steps,
                guidance_scale=7.0,
                width=size,
                height=size,
                generator=torch.Generator("cpu").manual_seed(seed),
            ).images[0]
            image.save(out / f"{n:04d}-{seed}.png")
    return _since(started)


def studio_batch(engine: object, spec: Path, out: Path) -> tuple[float, float]:
    """The real `studio batch` command's run(), on a warm engine. (wall s, CPU s)"""
    from studio.cli.batch import run

    args = argparse.Namespace(spec=spec, output=out, dry_run=False)
    started = _clocks()
    code = run(args, engine=engine, stdout=io.StringIO())
    elapsed = _since(started)
    if code != 0:
        raise SystemExit(f"studio batch exited {code}")
    return elapsed


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="a short smoke run")
    parser.add_argument("--rounds", type=int, default=6, help="at most this many rounds")
    parser.add_argument(
        "--budget", type=float, default=100, help="start no new round after this many seconds"
    )
    parser.add_argument("--seeds", type=int, default=3, help="seeds per prompt (2 prompts)")
    parser.add_argument("--steps", type=int, default=10)
    parser.add_argument("--size", type=int, default=384)
    opts = parser.parse_args()
    if opts.quick:
        opts.rounds, opts.seeds, opts.steps = 1, 1, 4
    images = len(PROMPTS) * opts.seeds

    from diffusers import EulerAncestralDiscreteScheduler, StableDiffusionPipeline
    from diffusers.utils import logging as diffusers_logging

    diffusers_logging.set_verbosity_error()
    diffusers_logging.disable_progress_bar()

    from studio.core.imagefiles import read_image
    from studio.engine.api import Engine

    with tempfile.TemporaryDirectory(prefix="studio-bench-") as tmp:
        root = Path(tmp)
        build_model(root / "model")
        write_spec(root / "spec.toml", root / "model", opts.seeds, opts.steps, opts.size)

        pipe = StableDiffusionPipeline.from_pretrained(root / "model", safety_checker=None)
        pipe.scheduler = EulerAncestralDiscreteScheduler.from_config(pipe.scheduler.config)
        pipe.set_progress_bar_config(disable=True)
        engine = Engine(preview_method="off")
        engine.load(str(root / "model"))
        # Warm both up (first-call allocations, from_pipe, lazy imports).
        plain_loop(pipe, root / "warm-loop", 1, 1, opts.size)
        write_spec(root / "warm.toml", root / "model", 1, 1, opts.size)
        studio_batch(engine, root / "warm.toml", root / "warm-batch")

        loop_times: list[tuple[float, float]] = []
        batch_times: list[tuple[float, float]] = []
        started = time.perf_counter()
        for r in range(opts.rounds):
            if r >= 2 and time.perf_counter() - started > opts.budget:
                break

            def loop(r: int = r) -> None:
                loop_times.append(
                    plain_loop(pipe, root / f"loop{r}", opts.seeds, opts.steps, opts.size)
                )

            def batch(r: int = r) -> None:
                batch_times.append(studio_batch(engine, root / "spec.toml", root / f"batch{r}"))

            for side in (loop, batch) if r % 2 == 0 else (batch, loop):  # drift cancels out
                side()
            print(
                f"round {r + 1}: loop {loop_times[-1][0]:.2f}s (CPU {loop_times[-1][1]:.2f}s), "
                f"batch {batch_times[-1][0]:.2f}s (CPU {batch_times[-1][1]:.2f}s), "
                f"{images} images each",
                file=sys.stderr,
            )

        # Same settings, same pixels: the batch's PNGs equal the loop's.
        loop_png = sorted((root / "loop0").glob("*.png"))
        batch_png = sorted(p for p in (root / "batch0").glob("0*.png"))
        same = len(loop_png) == len(batch_png) == images and all(
            np.array_equal(read_image(a)[0], read_image(b)[0])
            for a, b in zip(loop_png, batch_png, strict=True)
        )

    loop_ipm = 60 * images / min(t[0] for t in loop_times)
    batch_ipm = 60 * images / min(t[0] for t in batch_times)
    best = batch_ipm / loop_ipm
    paired = float(
        np.median([lt[0] / bt[0] for lt, bt in zip(loop_times, batch_times, strict=True)])
    )
    cpu = sum(t[1] for t in loop_times) / sum(t[1] for t in batch_times)
    # Load from elsewhere only ever adds time, so the best rounds decide.
    verdict = "OK" if best >= 0.97 else "LOW"
    print(
        f"model: random SD-1.x-shaped UNet (64/128/128 channels), {opts.size}x{opts.size}, "
        f"{opts.steps} steps, CFG 7, Euler a; {images} images a round, {len(loop_times)} rounds"
    )
    print(f"plain diffusers loop : {loop_ipm:7.1f} images/min (best round)")
    print(f"studio batch         : {batch_ipm:7.1f} images/min (best round)")
    print(
        f"ratio batch/loop     : {best:.3f} best rounds, {paired:.3f} median of rounds, "
        f"{cpu:.3f} by CPU time  (target >= 0.97) {verdict}"
    )
    print(f"identical pixels     : {'yes' if same else 'NO'}")
    return 0 if same else 1


if __name__ == "__main__":
    raise SystemExit(main())
