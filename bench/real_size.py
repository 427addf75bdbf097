"""Real-size speed: the SD-1.5 architecture (random weights, built offline from the diffusers
configs in resources/model_configs/sd15) through Studio's default CPU path and raw diffusers.

    python bench/real_size.py [--repeats 3] [--sections default1,cancel,same,previews,default4]
    python bench/real_size.py --sections openvino          # needs pip install 'studio[openvino]'
    python bench/real_size.py --sections openvino --model tiny --size 64   # a quick smoke run

Every figure is a ratio of medians measured interleaved in this one run, so background load
hits both sides alike. The cost of a step does not depend on the weights, so random weights
time like the real model. Targets (issue 15): default path >= 2.5x raw diffusers defaults
(fp32, full VAE); studio / raw at the same dtype <= 1.03; Fast decode >= 5x raw default;
cancel latency median <= 0.3 s, worst <= 0.5 s; linear previews on/off <= 1.01; throttled
TAESD previews on/off <= 1.05. Memory: bench/real_size_memory.py.
The `openvino` section (not in the default list) compares the OpenVINO backend with the
studio's PyTorch path at the same settings, and prints the one-time export's cost.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import statistics
import sys
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
CONFIGS = ROOT / "resources" / "model_configs" / "sd15"
PROMPT = "castle on a cliff at dawn, concept art, matte painting"


def build_model(folder: Path) -> None:
    """Write the real SD-1.5 architecture with seeded random weights as a diffusers folder."""
    import torch
    from diffusers import (
        AutoencoderKL,
        PNDMScheduler,
        StableDiffusionPipeline,
        UNet2DConditionModel,
    )
    from transformers import CLIPTextConfig, CLIPTextModel

    from studio.engine.models.clip_tokenizer import clip_tokenizer

    def config(name: str) -> dict:
        data = json.loads((CONFIGS / name / "config.json").read_text())
        return {k: v for k, v in data.items() if not k.startswith("_") and k != "architectures"}

    torch.manual_seed(0)
    text = CLIPTextConfig(**config("text_encoder"))
    pipe = StableDiffusionPipeline(
        vae=AutoencoderKL(**config("vae")),
        text_encoder=CLIPTextModel(text),
        tokenizer=clip_tokenizer(),
        unet=UNet2DConditionModel(**config("unet")),
        scheduler=PNDMScheduler.from_config(
            json.loads((CONFIGS / "scheduler" / "scheduler_config.json").read_text())
        ),
        safety_checker=None,
        feature_extractor=None,
        requires_safety_checker=False,
    )
    pipe.save_pretrained(folder)


def put_taesd(cache: Path) -> None:
    """TAESD's architecture (AutoencoderTiny's defaults) with random weights, as an HF cache."""
    import shutil

    from diffusers import AutoencoderTiny

    repo = cache / "models--madebyollin--taesd"
    if repo.exists():
        return
    source = cache.parent / "taesd-src"
    AutoencoderTiny().save_pretrained(source)
    revision = "0" * 40
    shutil.copytree(source, repo / "snapshots" / revision)
    (repo / "refs").mkdir(parents=True)
    (repo / "refs" / "main").write_text(revision)


def timed(fn) -> float:
    started = time.perf_counter()
    fn()
    return time.perf_counter() - started


def interleaved(runs: dict, repeats: int) -> dict[str, float]:
    """Median seconds of each named run, alternating the runs in every round."""
    times: dict[str, list[float]] = {name: [] for name in runs}
    for round_ in range(repeats):
        order = list(runs) if round_ % 2 == 0 else list(reversed(runs))
        for name in order:
            times[name].append(timed(runs[name]))
            print(f"  {name}: {times[name][-1]:.2f}s", flush=True)
    return {name: statistics.median(values) for name, values in times.items()}


def openvino_section(torch_engine, model_name: str, one, four, repeats: int) -> dict:
    """OpenVINO against the studio's PyTorch path (its default dtype) at the same settings."""
    from studio.engine.api import Engine
    from studio.engine.models.catalog import resolve_model
    from studio.engine.openvino.export import ensure_exported

    ref = resolve_model(model_name, torch_engine.settings.model_dirs)
    done = ensure_exported(ref, on_stage=lambda stage: print(f"  export: {stage}", flush=True))
    if done.exported:
        print(
            f"OpenVINO export: {done.seconds:.1f} s, peak memory {done.peak_bytes / 2**30:.2f} "
            f"GiB, {_folder_bytes(done.folder) / 2**30:.2f} GiB on disk",
            flush=True,
        )
    else:
        print(f"OpenVINO export: found in the cache ({done.folder}); delete it to time one")
    ov = Engine(torch_engine.settings, backend="openvino")
    results: dict[str, float] = {}
    for label, params in (("1-step/CFG-1", one), ("4-step/CFG-7", four)):
        started = time.perf_counter()
        ov.generate(params, on_step=lambda r: None)  # loads and compiles for this shape
        print(f"  OpenVINO first {label} image (load + compile): "
              f"{time.perf_counter() - started:.2f}s", flush=True)  # fmt: skip
        print(f"{label}: studio PyTorch vs OpenVINO", flush=True)
        med = interleaved(
            {
                "torch": lambda p=params: torch_engine.generate(p, on_step=lambda r: None),
                "openvino": lambda p=params: ov.generate(p, on_step=lambda r: None),
            },
            repeats,
        )
        results[f"OpenVINO speed-up over PyTorch, {label}"] = med["torch"] / med["openvino"]
    return results


