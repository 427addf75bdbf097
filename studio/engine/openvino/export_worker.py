"""The export itself, run as `python -m studio.engine.openvino.export_worker REQUEST.json`.

It runs in its own process so that cancel can kill it and its peak memory (the largest of the
backend's costs, ~8 GiB at SD-1.5 size) is given back to the system when it ends. It talks to
export.py through stdout lines: `stage NAME`, and `peak KIB` at the end.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any


def say(kind: str, value: str) -> None:
    print(f"{kind} {value}", flush=True)


def _source_folder(request: dict[str, Any], work: Path) -> Path:
    """A diffusers folder holding the model: the model's own, or one saved from the loader."""
    kind, location = request["kind"], request["location"]
    if kind in ("folder", "hub"):
        return Path(request["folder"])
    import torch

    from studio.engine.models.catalog import ModelRef
    from studio.engine.models.loader import load_model

    say("stage", "loading the model")
    ref = ModelRef(name=request["name"], kind=kind, location=location)
    loaded = load_model(ref, torch.device("cpu"), torch.float32)
    folder = work / "source"
    say("stage", "saving a diffusers copy")
    loaded.base.save_pretrained(folder)
    return folder


def _report_submodels() -> None:
    """Say which part (unet, vae_decoder, ...) each export step converts."""
    from optimum.exporters.openvino import convert

    original = convert.export

    def export(*args: Any, **kwargs: Any) -> Any:
        output = Path(kwargs.get("output", args[2] if len(args) > 2 else "model"))
        say("stage", f"converting {output.parent.name or output.stem}")
        return original(*args, **kwargs)

    convert.export = export


def run(request: dict[str, Any]) -> None:
    out = Path(request["output"])
    work = out / "_work"
    source = _source_folder(request, work)
    from optimum.exporters.openvino import main_export

    _report_submodels()
    say("stage", "tracing")
    main_export(
        model_name_or_path=str(source),
        output=out,
        task="text-to-image",
        library_name="diffusers",
        local_files_only=True,
    )
    if work.exists():
        import shutil

        shutil.rmtree(work)
    say("stage", "saved")


def _peak_kib() -> int:
    try:
        import resource
    except ImportError:  # Windows: the peak working set
        import psutil

        info = psutil.Process().memory_info()
        return int(getattr(info, "peak_wset", info.rss)) // 1024
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return peak // 1024 if sys.platform == "darwin" else peak  # macOS counts bytes


def main(argv: list[str]) -> int:
    request = json.loads(Path(argv[0]).read_text(encoding="utf-8"))
    run(request)
    say("peak", str(_peak_kib()))
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
