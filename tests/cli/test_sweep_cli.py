"""`studio sweep`: bad axes fail before rendering, large sweeps ask first, cells and grid out."""

from __future__ import annotations

import json

import pytest
from PIL import Image

from studio.cli.main import main
from studio.core.batch_spec import parse_spec

TINY = ["--model", "tiny", "--size", "64x64", "--steps", "2", "--seed", "4"]


@pytest.mark.parametrize(
    ("axes", "message"),
    [
        (["--x", "cfg=4,x"], "'x' is not a number"),
        (["--x", "prompt=tower,lighthouse"], "did not find 'tower'"),
        (["--x", "seed=1-100", "--y", "steps=1-20"], "more than the limit of 1000"),
        (["--x", "flavour=1"], "unknown sweep axis"),
        (["--x", "model=tiny,no-such-model"], "no-such-model"),
    ],
)
def test_bad_sweeps_exit_2_and_write_nothing(tmp_path, capsys, axes, message):
    out = tmp_path / "out"
    code = main(["sweep", "-p", "a castle", *TINY, *axes, "-o", str(out)])
    err = capsys.readouterr().err
    assert code == 2
    assert err.startswith("error: ") and message in err and "Traceback" not in err
    assert not out.exists()


def test_a_large_sweep_states_count_and_time_and_needs_yes(tmp_path, capsys):
    out = tmp_path / "out"
    code = main(["sweep", "-p", "a castle", *TINY, "--x", "seed=1-65", "-o", str(out)])
    err = capsys.readouterr().err
    assert code == 2
    assert "65 images" in err and "--yes" in err
    assert "under a minute on cpu" in err  # 130 steps of 64x64 on the CPU
    assert not out.exists()


def test_sweep_command_writes_cells_grid_and_index(tmp_path, capsys):
    out = tmp_path / "out"
    code = main(["sweep", "-p", "a castle", *TINY, "--x", "steps=1-2", "-o", str(out)])
    assert code == 0, capsys.readouterr().err
    index = json.loads((out / "index.json").read_text())
    assert sorted(index) == ["0001-steps-1.png", "0002-steps-2.png", "grid.png"]
    assert "Steps: 2" in Image.open(out / "0002-steps-2.png").text["parameters"]
    assert index["0001-steps-1.png"]["extra"]["sweep"]["x"] == {"axis": "Steps", "value": "1"}


def test_batch_spec_sweep_expands_into_cells(tmp_path):
    spec = parse_spec(
        'model = "tiny"\n[[job]]\nprompt = "a castle"\nseed = 5\n'
        'sweep = { cfg = [4, 7, 10], steps = "10-30 (+10)" }\n',
        tmp_path / "spec.toml",
    )
    cells = [(item.params.cfg, item.params.steps) for item in spec.images]
    assert cells == [(c, s) for s in (10, 20, 30) for c in (4.0, 7.0, 10.0)]
    assert spec.images[4].params.extra["sweep"]["y"] == {"axis": "Steps", "value": "20"}


def test_batch_spec_variation_seeds(tmp_path):
    spec = parse_spec(
        'model = "tiny"\n[[job]]\nprompt = "a fox"\nseed = 5\nvariation_strength = 0.3\n'
        "variation_seeds = [8, 13]\n",
        tmp_path / "spec.toml",
    )
    assert [(i.params.seed, i.params.variation_seed) for i in spec.images] == [(5, 8), (5, 13)]
    with pytest.raises(Exception, match="variation_strength above 0"):
        parse_spec(
            'model = "tiny"\n[[job]]\nprompt = "a"\nvariation_seeds = [1]\n', tmp_path / "s.toml"
        )
    with pytest.raises(Exception, match="key 'sweep'"):
        parse_spec('model = "tiny"\n[[job]]\nprompt = "a"\nsweep = 3\n', tmp_path / "s.toml")
