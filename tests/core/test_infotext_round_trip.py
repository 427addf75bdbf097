"""Infotext as A1111 writes and reads it: Sampler + Schedule type, and a full round trip of every
field through PNG, JPEG and WebP exports."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from studio.core.export.formats import encode_image
from studio.core.imagefiles import read_image
from studio.core.metadata import (
    format_infotext,
    params_from_infotext,
    params_from_text_chunks,
    parse_infotext,
)
from studio.core.params import SCHEDULERS, GenerationParams

# Every scheduler the studio offers, as A1111 1.9+ writes it (Sampler, Schedule type).
A1111_PAIRS = {
    "Euler a": ("Euler a", "Automatic"),
    "Euler": ("Euler", "Automatic"),
    "DPM++ 2M": ("DPM++ 2M", "Uniform"),  # A1111's "Automatic" would mean Karras here
    "DPM++ 2M Karras": ("DPM++ 2M", "Karras"),
    "DPM++ SDE Karras": ("DPM++ SDE", "Karras"),
    "DDIM": ("DDIM", "Automatic"),
    "UniPC": ("UniPC", "Automatic"),
    "LCM": ("LCM", "Automatic"),
    "Heun": ("Heun", "Automatic"),
    "Euler a Trailing": ("Euler a", "SGM Uniform"),  # A1111's name for trailing spacing
    "Euler Trailing": ("Euler", "SGM Uniform"),
    "DPM++ 2M Trailing": ("DPM++ 2M", "SGM Uniform"),
}


def test_the_table_covers_every_scheduler() -> None:
    assert set(A1111_PAIRS) == set(SCHEDULERS)


@pytest.mark.parametrize("name", SCHEDULERS)
def test_scheduler_is_written_as_sampler_and_schedule_type(name: str) -> None:
    fields = parse_infotext(format_infotext(GenerationParams(scheduler=name)))
    assert (fields["Sampler"], fields["Schedule type"]) == A1111_PAIRS[name]
    assert params_from_infotext(format_infotext(GenerationParams(scheduler=name))).scheduler == name


@pytest.mark.parametrize(
    ("sampler", "schedule", "expected"),
    [
        ("DPM++ 2M", "Karras", "DPM++ 2M Karras"),
        ("DPM++ 2M", "Automatic", "DPM++ 2M Karras"),  # A1111's default for DPM++ 2M
        ("DPM++ SDE", "Karras", "DPM++ SDE Karras"),
        ("DPM++ 2M", "Uniform", "DPM++ 2M"),
        ("Euler a", "Automatic", "Euler a"),
        ("DPM++ 2M Karras", None, "DPM++ 2M Karras"),  # A1111 before 1.9, older studio files
        ("DPM++ 2M", None, "DPM++ 2M"),
    ],
)
def test_a1111_sampler_and_schedule_type_select_the_scheduler(
    sampler: str, schedule: str | None, expected: str
) -> None:
    pairs = f"Steps: 20, Sampler: {sampler}, " + (
        f"Schedule type: {schedule}, " if schedule else ""
    )
    params = params_from_infotext(f"castle\n{pairs}CFG scale: 7, Seed: 1, Size: 512x512")
    assert params.scheduler == expected
    assert "Schedule type" not in params.extra


@pytest.mark.parametrize(("sampler", "schedule"), [("Euler", "Exponential"), ("Euler", "Karras")])
def test_a_schedule_the_studio_lacks_stays_visible(sampler: str, schedule: str) -> None:
    text = f"castle\nSteps: 20, Sampler: {sampler}, Schedule type: {schedule}, CFG scale: 7"
    params = params_from_infotext(text)
    assert params.scheduler == sampler and params.extra["Schedule type"] == schedule


FULL = GenerationParams(
    prompt='a castle: "big", on a cliff\nsecond line 🏰',
    negative="blurry, ugly",
    mode="inpaint",
    model="my model, v2",
    scheduler="DPM++ 2M Karras",
    steps=23,
    cfg=6.5,
    seed=4_000_000_123,
    width=640,
    height=384,
    strength=0.55,
    mask_blur=9,
    padding=48,
    inpaint_area="whole",
    extra={"mask_grow": 6, "color_match": True},
)


@pytest.mark.parametrize(
    "params",
    [
        FULL,
        FULL.replace(mode="img2img", scheduler="Euler a", negative="", extra={}),
        FULL.replace(mode="txt2img", scheduler="DPM++ SDE Karras", extra={}),
        FULL.replace(mode="outpaint", extend=(8, 0, 64, 16), scheduler="Heun", extra={}),
        FULL.replace(inpaint_area="masked", scheduler="DPM++ 2M", extra={"mask_grow": -3}),
    ],
    ids=["inpaint", "img2img", "txt2img", "outpaint", "inpaint-masked"],
)
@pytest.mark.parametrize("fmt", ["png", "jpeg", "webp"])
def test_every_field_survives_an_export(tmp_path: Path, params: GenerationParams, fmt: str) -> None:
    params = params.validated()
    path = tmp_path / f"out.{fmt}"
    path.write_bytes(encode_image(np.zeros((16, 16, 3), np.uint8), params, fmt))
    _, chunks = read_image(path)
    # JPEG and WebP carry only the infotext; PNG carries both, so check each chunk alone.
    infotext_only = {"parameters": chunks["parameters"]}
    for chunk in (chunks, infotext_only):
        back = params_from_text_chunks(chunk)
        assert back is not None
        expected = params
        if params.mode == "txt2img":  # strength means nothing without an input image
            expected = params.replace(strength=back.strength)
        if params.mode not in ("inpaint",):
            expected = expected.replace(
                mask_blur=back.mask_blur, padding=back.padding, inpaint_area=back.inpaint_area
            )
        assert back == expected
        assert back.extra == expected.extra


def test_infotext_keys_are_the_a1111_ones() -> None:
    fields = parse_infotext(format_infotext(FULL.validated()))
    assert {
        key: fields[key]
        for key in (
            "Steps",
            "Sampler",
            "Schedule type",
            "CFG scale",
            "Seed",
            "Size",
            "Model",
            "Denoising strength",
            "Mask blur",
            "Inpaint area",
            "Masked area padding",
        )
    } == {
        "Steps": "23",
        "Sampler": "DPM++ 2M",
        "Schedule type": "Karras",
        "CFG scale": "6.5",
        "Seed": "4000000123",
        "Size": "640x384",
        "Model": "my model, v2",
        "Denoising strength": "0.55",
        "Mask blur": "9",
        "Inpaint area": "Whole picture",
        "Masked area padding": "48",
    }