def _folder_bytes(folder: Path) -> int:
    return sum(p.stat().st_size for p in folder.rglob("*") if p.is_file())


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--cancel-trials", type=int, default=5)
    parser.add_argument("--workdir", type=Path, default=Path("/tmp/studio-real-size"))
    parser.add_argument("--sections", default="default1,cancel,same,previews,default4")
    parser.add_argument(
        "--model", default="sd15-random", help="another model for a quick run (e.g. tiny)"
    )
    parser.add_argument("--size", type=int, default=512, help="image side in pixels")
    args = parser.parse_args()
    sections = set(args.sections.split(","))

    args.workdir.mkdir(parents=True, exist_ok=True)
    os.environ["HF_HUB_CACHE"] = str(args.workdir / "hf-cache")
    os.environ["HF_HUB_OFFLINE"] = "1"
    os.environ["STUDIO_MODEL_DIRS"] = str(args.workdir / "models")
    os.environ["STUDIO_OPENVINO_CACHE"] = str(args.workdir / "openvino-cache")
    folder = args.workdir / "models" / "sd15-random"

    import torch
    from diffusers import EulerAncestralDiscreteScheduler, StableDiffusionPipeline

    from studio.core.errors import Cancelled
    from studio.core.params import GenerationParams
    from studio.core.settings import Settings
    from studio.engine.api import Engine

    if args.model == "sd15-random" and not (folder / "model_index.json").exists():
        print("building SD-1.5 with random weights...", flush=True)
        build_model(folder)
    put_taesd(args.workdir / "hf-cache")
    print(f"torch {torch.__version__}, {torch.get_num_threads()} threads", flush=True)

    def raw_pipe(dtype):
        pipe = StableDiffusionPipeline.from_pretrained(folder, torch_dtype=dtype)
        pipe.scheduler = EulerAncestralDiscreteScheduler.from_config(pipe.scheduler.config)
        pipe.set_progress_bar_config(disable=True)
        return pipe

    def raw_run(pipe, steps, cfg):
        def run():
            with torch.inference_mode():
                pipe(
                    PROMPT,
                    num_inference_steps=steps,
                    guidance_scale=cfg,
                    height=args.size,
                    width=args.size,
                    generator=torch.Generator("cpu").manual_seed(1),
                    output_type="np",
                )

        return run

    engine = Engine(Settings.load())
    model = engine.load(args.model)  # dtype auto: the studio's default
    print(f"studio default: {model.dtype} ({model.dtype_reason})", flush=True)
    side = args.size
    base = GenerationParams(prompt=PROMPT, model=args.model, seed=1, width=side, height=side)

    def studio_run(params, previews=True):
        return lambda: engine.generate(params, on_step=(lambda r: None) if previews else None)

    one = base.replace(steps=1, cfg=1.0)
    four = base.replace(steps=4, cfg=7.0)
    results: dict[str, float] = {}

    if {"default1", "default4"} & sections:
        raw32 = raw_pipe(torch.float32)
        if "default1" in sections:
            print("1 step, CFG 1: raw diffusers fp32 vs studio default vs studio Fast", flush=True)
            med = interleaved(
                {
                    "raw": raw_run(raw32, 1, 1.0),
                    "studio": studio_run(one),
                    "fast": studio_run(one.replace(decode="fast")),
                },
                args.repeats,
            )
            results["default 1-step/CFG-1 speed-up"] = med["raw"] / med["studio"]
            results["Fast decode end-to-end speed-up"] = med["raw"] / med["fast"]
        if "default4" in sections:
            print("4 steps, CFG 7: raw diffusers fp32 vs studio default", flush=True)
            med = interleaved(
                {"raw": raw_run(raw32, 4, 7.0), "studio": studio_run(four)}, args.repeats
            )
            results["default 4-step/CFG-7 speed-up"] = med["raw"] / med["studio"]
        del raw32

    if "same" in sections:
        print(f"1 step, CFG 1: raw diffusers vs studio, both {model.dtype}", flush=True)
        raw_same = raw_pipe(model.dtype)
        med = interleaved(
            {"raw": raw_run(raw_same, 1, 1.0), "studio": studio_run(one)}, args.repeats
        )
        results["studio / raw, same dtype"] = med["studio"] / med["raw"]
        del raw_same

    if "previews" in sections:
        from studio.engine.previews import LatentPreviewer, load_taesd_previewer

        print("2 steps, CFG 1: linear previews on vs off vs throttled TAESD previews", flush=True)
        params = base.replace(steps=2, cfg=1.0)
        previewers = {"linear": LatentPreviewer(model.family), "taesd": load_taesd_previewer(model)}

        def with_previews(kind: str):
            def run():
                engine._previewer = previewers[kind]  # what Engine(preview_method=kind) builds
                engine.generate(params, on_step=lambda r: None)

            return run

        med = interleaved(
            {
                "on": with_previews("linear"),
                "off": studio_run(params, False),
                "taesd": with_previews("taesd"),
            },
            args.repeats,
        )
        engine._previewer = previewers["linear"]
        results["linear previews on / off"] = med["on"] / med["off"]
        results["throttled TAESD previews / off"] = med["taesd"] / med["off"]

    if "openvino" in sections:
        results.update(openvino_section(engine, args.model, one, four, args.repeats))

    if "cancel" in sections:
        print("cancel at a random moment inside a UNet step (CFG 7, batch 2)", flush=True)
        unet = model.base.unet
        latencies = []
        rng = random.Random(15)
        for _trial in range(args.cancel_trials):
            cancel = threading.Event()
            state: dict[str, float] = {}

            def note_step(_module, _args, state=state):
                state.setdefault("step_started", time.perf_counter())

            handle = unet.register_forward_pre_hook(note_step)
            delay = rng.uniform(0.2, 3.0)

            def press_cancel(state=state, cancel=cancel, delay=delay):
                while "step_started" not in state:
                    time.sleep(0.01)
                time.sleep(delay)
                state["pressed"] = time.perf_counter()
                cancel.set()

            presser = threading.Thread(target=press_cancel, daemon=True)
            presser.start()
            try:
                engine.generate(base.replace(steps=2), on_step=lambda r: None, cancel=cancel)
                print("  finished before cancel (step shorter than the delay)", flush=True)
            except Cancelled:
                latencies.append(time.perf_counter() - state["pressed"])
                print(f"  pressed {delay:.2f}s into the step: {latencies[-1]:.3f}s", flush=True)
            finally:
                handle.remove()
                presser.join()
        if latencies:
            results["cancel latency median (s)"] = statistics.median(latencies)
            results["cancel latency worst (s)"] = max(latencies)

    print("\nresults (medians of interleaved runs):")
    for name, value in results.items():
        print(f"  {name}: {value:.3f}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
