"""Vary (Subtle) / Vary (Strong): N new images close to a picked one.

Two mechanisms, chosen per parent and always named to the user:
- "variation seed": a text-to-image result whose seed is known keeps its seed and gets a
  variation seed mixed into its starting noise (A1111's slerp) at a small or larger strength;
  the children count their variation seeds up from a fresh one.
- "img2img": any other image (an edited canvas, an img2img/inpaint result, a child that already
  has a variation seed) is repainted from its pixels at a subtle or strong strength, as Fooocus
  does (its 0.5 / 0.85).
Strengths measured on `tiny` with bench/vary_strengths.py (bench/RESULTS.md).
"""

from __future__ import annotations

from dataclasses import dataclass

from studio.core.errors import ParamsError
from studio.core.family import as_child_of
from studio.core.params import MAX_SEED, GenerationParams

KINDS = ("subtle", "strong")
VARIATION_STRENGTH = {"subtle": 0.1, "strong": 0.3}
IMG2IMG_STRENGTH = {"subtle": 0.5, "strong": 0.85}
VARIATION_SEED = "variation seed"
IMG2IMG = "img2img"


@dataclass(frozen=True)
class VaryPlan:
    """One job rendering `params.count` children; `needs_image`: send the parent's pixels."""

    kind: str
    mechanism: str
    params: GenerationParams

    @property
    def needs_image(self) -> bool:
        return self.mechanism == IMG2IMG

    def describe(self) -> str:
        p = self.params
        title = f"Vary ({self.kind.capitalize()})"
        if self.mechanism == VARIATION_SEED:
            return (
                f"{title}: seed {p.seed} with variation seeds {p.variation_seed}+ mixed in "
                f"at {p.variation_strength:g}"
            )
        return f"{title}: img2img from the image at strength {p.strength:g}, seeds {p.seed}+"


def can_use_variation_seed(parent: GenerationParams | None) -> bool:
    """Whether the parent's starting noise is known: a plain text-to-image seed."""
    return parent is not None and parent.mode == "txt2img" and not parent.varies


def plan_vary(
    parent: GenerationParams | None,
    kind: str,
    count: int,
    fresh_seed: int,
    *,
    fallback: GenerationParams | None = None,
    size: tuple[int, int] | None = None,
) -> VaryPlan:
    """Plan the children of `parent` (its exact params, or None for an image of unknown
    origin: then `fallback` gives prompt, model and steps, and `size` the image's size)."""
    if kind not in KINDS:
        raise ParamsError(f"vary must be 'subtle' or 'strong', got {kind!r}")
    if not 1 <= count <= 100:
        raise ParamsError(f"vary makes 1 to 100 images, got {count}")
    fresh_seed %= MAX_SEED + 1
    if can_use_variation_seed(parent):
        assert parent is not None
        child = parent.replace(
            count=count, variation_seed=fresh_seed, variation_strength=VARIATION_STRENGTH[kind]
        )
        return VaryPlan(kind, VARIATION_SEED, as_child_of(child, parent).validated())
    source = parent or fallback or GenerationParams()
    width, height = size or (source.width, source.height)
    child = source.replace(
        mode="img2img",
        strength=IMG2IMG_STRENGTH[kind],
        seed=fresh_seed,
        count=count,
        variation_seed=None,
        variation_strength=0.0,
        width=max(8, width // 8 * 8),
        height=max(8, height // 8 * 8),
    )
    if parent is not None:
        child = as_child_of(child, parent)
    steps = child.steps
    if int(steps * child.strength) < 1:
        child = child.replace(steps=max(steps, 2))
    return VaryPlan(kind, IMG2IMG, child.validated())
