"""Sweep axes: A1111's value forms, Prompt S/R, limits, and only documented errors."""

from __future__ import annotations

import contextlib

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from studio.core.params import GenerationParams
from studio.core.sweep import (
    KINDS,
    MAX_IMAGES,
    SweepError,
    parse_axis,
    parse_axis_spec,
    plan_from_table,
    plan_sweep,
)

BASE = GenerationParams(prompt="a castle at dusk", negative="castle ruins", model="tiny")


@pytest.mark.parametrize(
    ("text", "floats", "ints"),
    [
        ("4, 7, 9", [4.0, 7.0, 9.0], [4, 7, 9]),
        ("1-5", [1.0, 2.0, 3.0, 4.0, 5.0], [1, 2, 3, 4, 5]),
        ("1-5 (+2)", [1.0, 3.0, 5.0], [1, 3, 5]),
        ("10-5 (-3)", [10.0, 7.0, 4.0], [10, 7]),  # A1111's own expansions, quirks and all
        ("1-10 [5]", [1.0, 3.25, 5.5, 7.75, 10.0], [1, 3, 5, 7, 10]),
        ("2, 5-7", [2.0, 5.0, 6.0, 7.0], [2, 5, 6, 7]),
        ("0.5-1.5 (+0.5)", [0.5, 1.0, 1.5], None),
    ],
)
def test_a1111_value_forms(text, floats, ints):
    assert list(parse_axis("cfg", text).values) == floats
    if ints is None:
        with pytest.raises(SweepError, match="not a whole number"):
            parse_axis("steps", text)
    else:
        assert list(parse_axis("steps", text).values) == ints


def test_lists_from_toml_and_names():
    assert parse_axis("CFG Scale", [4, 7.5, "9-10"]).values == (4.0, 7.5, 9.0, 10.0)
    assert parse_axis("sampler", "euler a, DPM++ 2M").values == ("euler a", "DPM++ 2M")
    axis = parse_axis_spec('prompt="castle, at dusk",lighthouse')
    assert axis.values == ("castle, at dusk", "lighthouse")


def test_prompt_sr_replaces_in_prompt_and_negative():
    plan = plan_sweep(BASE, parse_axis_spec("prompt=castle,lighthouse,temple"))
    assert [c.params.prompt for c in plan.cells] == [
        "a castle at dusk",
        "a lighthouse at dusk",
        "a temple at dusk",
    ]
    assert plan.cells[2].params.negative == "temple ruins"
    assert plan.cells[1].params.extra["sweep"] == {
        "x": {"axis": "Prompt S/R", "value": "lighthouse"}
    }


def test_cells_cross_the_axes_x_fastest():
    plan = plan_from_table(BASE, {"cfg": [4, 7], "steps": "10-30 (+10)"})
    assert plan.shape == (2, 3, 1)
    assert [(c.params.cfg, c.params.steps) for c in plan.cells] == [
        (4.0, 10),
        (7.0, 10),
        (4.0, 20),
        (7.0, 20),
        (4.0, 30),
        (7.0, 30),
    ]


@pytest.mark.parametrize(
    ("x", "y", "message"),
    [
        ("colour=1,2", None, "unknown sweep axis 'colour'"),
        ("steps=ten,20", None, "'ten' is not a whole number"),
        ("cfg=1-5 (+0)", None, "step of 0"),
        ("steps=5-1", None, "no values"),
        ("prompt=tower,lighthouse", None, "did not find 'tower'"),
        ("cfg", None, "NAME=VALUES"),
        ("steps=0,5", None, "steps must be"),
        ("sampler=Euler,Warp drive", None, "unknown scheduler"),
        ("size=64x64,65x64", None, "multiple of 8"),
        ("seed=1-100", "steps=1-11", "more than the limit of 1000"),
        ("seed=1-100000", None, "more than 1000 values"),
        ("cfg=0-1 (+0.0000001)", None, "more than 1000 values"),
    ],
)
def test_bad_axes_are_refused_before_anything_renders(x, y, message):
    with pytest.raises(SweepError, match=message):
        plan_sweep(BASE, parse_axis_spec(x), parse_axis_spec(y) if y else None)


def test_time_estimate_words():
    from studio.core.sweep.plan import rough_time

    assert rough_time(20) == "under a minute"
    assert rough_time(12 * 60 + 10) == "about 12 min"
    assert rough_time(3 * 3600 + 5 * 60) == "about 3 h 5 min"
    plan = plan_sweep(BASE.replace(width=512, height=512, steps=10), parse_axis("seed", "1-6"))
    assert plan.estimate_seconds(2.0) == 6 * 10 * 2.0


def test_a_long_list_is_refused_while_it_is_read():
    with pytest.raises(SweepError, match="more than 1000 values"):
        parse_axis("seed", ",".join(str(n) for n in range(MAX_IMAGES + 1)))


def test_the_limit_is_the_product():
    axis = parse_axis("seed", f"1-{MAX_IMAGES}")
    assert plan_sweep(BASE, axis).count == MAX_IMAGES
    assert plan_sweep(BASE, parse_axis("seed", "1-65")).needs_confirmation()
    assert not plan_sweep(BASE, parse_axis("seed", "1-64")).needs_confirmation()


names = st.sampled_from([k.name for k in KINDS] + ["cfg scale", "Var. seed", "bogus", ""])
values = st.text(alphabet=st.sampled_from(list("0123456789.-+()[], \"'abcex\n")), max_size=30)


@settings(max_examples=400, deadline=None)
@given(name=names, text=values | st.text(max_size=30))
def test_no_text_raises_anything_but_the_documented_error(name, text):
    with contextlib.suppress(SweepError):
        plan_sweep(BASE, parse_axis(name, text))
    with contextlib.suppress(SweepError):
        parse_axis_spec(text)
