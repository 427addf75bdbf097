"""`studio batch` with a job's `sweep`: the labelled grid `studio sweep` writes, from the same
grid code, at its expected size with its labels drawn; a rerun replaces it and renders nothing."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
from PIL import Image, ImageDraw

from studio.core.export import INDEX_NAME
from studio.core.imagefiles import read_image
from studio.core.sweep.grid import BACKGROUND, TEXT, label_font
from tests.cli.test_batch_cli import FakeEngine, _run

SPEC = """
model = "tiny"
steps = 2
cfg = 7
name = "{index:04d}-{seed}-{cfg}"

[[job]]
prompt = "a castle on a hill"
seed = 5
{extra}
sweep = {sweep}
"""
SWEEP = '{ cfg = [4, 7], prompt = ["castle", "lighthouse", "temple"] }'


def _write(tmp_path: Path, sweep: str = SWEEP, extra: str = 'size = "64x64"') -> Path:
    path = tmp_path / "spec.toml"
    path.write_text(SPEC.replace("{sweep}", sweep).replace("{extra}", extra), encoding="utf-8")
    return path


def _grid(folder: Path, name: str) -> tuple[np.ndarray, list[dict]]:
    index = json.loads((folder / INDEX_NAME).read_text(encoding="utf-8"))
    return (
        np.asarray(Image.open(folder / name).convert("RGB")),
        index[name]["extra"]["sweep_grid"]["labels"],
    )


def _cells(folder: Path) -> dict[tuple[str, str], np.ndarray]:
    """(x value, y value) -> pixels of each cell the batch wrote."""
    index = json.loads((folder / INDEX_NAME).read_text(encoding="utf-8"))
    cells = {}
    for name, entry in index.items():
        sweep = entry.get("extra", {}).get("sweep")
        if sweep:
            key = (sweep["x"]["value"], sweep.get("y", {}).get("value", ""))
            cells[key] = read_image(folder / name)[0]
    return cells


def _assert_labels_drawn(grid: np.ndarray, labels: list[dict]) -> None:
    font = label_font()
    for label in labels:  # each label's text, drawn alone, is what the grid holds there
        x0, y0, x1, y1 = label["box"]
        alone = Image.new("RGB", (x1 - x0, y1 - y0), BACKGROUND)
        ImageDraw.Draw(alone).text((0, 0), label["text"], fill=TEXT, font=font)
        expected = np.asarray(alone)
        assert (expected != BACKGROUND).any(), label["text"]  # ink, not blank
        assert np.array_equal(grid[y0:y1, x0:x1], expected), label["text"]


def test_a_batch_sweep_writes_the_labelled_grid(tmp_path: Path) -> None:
    out = tmp_path / "out"
    code, text = _run(_write(tmp_path), out, FakeEngine())
    assert code == 0 and "rendered 6, skipped 0" in text and "sweep-job1-grid.png" in text
    grid, labels = _grid(out, "sweep-job1-grid.png")
    top, left = grid.shape[0] - 3 * 64, grid.shape[1] - 2 * 64
    assert top > 0 and left > 0  # bands for the labels, then exactly 2x3 cells of 64 px
    cells = _cells(out)
    assert len(cells) == 6
    for row, word in enumerate(("castle", "lighthouse", "temple")):
        for column, cfg in enumerate(("4", "7")):
            x, y = left + column * 64, top + row * 64
            assert np.array_equal(grid[y : y + 64, x : x + 64], cells[(cfg, word)]), (cfg, word)
    texts = {label["text"] for label in labels}
    assert {"castle", "lighthouse", "temple", "X: CFG scale", "Y: Prompt S/R"} <= texts
    assert all(label["box"][3] <= top for label in labels if label["text"].startswith("CFG"))
    _assert_labels_drawn(grid, labels)


def test_a_rerun_skips_every_cell_and_replaces_the_grid(tmp_path: Path) -> None:
    out = tmp_path / "out"
    spec = _write(tmp_path)
    assert _run(spec, out, FakeEngine())[0] == 0
    first = (out / "sweep-job1-grid.png").read_bytes()
    engine = FakeEngine()
    code, text = _run(spec, out, engine)
    assert code == 0 and "rendered 0, skipped 6" in text and engine.calls == []
    assert (out / "sweep-job1-grid.png").read_bytes() == first
    assert not (out / "sweep-job1-grid-2.png").exists()
    index = json.loads((out / INDEX_NAME).read_text(encoding="utf-8"))
    assert len(index) == 7 and "sweep_grid" in index["sweep-job1-grid.png"]["extra"]
    # the grid's params are the sweep's base (cfg 7, "castle"), the same as one cell's: with
    # that cell gone, the grid must not pass for it
    (cell,) = [
        n
        for n, e in index.items()
        if e.get("extra", {}).get("sweep") and e["cfg"] == 7 and e["prompt"] == "a castle on a hill"
    ]
    (out / cell).unlink()
    engine = FakeEngine()
    code, text = _run(spec, out, engine)
    assert code == 0 and "rendered 1, skipped 5" in text and len(engine.calls) == 1
    assert (out / cell).is_file()


def test_a_size_axis_keeps_its_sizes_and_each_seed_gets_a_grid(tmp_path: Path) -> None:
    out = tmp_path / "out"
    spec = _write(tmp_path, '{ size = ["64x64", "96x64"] }', extra="seeds = [1, 2]")
    code, _text = _run(spec, out, FakeEngine())
    assert code == 0
    sizes = sorted(read_image(p)[0].shape[:2] for p in out.glob("0*.png"))
    assert sizes == [(64, 64), (64, 64), (64, 96), (64, 96)]  # not the model's native 64
    for n in (1, 2):
        grid, labels = _grid(out, f"sweep-job1-{n}-grid.png")
        top = grid.shape[0] - 64
        assert top > 0 and grid.shape[1] > 2 * 96  # two cells of the largest size, one row
        assert {"Size: 64x64", "Size: 96x64", "X: Size"} <= {label["text"] for label in labels}
        _assert_labels_drawn(grid, labels)
