"""What keeps the window responsive while the engine starts: PySide6's per-import hook answers
from globals (not by reading each module's source) during the worker's engine import, and the
prompt box's tokenizer is built before the window shows, not on the first keystroke."""

from __future__ import annotations

import inspect
import sys

import pytest

from studio.jobs import worker as worker_module
from studio.jobs.pyside_import_hook import _feature_module, cheap_pyside_import_hook, uses_pyside


@pytest.fixture
def feature():
    import PySide6.QtCore  # noqa: F401  (installs the hook)

    module = _feature_module()
    if module is None:
        pytest.skip("this PySide6 has no per-import __feature__ hook")
    return module


def _write_module(folder, name: str, body: str) -> None:
    (folder / f"{name}.py").write_text(body, encoding="utf-8")


def test_inside_the_block_imports_do_not_read_sources(feature, tmp_path, monkeypatch):
    monkeypatch.syspath_prepend(str(tmp_path))
    _write_module(tmp_path, "quiet_plain_mod", "VALUE = 1\n")
    _write_module(tmp_path, "quiet_qt_mod", "from PySide6.QtCore import QObject\n")
    _write_module(tmp_path, "loud_plain_mod", "VALUE = 2\n")
    sources_read: list[str] = []
    real_getsource = inspect.getsource

    def recording_getsource(obj):
        sources_read.append(getattr(obj, "__name__", "?"))
        return real_getsource(obj)

    monkeypatch.setattr(inspect, "getsource", recording_getsource)
    original = feature._mod_uses_pyside
    try:
        with cheap_pyside_import_hook():
            assert feature._mod_uses_pyside is uses_pyside
            import quiet_plain_mod  # noqa: F401
            import quiet_qt_mod  # noqa: F401
        assert feature._mod_uses_pyside is original
        assert sources_read == []
        assert feature.pyside_feature_dict["quiet_plain_mod"] == -1  # ignored, as PySide would
        assert feature.pyside_feature_dict["quiet_qt_mod"] == 0  # uses PySide: default features

        import loud_plain_mod  # noqa: F401  (outside the block PySide reads the source again)

        assert "loud_plain_mod" in sources_read
    finally:
        feature._mod_uses_pyside = original
        for name in ("quiet_plain_mod", "quiet_qt_mod", "loud_plain_mod"):
            sys.modules.pop(name, None)


def test_the_hook_is_put_back_when_the_import_fails(feature):
    original = feature._mod_uses_pyside
    with pytest.raises(ImportError), cheap_pyside_import_hook():
        import studio_no_such_module  # noqa: F401
    assert feature._mod_uses_pyside is original


def test_the_default_engine_factory_imports_under_the_cheap_hook(feature, monkeypatch):
    from studio.engine import smooth_start

    seen: list[bool] = []

    class FakeEngine:
        pass

    def fake_import():
        seen.append(feature._mod_uses_pyside is uses_pyside)
        return FakeEngine

    monkeypatch.setattr(smooth_start, "import_engine_quietly", fake_import)
    assert isinstance(worker_module.default_engine_factory(), FakeEngine)
    assert seen == [True]
    assert feature._mod_uses_pyside is not uses_pyside


def test_the_tokenizer_is_built_before_the_window_shows(qtbot):
    from studio.app import create_window
    from studio.core.prompts.token_count import bpe_tokenizer

    bpe_tokenizer.cache_clear()
    window = create_window(use_settings=False)
    qtbot.addWidget(window)
    assert bpe_tokenizer.cache_info().currsize == 1
    window.close()
