"""Peak memory of tiled upscaling: a 4096x4096 image with 256 px tiles against untiled runs of
smaller images. Each run is a fresh subprocess, so its peak RSS is its own.

    python bench/upscale_memory.py [--side 4096] [--tile 256] [--small 1024,2048]

The model is a random-weight 2x Real-ESRGAN "Compact" (SRVGGNetCompact, spandrel's own class),
kept tiny so the run takes a few minutes on two CPU cores; memory behaves as with real weights.
"""

from __future__ import annotations

import argparse
import json
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))


def peak_rss_mib() -> float:
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return peak / 1024 / (1024 if sys.platform == "darwin" else 1)  # bytes on macOS, KiB on Linux


def make_model(path: Path) -> Path:
    import torch
    from safetensors.torch import save_file
    from spandrel.architectures.Compact import Compact

    torch.manual_seed(0)
    net = Compact(num_in_ch=3, num_out_ch=3, num_feat=8, num_conv=1, upscale=2)
    save_file({k: v.contiguous() for k, v in net.state_dict().items()}, str(path))
    return path


def child(model: str, side: int, tile: int) -> None:
    """One measured run: load, upscale a side x side image, report JSON on stdout."""
    import numpy as np

    from studio.engine.upscale import load_upscaler, upscale_image

    image = np.random.default_rng(0).integers(0, 256, (side, side, 3), dtype=np.uint8)
    load_upscaler(model, "cpu")
    before = peak_rss_mib()
    tiles = 0

    def on_tile(report) -> None:
        nonlocal tiles
        tiles = report.total

    started = time.perf_counter()
    out = upscale_image(image, model, tile=tile, device="cpu", on_tile=on_tile)
    seconds = time.perf_counter() - started
    print(json.dumps({
        "side": side, "tile": tile, "tiles": tiles, "seconds": round(seconds, 1),
        "rss_before_mib": round(before, 1), "peak_rss_mib": round(peak_rss_mib(), 1),
        "arrays_mib": round((image.nbytes + out.nbytes) / 2**20, 1), "out": list(out.shape),
    }))  # fmt: skip


def measure(model: Path, side: int, tile: int) -> dict:
    done = subprocess.run(
        [sys.executable, __file__, "--child", str(model), str(side), str(tile)],
        capture_output=True, text=True, check=False,
    )  # fmt: skip
    if done.returncode != 0:
        raise SystemExit(f"run {side}px tile {tile} failed:\n{done.stderr}")
    return json.loads(done.stdout.strip().splitlines()[-1])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--side", type=int, default=4096, help="the big image's side (4096)")
    parser.add_argument("--tile", type=int, default=256, help="tile size for the big image")
    parser.add_argument("--small", default="1024,2048", help="untiled image sides to compare")
    parser.add_argument("--child", nargs=3, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        child(args.child[0], int(args.child[1]), int(args.child[2]))
        return

    with tempfile.TemporaryDirectory() as folder:
        model = make_model(Path(folder) / "2x_compact_random.safetensors")
        runs = [measure(model, int(side), 0) for side in args.small.split(",")]
        runs.append(measure(model, int(args.small.split(",")[0]), args.tile))
        runs.append(measure(model, args.side, args.tile))

    print(f"{'input':>11} {'tiles':>6} {'time s':>7} {'peak RSS':>9} {'- runtime':>10} "
          f"{'in+out arrays':>14} {'working set':>12}")  # fmt: skip
    for run in runs:
        grown = run["peak_rss_mib"] - run["rss_before_mib"]
        working = grown - run["arrays_mib"]
        label = f"{run['side']}x{run['side']}"
        tiles = run["tiles"] if run["tile"] else "none"
        print(f"{label:>11} {tiles!s:>6} {run['seconds']:>7} {run['peak_rss_mib']:>7.0f}Mi "
              f"{grown:>8.0f}Mi {run['arrays_mib']:>12.0f}Mi {working:>10.0f}Mi")  # fmt: skip
    big, small = runs[-1], runs[0]
    print(
        f"\n{big['side']}px with {args.tile}px tiles ({big['tiles']} tiles): peak RSS "
        f"{big['peak_rss_mib']:.0f} MiB, of which {big['arrays_mib']:.0f} MiB are the input and "
        f"the {big['out'][1]}x{big['out'][0]} result themselves; untiled {small['side']}px peaks "
        f"at {small['peak_rss_mib']:.0f} MiB. 'working set' = peak growth during the upscale "
        "minus the in/out arrays: what tiling bounds."
    )


if __name__ == "__main__":
    main()
