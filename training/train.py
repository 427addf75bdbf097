"""Train `mini`: stage 1 the VAE, stage 2 the UNet and text encoder, each until a wall-clock time.

    nohup nice -n 19 python -m training.train --vae-until 05:12 --unet-until 06:02 &
    python -m training.train --vae-steps 1921 --unet-steps 4000   # by steps: repeatable

Re-running the same command resumes from the last checkpoint (every 3 minutes).
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

import torch

from training.checkpoint import parse_until


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--run-dir", type=Path, default=Path("training/run"))
    parser.add_argument("--vae-until", default="1200", help="HH:MM UTC or seconds from now")
    parser.add_argument("--unet-until", default="4200", help="HH:MM UTC or seconds from now")
    parser.add_argument("--vae-steps", type=int, help="end the VAE after N steps (not a time)")
    parser.add_argument("--unet-steps", type=int, help="end the UNet after N steps (not a time)")
    parser.add_argument(
        "--layout-cap", type=float, default=0.0,
        help="weigh high-noise steps by their x0 error, capped at this (0: plain min-SNR)",
    )  # fmt: skip
    parser.add_argument(
        "--pyramid-noise", type=float, default=0.0,
        help="add coarser noise levels weighted discount**level (0: plain + offset noise)",
    )  # fmt: skip
    parser.add_argument("--peak-lr", type=float, default=1e-3)
    parser.add_argument("--init-from", type=Path, help="fine-tune: start from this run's UNet")
    parser.add_argument(
        "--train-tokens", action="store_true", help="train the caption words' token rows"
    )
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--stage", choices=["all", "vae", "unet"], default="all")
    args = parser.parse_args(argv)
    torch.set_num_threads(args.threads)
    args.run_dir.mkdir(parents=True, exist_ok=True)
    log_file = (args.run_dir / "train.log").open("a")

    def log(message: str) -> None:
        line = f"{time.strftime('%H:%M:%S', time.gmtime())} {message}"
        print(line, file=log_file, flush=True)
        print(line, flush=True)

    log(f"start: {' '.join(sys.argv)}")
    if args.stage in ("all", "vae"):
        from training.train_vae import train_vae

        train_vae(args.run_dir, parse_until(args.vae_until), args.seed, log, args.vae_steps)
    if args.stage in ("all", "unet"):
        from training.train_unet import train_unet

        train_unet(
            args.run_dir, parse_until(args.unet_until), args.seed, log, args.unet_steps,
            args.layout_cap, args.pyramid_noise, args.peak_lr, args.init_from, args.train_tokens,
        )  # fmt: skip
    log("finished")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
