"""Procedural scenes for the built-in `mini` model: one plain shape on a plain background.

Every scene is a combination (shape, colour, background, position, size) drawn with a little
jitter; captions are plain English ("a red circle on a white background, left, large").
A fixed, seeded subset of combinations is held out of training for the evaluation.
"""

from __future__ import annotations

import itertools
import random
from dataclasses import dataclass

import numpy as np
from PIL import Image, ImageDraw

SIZE = 64
SUPERSAMPLE = 4
COLOURS: dict[str, tuple[int, int, int]] = {
    "red": (220, 30, 30),
    "orange": (245, 140, 20),
    "yellow": (245, 220, 30),
    "green": (40, 170, 60),
    "blue": (40, 80, 220),
    "purple": (140, 50, 180),
    "black": (15, 15, 15),
    "white": (245, 245, 245),
}
SHAPES = ("circle", "square", "triangle")
# Centre of the shape's bounding box, as a fraction of the side.
POSITIONS: dict[str, tuple[float, float]] = {
    "left": (0.27, 0.5),
    "right": (0.73, 0.5),
    "top": (0.5, 0.27),
    "bottom": (0.5, 0.73),
    "centre": (0.5, 0.5),
}
# Half the side of the shape's bounding box, as a fraction of the image side.
SIZES: dict[str, float] = {"small": 0.12, "large": 0.22}
HELD_OUT_FRACTION = 0.1
SPLIT_SEED = 1234


@dataclass(frozen=True)
class Scene:
    shape: str
    colour: str
    background: str
    position: str
    size: str

    def caption(self, position: bool = True, size: bool = True) -> str:
        article = "an" if self.colour[0] in "aeiou" else "a"
        text = f"{article} {self.colour} {self.shape} on a {self.background} background"
        if position:
            text += f", {self.position}"
        if size:
            text += f", {self.size}"
        return text


def all_scenes() -> list[Scene]:
    return [
        Scene(shape, colour, bg, pos, size)
        for shape, colour, bg, pos, size in itertools.product(
            SHAPES, COLOURS, COLOURS, POSITIONS, SIZES
        )
        if colour != bg
    ]


def split() -> tuple[list[Scene], list[Scene]]:
    """(train, held_out): held-out combinations never appear in training."""
    scenes = all_scenes()
    order = list(range(len(scenes)))
    random.Random(SPLIT_SEED).shuffle(order)
    cut = int(len(scenes) * HELD_OUT_FRACTION)
    held = sorted(order[:cut])
    held_set = set(held)
    return [s for i, s in enumerate(scenes) if i not in held_set], [scenes[i] for i in held]


def _jitter_colour(rgb: tuple[int, int, int], rng: np.random.Generator) -> tuple[int, ...]:
    return tuple(int(np.clip(c + rng.integers(-12, 13), 0, 255)) for c in rgb)


def render(scene: Scene, rng: np.random.Generator) -> np.ndarray:
    """An (H, W, 3) uint8 image of the scene, antialiased by supersampling."""
    side = SIZE * SUPERSAMPLE
    image = Image.new("RGB", (side, side), _jitter_colour(COLOURS[scene.background], rng))
    draw = ImageDraw.Draw(image)
    fx, fy = POSITIONS[scene.position]
    cx = (fx + rng.uniform(-0.035, 0.035)) * side
    cy = (fy + rng.uniform(-0.035, 0.035)) * side
    half = SIZES[scene.size] * rng.uniform(0.9, 1.1) * side
    fill = _jitter_colour(COLOURS[scene.colour], rng)
    box = (cx - half, cy - half, cx + half, cy + half)
    if scene.shape == "circle":
        draw.ellipse(box, fill=fill)
    elif scene.shape == "square":
        draw.rectangle(box, fill=fill)
    else:
        draw.polygon([(cx, cy - half), (cx + half, cy + half), (cx - half, cy + half)], fill=fill)
    return np.asarray(image.resize((SIZE, SIZE), Image.Resampling.BOX))


def sample_caption(scene: Scene, rng: np.random.Generator) -> str:
    """Mostly the full caption; sometimes without the position and/or size words."""
    roll = rng.random()
    if roll < 0.7:
        return scene.caption()
    if roll < 0.8:
        return scene.caption(position=False)
    if roll < 0.9:
        return scene.caption(size=False)
    return scene.caption(position=False, size=False)


def make_dataset(scenes: list[Scene], count: int, seed: int) -> tuple[np.ndarray, list[Scene]]:
    """`count` rendered images (N, 64, 64, 3) uint8 cycling through `scenes`, with their scenes."""
    rng = np.random.default_rng(seed)
    rounds = -(-count // len(scenes))
    order = np.concatenate([rng.permutation(len(scenes)) for _ in range(rounds)])[:count]
    picks = [scenes[i] for i in order]
    images = np.stack([render(scene, rng) for scene in picks])
    return images, picks
