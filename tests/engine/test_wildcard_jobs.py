"""A job with wildcards renders one resolved prompt per image, seeded, recorded in its params."""

from __future__ import annotations

import numpy as np

from studio.core.metadata import format_infotext, params_from_infotext
from studio.core.params import GenerationParams
from studio.core.prompts.wildcards import resolve
from studio.core.settings import Settings
from studio.engine.api import Engine


def test_count_n_renders_n_resolved_prompts_and_combinations(tmp_path):
    (tmp_path / "material.txt").write_text("iron\ngold\n", encoding="utf-8")
    engine = Engine(Settings(wildcard_dirs=[tmp_path]))
    template = "{red|blue|gold} dragon of __material__"
    job = GenerationParams(prompt=template, steps=2, width=64, height=64, seed=20, count=3)
    results = engine.generate(job)
    prompts = [r.params.prompt for r in results]
    assert prompts == [resolve(template, s, [tmp_path]) for s in (20, 21, 22)]
    assert all(r.params.extra["Template"] == template for r in results)
    again = engine.generate(job.replace(seed=21, count=1))[0]
    assert again.params.prompt == prompts[1] and np.array_equal(again.image, results[1].image)
    reused = engine.generate(params_from_infotext(format_infotext(results[2].params)))[0]
    assert np.array_equal(reused.image, results[2].image)
    every = engine.generate(job.replace(count=1, extra={"combinations": True}))
    assert sorted(r.params.prompt for r in every) == sorted(
        f"{c} dragon of {m}" for c in ("red", "blue", "gold") for m in ("iron", "gold")
    )
    assert {r.params.seed for r in every} == {20}
