"""Few-step models (Turbo, LCM, Lightning, Hyper-SD, SDXS): recognise them, give them defaults.

Such a model runs in 1-8 steps at CFG 1 (which also skips the unconditional UNet pass); at
the usual 20 steps / CFG 7 it burns its colours. Recognised by name or config; the caller
can override the kind (e.g. `--model-kind standard`).
"""

from __future__ import annotations

import re
from typing import Any

# kind -> (steps, cfg, scheduler)
FAST_DEFAULTS: dict[str, tuple[int, float, str]] = {
    "turbo": (1, 1.0, "Euler a Trailing"),
    "lcm": (4, 1.0, "LCM"),
    "lightning": (4, 1.0, "Euler Trailing"),
    "hyper": (4, 1.0, "Euler Trailing"),
    "sdxs": (1, 1.0, "Euler a Trailing"),
}
MODEL_KINDS = ("auto", "standard", *FAST_DEFAULTS)
_NAME = re.compile(r"(?<![a-z])(turbo|lcm|lightning|hyper|sdxs)(?![a-z])", re.IGNORECASE)


def detect_kind(
    name: str, scheduler_config: dict[str, Any] | None = None, unet_config: Any = None
) -> str:
    """`standard` or one of FAST_DEFAULTS' kinds, from the model's name or its configs."""
    found = _NAME.search(name.replace("_", "-"))
    if found:
        return found.group(1).lower()
    if (scheduler_config or {}).get("_class_name") == "LCMScheduler":
        return "lcm"
    if getattr(unet_config, "time_cond_proj_dim", None):  # LCM-distilled UNets take w as input
        return "lcm"
    return "standard"


def kind_of(model: Any, override: str = "auto") -> str:
    """The loaded model's kind, unless `override` names one."""
    if override != "auto":
        return override
    unet = getattr(model.base, "unet", None)
    return detect_kind(model.ref.name, model.scheduler_config, getattr(unet, "config", None))


def fast_defaults(kind: str) -> dict[str, Any]:
    """steps/cfg/scheduler for a few-step kind; {} for a standard model."""
    if kind not in FAST_DEFAULTS:
        return {}
    steps, cfg, scheduler = FAST_DEFAULTS[kind]
    return {"steps": steps, "cfg": cfg, "scheduler": scheduler}
