"""Wildcards (dynamicprompts) planned into per-image prompts, and A1111 styles.csv."""

from __future__ import annotations

import pytest

from studio.core.errors import ParamsError
from studio.core.params import GenerationParams
from studio.core.prompts.styles import Style, apply_style, read_styles, write_styles
from studio.core.prompts.wildcards import combinations, plan_images, resolve


@pytest.fixture
def folders(tmp_path):
    (tmp_path / "material.txt").write_text("iron\ngold\nglass\n", encoding="utf-8")
    return [tmp_path]


def test_combinations_count_and_content(folders):
    found = combinations("{red|blue} dragon of __material__", folders)
    assert sorted(found) == sorted(
        f"{c} dragon of {m}" for c in ("red", "blue") for m in ("iron", "gold", "glass")
    )
    assert combinations("a plain (prompt:1.2)", folders) == ["a plain (prompt:1.2)"]


def test_seeded_resolution_is_reproducible(folders):
    template = "{red|blue|gold|green|white} dragon, __material__"
    assert resolve(template, 42, folders) == resolve(template, 42, folders)
    assert len({resolve(template, seed, folders) for seed in range(30)}) > 3


def test_plan_count_n_resolves_each_image_with_its_seed(folders):
    params = GenerationParams(prompt="{red|blue|gold} dragon <lora:x:1>", seed=10, count=4)
    images = plan_images(params, folders)
    assert [p.seed for p in images] == [10, 11, 12, 13] and all(p.count == 1 for p in images)
    assert [p.prompt for p in images] == [resolve(params.prompt, s, folders) for s in range(10, 14)]
    assert all(p.extra["Template"] == params.prompt for p in images)
    assert all(p.prompt.endswith(" dragon <lora:x:1>") for p in images)


def test_plan_all_combinations_at_the_jobs_seeds(folders):
    params = GenerationParams(
        prompt="{red|blue} __material__", seed=5, count=2, extra={"combinations": True}
    )
    images = plan_images(params, folders)
    assert len(images) == 2 * 3 * 2
    assert {(p.prompt, p.seed) for p in images} == {
        (f"{c} {m}", s) for c in ("red", "blue") for m in ("iron", "gold", "glass") for s in (5, 6)
    }
    assert all("combinations" not in p.extra for p in images)


def test_plain_prompt_plan_is_unchanged(folders):
    params = GenerationParams(prompt="a castle", negative="blurry", seed=1, count=2)
    images = plan_images(params, folders)
    assert [(p.prompt, p.negative, p.seed) for p in images] == [
        ("a castle", "blurry", 1),
        ("a castle", "blurry", 2),
    ]
    assert all("Template" not in p.extra for p in images)


def test_wildcard_errors_are_one_line(folders):
    with pytest.raises(ParamsError, match=r"__nothing__ has no file nothing\.txt"):
        resolve("a __nothing__ dragon", 1, folders)
    with pytest.raises(ParamsError, match="wildcard syntax"):
        combinations("{a|b dragon} }{", folders)


def test_styles_csv_round_trip_and_apply(tmp_path):
    path = tmp_path / "styles.csv"
    path.write_text(
        'name,prompt,negative_prompt\nInk,"ink wash of {prompt}, sumi-e",blurry\n'
        "Moody,dark lighting,\n",
        encoding="utf-8",
    )
    styles = read_styles(path)
    assert styles == [
        Style("Ink", "ink wash of {prompt}, sumi-e", "blurry"),
        Style("Moody", "dark lighting", ""),
    ]
    assert apply_style(styles[0], "a fox", "") == ("ink wash of a fox, sumi-e", "blurry")
    assert apply_style(styles[1], "a fox", "ugly") == ("a fox, dark lighting", "ugly")
    write_styles([*styles, Style("New", 'say "hi", {prompt}', "x")], path)
    assert read_styles(path)[-1] == Style("New", 'say "hi", {prompt}', "x")
    assert path.read_text(encoding="utf-8").splitlines()[0] == "name,prompt,negative_prompt"


def test_batch_spec_combinations_and_seeded_wildcards(tmp_path, folders):
    from studio.core.batch_spec import parse_spec

    text = """
model = "tiny"
[[job]]
prompt = "{red|blue} __material__ dragon"
combinations = true
[[job]]
prompt = "{red|blue|gold|green} knight"
seeds = [3, 4]
"""
    spec = parse_spec(text, tmp_path / "spec.toml", wildcard_folders=folders)
    first = [i.params for i in spec.images if i.job == 1]
    assert sorted(p.prompt for p in first) == sorted(
        f"{c} {m} dragon" for c in ("red", "blue") for m in ("iron", "gold", "glass")
    )
    assert all(p.extra["Template"] == "{red|blue} __material__ dragon" for p in first)
    second = [i.params for i in spec.images if i.job == 2]
    assert [p.prompt for p in second] == [
        resolve("{red|blue|gold|green} knight", s, folders) for s in (3, 4)
    ]
    assert [i.index for i in spec.images] == list(range(1, 9))
