"""GenerationParams validation and the A1111-compatible infotext round trip."""

from __future__ import annotations

import pytest

from studio.core.errors import ParamsError
from studio.core.metadata import (
    INFOTEXT_PAIR,
    format_infotext,
    params_from_infotext,
    params_from_text_chunks,
    params_to_json,
    parse_infotext,
)
from studio.core.params import GenerationParams, canonical_scheduler, parse_extend, parse_size


def test_scheduler_names_match_loosely():
    assert canonical_scheduler("dpm++ 2m  karras") == "DPM++ 2M Karras"
    assert canonical_scheduler("EULER A") == "Euler a"
    with pytest.raises(ParamsError, match="unknown scheduler"):
        canonical_scheduler("Euler b")


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"steps": 0}, "steps"),
        ({"steps": -3}, "steps"),
        ({"width": 100}, "multiple of 8"),
        ({"height": 0}, "multiple of 8"),
        ({"cfg": -1}, "cfg"),
        ({"strength": 1.5}, "strength"),
        ({"seed": -1}, "seed"),
        ({"count": 0}, "count"),
        ({"mode": "paint"}, "mode"),
        ({"device": "tpu"}, "device"),
    ],
)
def test_validation_names_the_problem(change, message):
    with pytest.raises(ParamsError, match=message):
        GenerationParams(**change).validated()


def test_size_and_extend_parsing():
    assert parse_size("640x512") == (640, 512)
    assert parse_extend("8,0,16,32") == (8, 0, 16, 32)
    assert parse_extend("64") == (64, 64, 64, 64)
    for bad in ("640", "axb", "-8x8"):
        with pytest.raises(ParamsError):
            parse_size(bad)


def test_infotext_matches_a1111_format_and_rule():
    params = GenerationParams(
        prompt="castle on a cliff, concept art",
        negative="blurry",
        scheduler="Euler a",
        steps=20,
        cfg=7,
        seed=1234,
        width=512,
        height=512,
        mode="img2img",
        strength=0.6,
    )
    text = format_infotext(params)
    assert text.splitlines()[:2] == ["castle on a cliff, concept art", "Negative prompt: blurry"]
    last = text.splitlines()[-1]
    assert last.startswith(
        "Steps: 20, Sampler: Euler a, Schedule type: Automatic, CFG scale: 7, Seed: 1234, "
        "Size: 512x512, Model: tiny"
    )
    assert "Denoising strength: 0.6" in last
    assert len(INFOTEXT_PAIR.findall(last)) >= 3


def test_infotext_round_trip_with_awkward_values():
    params = GenerationParams(
        prompt="a: b,\nsecond line",
        negative='bad, "quoted"',
        model="my model, v2: final",
        seed=99,
        mode="inpaint",
        mask_blur=8,
        padding=64,
    ).validated()
    back = params_from_infotext(format_infotext(params))
    assert back.prompt == params.prompt
    assert back.negative == params.negative
    assert back.model == params.model
    assert (back.seed, back.mode, back.mask_blur, back.padding) == (99, "inpaint", 8, 64)


def test_plain_a1111_infotext_is_read():
    text = (
        "girl with an artist's beret, determined, blue eyes\n"
        "Negative prompt: ugly, messy drawing\n"
        "Steps: 20, Sampler: Euler a, CFG scale: 7, Seed: 965400086, Size: 512x512, "
        "Model hash: 45dee52b"
    )
    fields = parse_infotext(text)
    assert fields["Model hash"] == "45dee52b"
    params = params_from_infotext(text)
    assert (
        params.seed == 965400086 and params.steps == 20 and params.negative == "ugly, messy drawing"
    )
    assert params.extra["Model hash"] == "45dee52b"


def test_studio_chunk_wins_and_is_exact():
    params = GenerationParams(prompt="x", cfg=6.5, seed=3, extend=(1, 2, 3, 4))
    chunks = {"studio": params_to_json(params), "parameters": "other\nSteps: 1, Seed: 1, Size: 8x8"}
    assert params_from_text_chunks(chunks) == params
    assert params_from_text_chunks({}) is None
