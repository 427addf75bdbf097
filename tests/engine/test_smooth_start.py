"""Starting the engine beside a live window (studio.engine.smooth_start): libtorch is loaded
through a GIL-releasing dlopen before `import torch`, and no garbage-collector pass runs while
the engine imports and loads a model (each pass walked millions of import-time objects with
the GIL held). Behaviour only; the stalls themselves are measured by bench/gui_responsiveness.py.
"""

from __future__ import annotations

import gc
import subprocess
import sys
import textwrap

import pytest

from studio.core.settings import Settings
from studio.engine import api
from studio.engine.smooth_start import preload_torch_library, quiet_gc, torch_library


def _run(code: str) -> str:
    done = subprocess.run(
        [sys.executable, "-c", textwrap.dedent(code)],
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert done.returncode == 0, done.stderr[-2000:]
    return done.stdout


def test_quiet_gc_holds_collections_off_and_puts_the_collector_back():
    assert gc.isenabled()
    with quiet_gc():
        assert not gc.isenabled()
    assert gc.isenabled()
    with pytest.raises(RuntimeError), quiet_gc():
        raise RuntimeError("a failed load")
    assert gc.isenabled()


def test_quiet_gc_leaves_a_collector_that_was_off_off():
    gc.disable()
    try:
        with quiet_gc():
            pass
        assert not gc.isenabled()
    finally:
        gc.enable()


def test_quiet_gc_with_freeze_moves_what_exists_out_of_the_collectors_sight():
    before = gc.get_freeze_count()
    try:
        with quiet_gc(freeze=True):
            kept = [[index] for index in range(1000)]
        assert gc.get_freeze_count() >= before + len(kept)
        assert gc.isenabled()
    finally:
        gc.unfreeze()


def test_nothing_to_preload_once_torch_is_imported():
    import torch  # noqa: F401  (the test session has it)

    assert torch_library() is None
    assert preload_torch_library() is False


@pytest.mark.skipif(sys.platform != "linux", reason="reads /proc/self/maps")
def test_libtorch_is_loaded_before_torch_is_imported_and_torch_then_works():
    out = _run(
        """
        import sys
        from studio.engine.smooth_start import preload_torch_library
        assert preload_torch_library() is True
        assert "torch" not in sys.modules
        maps = open("/proc/self/maps").read()
        print("libtorch_python loaded:", "libtorch_python" in maps)
        import torch
        print("sum:", int(torch.ones(3).sum()))
        """
    )
    assert "libtorch_python loaded: True" in out
    assert "sum: 3" in out


def test_the_quiet_engine_import_freezes_import_time_objects_and_restores_the_collector():
    out = _run(
        """
        import gc, sys
        from studio.engine.smooth_start import import_engine_quietly
        engine_class = import_engine_quietly()
        import studio.engine.api
        print("same class:", engine_class is studio.engine.api.Engine)
        print("collector on:", gc.isenabled())
        print("frozen:", gc.get_freeze_count())
        print("pipelines imported:", "diffusers.pipelines.stable_diffusion" in sys.modules)
        """
    )
    assert "same class: True" in out
    assert "collector on: True" in out
    frozen = int(out.split("frozen:")[1].split()[0])
    assert frozen > 100_000  # torch + diffusers + transformers: hundreds of thousands of objects
    assert "pipelines imported: True" in out


def test_a_model_loads_and_pipelines_build_with_the_collector_off(monkeypatch):
    from studio.engine.models import loader

    seen: list[bool] = []
    real_load = loader.load_model

    def spying_load(*args, **kwargs):
        seen.append(gc.isenabled())
        return real_load(*args, **kwargs)

    monkeypatch.setattr(loader, "load_model", spying_load)
    engine = api.Engine(Settings())
    model = engine.load("tiny")
    assert seen == [False]
    assert gc.isenabled()

    built: list[bool] = []
    real_pipeline = type(model).pipeline

    def spying_pipeline(self, mode):
        built.append(gc.isenabled())
        return real_pipeline(self, mode)

    monkeypatch.setattr(type(model), "pipeline", spying_pipeline)
    engine.warm_up()
    assert built == [False, False, False]
    assert gc.isenabled()
