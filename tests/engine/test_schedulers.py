"""Schedulers by A1111 name: the class and config each name builds, and Karras spacing for real."""

from __future__ import annotations

import numpy as np
import pytest
from diffusers import (
    DDIMScheduler,
    DPMSolverMultistepScheduler,
    EulerAncestralDiscreteScheduler,
    EulerDiscreteScheduler,
    HeunDiscreteScheduler,
    LCMScheduler,
    UniPCMultistepScheduler,
)

from studio.core.params import SCHEDULERS
from studio.engine.models.tiny import SCHEDULER_CONFIG
from studio.engine.schedulers import make_scheduler

# name -> (class, config values that must hold). Absent keys: the class's own default.
TABLE = {
    "Euler a": (EulerAncestralDiscreteScheduler, {}),
    "Euler": (EulerDiscreteScheduler, {"use_karras_sigmas": False}),
    "DPM++ 2M": (
        DPMSolverMultistepScheduler,
        {"algorithm_type": "dpmsolver++", "solver_order": 2, "use_karras_sigmas": False},
    ),
    "DPM++ 2M Karras": (
        DPMSolverMultistepScheduler,
        {"algorithm_type": "dpmsolver++", "solver_order": 2, "use_karras_sigmas": True},
    ),
    "DPM++ SDE Karras": (
        DPMSolverMultistepScheduler,
        {"algorithm_type": "sde-dpmsolver++", "solver_order": 2, "use_karras_sigmas": True},
    ),
    "DDIM": (DDIMScheduler, {}),
    "UniPC": (UniPCMultistepScheduler, {}),
    "LCM": (LCMScheduler, {}),
    "Heun": (HeunDiscreteScheduler, {"use_karras_sigmas": False}),
    # Few-step models (Turbo, LCM, Lightning) want the last timestep first, whatever the model says.
    "Euler a Trailing": (EulerAncestralDiscreteScheduler, {"timestep_spacing": "trailing"}),
    "Euler Trailing": (
        EulerDiscreteScheduler,
        {"timestep_spacing": "trailing", "use_karras_sigmas": False},
    ),
    "DPM++ 2M Trailing": (
        DPMSolverMultistepScheduler,
        {
            "algorithm_type": "dpmsolver++",
            "timestep_spacing": "trailing",
            "use_karras_sigmas": False,
        },
    ),
}
KARRAS = {"DPM++ 2M Karras", "DPM++ SDE Karras"}


def test_the_table_covers_every_name() -> None:
    assert list(TABLE) == list(SCHEDULERS)


@pytest.mark.parametrize("name", SCHEDULERS)
@pytest.mark.parametrize("spacing", ["leading", "trailing"])
def test_each_name_builds_its_class_and_config_on_the_models_own_schedule(
    name: str, spacing: str
) -> None:
    # A model config that says Karras must not leak Karras into a plain name.
    base = {**SCHEDULER_CONFIG, "timestep_spacing": spacing, "use_karras_sigmas": True}
    scheduler = make_scheduler(name, base)
    cls, pinned = TABLE[name]
    assert type(scheduler) is cls
    for key, value in pinned.items():
        assert scheduler.config[key] == value, key
    # The model's training schedule and spacing carry over to every scheduler.
    for key in ("num_train_timesteps", "beta_start", "beta_end", "beta_schedule", "steps_offset"):
        assert scheduler.config[key] == SCHEDULER_CONFIG[key], key
    assert scheduler.config["prediction_type"] == "epsilon"
    assert scheduler.config["timestep_spacing"] == pinned.get("timestep_spacing", spacing)


def _karras(sigma_min: float, sigma_max: float, n: int, rho: float = 7.0) -> np.ndarray:
    """Karras et al. (2022) eq. 5, written out here independently of diffusers."""
    ramp = np.linspace(0, 1, n)
    return (
        sigma_max ** (1 / rho) + ramp * (sigma_min ** (1 / rho) - sigma_max ** (1 / rho))
    ) ** rho


def _training_sigmas() -> np.ndarray:
    c = SCHEDULER_CONFIG
    betas = np.linspace(c["beta_start"] ** 0.5, c["beta_end"] ** 0.5, c["num_train_timesteps"]) ** 2
    alphas_cumprod = np.cumprod(1.0 - betas)
    return np.sqrt((1 - alphas_cumprod) / alphas_cumprod)


@pytest.mark.parametrize("name", ["DPM++ 2M", "DPM++ 2M Karras", "DPM++ SDE Karras"])
def test_karras_names_run_on_karras_sigmas_and_plain_names_do_not(name: str) -> None:
    steps = 12
    scheduler = make_scheduler(name, SCHEDULER_CONFIG)
    scheduler.set_timesteps(steps)
    sigmas = scheduler.sigmas.numpy()[:-1]  # the last is the final 0
    train = _training_sigmas()
    karras = _karras(train.min(), train.max(), steps)
    if name in KARRAS:
        np.testing.assert_allclose(sigmas, karras, rtol=1e-4)
    else:
        assert np.abs(sigmas / karras - 1).max() > 0.1
        # the plain solver walks the model's own leading timesteps: evenly spaced, offset by 1
        timesteps = scheduler.timesteps.numpy()
        (step,) = set(np.diff(timesteps).tolist())
        assert (timesteps % -step == SCHEDULER_CONFIG["steps_offset"]).all()
