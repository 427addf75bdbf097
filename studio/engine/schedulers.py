"""Schedulers by the names artists know (A1111 / ComfyUI naming)."""

from __future__ import annotations

from typing import Any

from studio.core.params import canonical_scheduler

# Few-step models are distilled to start from pure noise: the last training timestep.
TRAILING = {"timestep_spacing": "trailing"}


def _choices() -> dict[str, tuple[Any, dict[str, Any]]]:
    from diffusers import (
        DDIMScheduler,
        DPMSolverMultistepScheduler,
        EulerAncestralDiscreteScheduler,
        EulerDiscreteScheduler,
        HeunDiscreteScheduler,
        LCMScheduler,
        UniPCMultistepScheduler,
    )

    return {
        "Euler a": (EulerAncestralDiscreteScheduler, {}),
        "Euler": (EulerDiscreteScheduler, {}),
        "DPM++ 2M": (DPMSolverMultistepScheduler, {"algorithm_type": "dpmsolver++"}),
        "DPM++ 2M Karras": (
            DPMSolverMultistepScheduler,
            {"algorithm_type": "dpmsolver++", "use_karras_sigmas": True},
        ),
        # The SDE variant of DPM++ with Karras sigmas, without the torchsde dependency.
        "DPM++ SDE Karras": (
            DPMSolverMultistepScheduler,
            {"algorithm_type": "sde-dpmsolver++", "use_karras_sigmas": True},
        ),
        "DDIM": (DDIMScheduler, {}),
        "UniPC": (UniPCMultistepScheduler, {}),
        "LCM": (LCMScheduler, {}),
        "Heun": (HeunDiscreteScheduler, {}),
        "Euler a Trailing": (EulerAncestralDiscreteScheduler, TRAILING),
        "Euler Trailing": (EulerDiscreteScheduler, TRAILING),
        "DPM++ 2M Trailing": (
            DPMSolverMultistepScheduler,
            {"algorithm_type": "dpmsolver++", **TRAILING},
        ),
    }


def make_scheduler(name: str, base_config: dict[str, Any]):
    """A fresh scheduler of the named kind built from the model's own scheduler config."""
    cls, overrides = _choices()[canonical_scheduler(name)]
    config = {k: v for k, v in dict(base_config).items() if not k.startswith("_")}
    for key in ("use_karras_sigmas", "algorithm_type"):
        config.pop(key, None)
    return cls.from_config({**config, **overrides})
