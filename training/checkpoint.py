"""Time-planned phases with periodic checkpoints, so an interrupted run resumes where it stopped."""

from __future__ import annotations

import json
import math
import time
from datetime import UTC, datetime
from pathlib import Path

import torch


def parse_until(text: str) -> float:
    """'HH:MM' (UTC, today) or seconds from now -> a Unix time."""
    if ":" in text:
        hours, minutes = (int(p) for p in text.split(":"))
        now = datetime.now(UTC)
        return now.replace(hour=hours, minute=minutes, second=0, microsecond=0).timestamp()
    return time.time() + float(text)


def cosine_lr(peak: float, floor: float, progress: float, warmup: float = 0.02) -> float:
    """Learning rate by the fraction of the phase's *time* spent (CPU contention varies)."""
    if progress < warmup:
        return peak * max(progress / warmup, 0.05)
    p = min(1.0, (progress - warmup) / (1 - warmup))
    return floor + 0.5 * (peak - floor) * (1 + math.cos(math.pi * p))


class Phase:
    """Tracks one phase's budget across restarts; state lives in run_dir/<name>_state.json.

    The budget is a wall-clock end (the learning rate follows the fraction of time spent, as
    CPU contention varies) or, with `steps`, a step count (the learning rate follows the
    fraction of steps done, so a rerun with the same seed repeats the same updates).
    """

    def __init__(self, run_dir: Path, name: str, until: float, steps: int | None = None) -> None:
        self.run_dir = run_dir
        self.name = name
        self.state_file = run_dir / f"{name}_state.json"
        self.ckpt_file = run_dir / f"{name}_ckpt.pt"
        if self.state_file.exists():
            self.state = json.loads(self.state_file.read_text())
        else:
            self.state = {"start": time.time(), "until": until, "step": 0, "done": False}
            if steps:
                self.state["steps"] = steps
        self.last_save = time.time()

    def progress(self, step: int) -> float:
        if self.state.get("steps"):
            return min(1.0, step / self.state["steps"])
        span = self.state["until"] - self.state["start"]
        return min(1.0, (time.time() - self.state["start"]) / max(span, 1.0))

    def finished(self, step: int) -> bool:
        if self.state.get("steps"):
            return self.state["done"] or step >= self.state["steps"]
        override = self.run_dir / f"{self.name}_until"  # 'HH:MM' written by hand moves the end
        if override.exists():
            self.state["until"] = parse_until(override.read_text().strip())
        return self.state["done"] or time.time() >= self.state["until"]

    def resume(self, objects: dict) -> int:
        if self.ckpt_file.exists():
            saved = torch.load(self.ckpt_file, weights_only=True)
            for key, obj in objects.items():
                obj.load_state_dict(saved[key])
            torch.set_rng_state(saved["rng"])
        return self.state["step"]

    def maybe_save(self, objects: dict, step: int, every_s: float = 180.0, force: bool = False):
        if not force and time.time() - self.last_save < every_s:
            return
        data = {key: obj.state_dict() for key, obj in objects.items()}
        data["rng"] = torch.get_rng_state()
        tmp = self.ckpt_file.with_suffix(".tmp")
        torch.save(data, tmp)
        tmp.replace(self.ckpt_file)
        self.state["step"] = step
        self.state_file.write_text(json.dumps(self.state))
        self.last_save = time.time()

    def mark_done(self) -> None:
        self.state["done"] = True
        self.state_file.write_text(json.dumps(self.state))
