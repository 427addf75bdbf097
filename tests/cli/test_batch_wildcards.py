"""`studio batch` with wildcards: resolved prompts in the files' metadata and index.json."""

from __future__ import annotations

import json
from pathlib import Path

from studio.core.export import INDEX_NAME
from studio.core.imagefiles import read_image
from studio.core.metadata import params_from_text_chunks
from studio.core.settings import Settings
from tests.cli.test_batch_cli import FakeEngine, _pngs, _run

SPEC = """
model = "tiny"
steps = 2
size = "64x64"

[[job]]
prompt = "{red|blue} __material__ dragon"
combinations = true

[[job]]
prompt = "{red|blue|gold|green} knight"
seeds = [7, 8, 9]
"""


def test_batch_records_each_resolved_prompt(tmp_path: Path) -> None:
    wildcards = tmp_path / "wildcards"
    wildcards.mkdir()
    (wildcards / "material.txt").write_text("iron\ngold\n", encoding="utf-8")
    Settings(wildcard_dirs=[wildcards]).save()  # into the test's own config folder
    spec = tmp_path / "spec.toml"
    spec.write_text(SPEC, encoding="utf-8")
    engine = FakeEngine()
    code, _ = _run(spec, tmp_path / "out", engine)
    assert code == 0
    assert [p.prompt for p in engine.calls[:4]] == [
        "red gold dragon",
        "red iron dragon",
        "blue gold dragon",
        "blue iron dragon",
    ]
    knights = [p.prompt for p in engine.calls[4:]]
    assert len(knights) == 3 and all(k.endswith(" knight") and "{" not in k for k in knights)
    index = json.loads((tmp_path / "out" / INDEX_NAME).read_text(encoding="utf-8"))
    recorded = sorted(entry["prompt"] for entry in index.values())
    assert recorded == sorted(p.prompt for p in engine.calls)
    for path in _pngs(tmp_path / "out"):
        params = params_from_text_chunks(read_image(path)[1])
        assert "{" not in params.prompt and params.extra["Template"] in SPEC
    # The same spec plans the same prompts again (seeded), so a rerun skips every image.
    again = FakeEngine()
    assert _run(spec, tmp_path / "out", again)[0] == 0 and again.calls == []
