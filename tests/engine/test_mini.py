"""The built-in demo model `mini` paints what the prompt says (read back by pixel analysis).

64 px, a few steps, fixed seeds. The figures over 100+ held-out captions are in bench/RESULTS.md
(training/evaluate.py); these tests check the meaning on cases the model handles reliably.
"""

from __future__ import annotations

import numpy as np
import pytest

from studio.core.demo_model import mini_available
from studio.core.inpaint.masks import composite_mask
from studio.core.params import GenerationParams
from studio.engine.api import Engine
from studio.engine.models.catalog import list_models, resolve_model
from training.classify import classify, dominant_colour, shape_mask
from training.data import Scene, render

pytestmark = pytest.mark.skipif(
    not mini_available(),
    reason="resources/models/mini is not installed: train and export it (see training/)",
)
BASE = GenerationParams(
    model="mini", scheduler="DPM++ 2M", steps=12, cfg=5.0, seed=3, width=64, height=64,
    device="cpu", dtype="float32",
)  # fmt: skip
SEEDS = (3, 4, 5)


@pytest.fixture(scope="module")
def mini() -> Engine:
    from studio.core.settings import Settings

    engine = Engine(Settings())
    engine.load("mini", "cpu", "float32")
    return engine


def paint(engine: Engine, prompt: str, seed: int) -> np.ndarray:
    return engine.generate(BASE.replace(prompt=prompt, seed=seed))[0].image[..., :3]


def shape_colour(image: np.ndarray) -> str | None:
    background, mask = shape_mask(image)
    return dominant_colour(image[mask], exclude=background) if mask.sum() >= 12 else None


def test_mini_is_a_bundled_diffusers_folder_labelled_as_a_demo():
    ref = resolve_model("mini", [])
    assert ref.kind == "folder" and ref.location.endswith("models/mini")
    listed = {r.name: r for r in list_models([])}
    assert "demo model" in listed["mini"].describe()


def test_mini_text_encoder_keys_are_the_form_every_transformers_reads():
    # transformers < 5.6 (pulled in by studio[openvino]) reads only `text_model.*` keys and would
    # silently start mini's text encoder from random weights.
    from pathlib import Path

    from safetensors import safe_open

    path = Path(resolve_model("mini", []).location) / "text_encoder" / "model.safetensors"
    with safe_open(str(path), "pt") as weights:
        keys = list(weights.keys())
    assert keys and all(key.startswith("text_model.") for key in keys)


def test_mini_loads_by_the_user_model_path_at_64_px(mini):
    loaded = mini.loaded() if callable(getattr(mini, "loaded", None)) else mini._model
    assert loaded.ref.kind == "folder" and loaded.native_size == 64
    assert type(loaded.base).__name__ == "StableDiffusionPipeline"


@pytest.mark.parametrize("colour", ["red", "blue", "yellow"])
def test_the_colour_word_sets_the_shapes_colour(mini, colour):
    prompt = f"a {colour} square on a white background, centre, large"
    found = [shape_colour(paint(mini, prompt, seed)) for seed in SEEDS]
    assert found.count(colour) >= 2, found


def test_the_background_word_sets_the_background(mini):
    for background in ("black", "green"):
        image = paint(mini, f"a white circle on a {background} background, centre, large", 3)
        assert classify(image)["background"] == background


def test_an_inpainted_square_takes_the_prompted_colour_and_nothing_else_changes(mini):
    picture = render(Scene("circle", "black", "white", "left", "small"), np.random.default_rng(0))
    mask = np.zeros((64, 64), np.uint8)
    mask[16:48, 16:48] = 255
    params = BASE.replace(
        mode="inpaint", prompt="a red square on a white background, centre, large", strength=1.0,
        mask_blur=4,
    )  # fmt: skip
    hits = 0
    for seed in SEEDS:
        out = mini.generate(params.replace(seed=seed), image=picture, mask=mask)[0].image
        outside = composite_mask(mask, blur=4) == 0
        assert np.array_equal(out[outside], picture[outside])
        hits += shape_colour(out[22:42, 22:42]) == "red"
    assert hits >= 2


def test_img2img_at_low_strength_keeps_the_layout(mini):
    scene = Scene("square", "blue", "yellow", "left", "large")
    picture = render(scene, np.random.default_rng(1))
    params = BASE.replace(mode="img2img", prompt=scene.caption(), strength=0.3, seed=9)
    out = mini.generate(params, image=picture)[0].image[..., :3]
    found = classify(out)
    assert (found["background"], found["colour"], found["position"], found["size"]) == (
        "yellow", "blue", "left", "large",
    )  # fmt: skip
    assert np.abs(out.astype(int) - picture).mean() < 20
