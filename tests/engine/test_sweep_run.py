"""A sweep on the tiny model: cells with metadata, the labelled grid, cancel keeps cells."""

from __future__ import annotations

import json
import threading

import numpy as np
import pytest
from PIL import Image, ImageDraw

from studio.core.errors import Cancelled
from studio.core.export import read_embedded_params
from studio.core.params import GenerationParams
from studio.core.sweep import SweepOutput, parse_axis_spec, plan_sweep, run_sweep
from studio.core.sweep.grid import BACKGROUND, TEXT, label_font

BASE = GenerationParams(
    prompt="a castle on a hill", model="tiny", steps=2, width=64, height=64, seed=3
)


def render_with(engine, cancel=None):
    return lambda params: engine.generate(params, cancel=cancel)[0].image


def test_a_2x3_sweep_writes_six_cells_and_a_labelled_grid(engine, tmp_path):
    plan = plan_sweep(
        BASE, parse_axis_spec("cfg=4,9"), parse_axis_spec("prompt=castle,lighthouse,temple")
    )
    output = SweepOutput(tmp_path, plan)
    progress = []
    grids = run_sweep(plan, render_with(engine), output, on_cell=lambda *a: progress.append(a[:2]))
    assert progress == [(i, 6) for i in range(6)]
    assert [g.name for g in grids] == ["grid.png"]
    index = json.loads((tmp_path / "index.json").read_text())
    cells = sorted(name for name in index if name != "grid.png")
    assert len(cells) == 6 and len(list(tmp_path.glob("0*.png"))) == 6
    seen = set()
    for name in cells:
        params = read_embedded_params(tmp_path / name)
        sweep = params.extra["sweep"]
        assert sweep == index[name]["extra"]["sweep"]
        assert float(sweep["x"]["value"]) == params.cfg
        assert sweep["y"]["value"] in params.prompt
        seen.add((params.cfg, sweep["y"]["value"]))
    assert seen == {(c, w) for c in (4.0, 9.0) for w in ("castle", "lighthouse", "temple")}

    grid = np.asarray(Image.open(tmp_path / "grid.png").convert("RGB"))
    left, top = grid.shape[1] - 2 * 64, grid.shape[0] - 3 * 64
    assert left > 0 and top > 0  # bands for the labels
    for cell in plan.cells:  # every cell sits at its place, unscaled
        pixels = np.asarray(Image.open(output.files[cell.index]).convert("RGB"))
        x, y = left + cell.x * 64, top + cell.y * 64
        assert np.array_equal(grid[y : y + 64, x : x + 64], pixels)

    labels = index["grid.png"]["extra"]["sweep_grid"]["labels"]
    texts = [label["text"] for label in labels]
    assert {"castle", "lighthouse", "temple", "X: CFG scale", "Y: Prompt S/R"} <= set(texts)
    joined = " ".join(texts)
    assert "scale: 4" in joined and "scale: 9" in joined
    font = label_font()
    for label in labels:  # each label's text, drawn alone, is what the grid holds there
        x0, y0, x1, y1 = label["box"]
        alone = Image.new("RGB", (x1 - x0, y1 - y0), BACKGROUND)
        ImageDraw.Draw(alone).text((0, 0), label["text"], fill=TEXT, font=font)
        expected = np.asarray(alone)
        assert (expected != BACKGROUND).any()  # ink, not blank
        assert np.array_equal(grid[y0:y1, x0:x1], expected), label["text"]


def test_cancelling_mid_sweep_keeps_the_finished_cells(engine, tmp_path):
    plan = plan_sweep(BASE, parse_axis_spec("seed=1-4"))
    output = SweepOutput(tmp_path, plan)
    cancel = threading.Event()

    def on_cell(done, total, cell):
        if done == 2:
            cancel.set()  # the third cell stops within a step

    with pytest.raises(Cancelled):
        run_sweep(plan, render_with(engine, cancel), output, on_cell=on_cell, cancel=cancel)
    index = json.loads((tmp_path / "index.json").read_text())
    cells = sorted(p.name for p in tmp_path.glob("0*.png"))
    assert len(cells) == 2 and set(cells) <= set(index)
    assert [read_embedded_params(tmp_path / n).seed for n in cells] == [1, 2]
    grid = np.asarray(Image.open(tmp_path / "grid.png").convert("RGB"))
    left, top = grid.shape[1] - 4 * 64, grid.shape[0] - 64
    assert (grid[top + 10, left + 3 * 64 + 10] == (64, 64, 64)).all()  # a blank, not rendered
