"""The built-in `mini` demo model: a small latent diffusion model trained in this repository.

It paints one plain shape (circle, square, triangle) in a plain colour on a plain background,
64 px, from captions such as "a red circle on a white background, left, large". It is a diffusers
folder under resources/models/mini, loaded by the same path as any user model; the data, training
and evaluation scripts are in training/ (see bench/RESULTS.md for how well it follows prompts).
"""

from __future__ import annotations

from studio.core.demo_model import MINI_NAME, mini_available, mini_folder

MINI_LABEL = "(built-in demo model: simple shapes and colours, 64 px)"

__all__ = ["MINI_LABEL", "MINI_NAME", "mini_available", "mini_folder"]
