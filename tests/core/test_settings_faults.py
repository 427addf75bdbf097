"""A corrupt settings file or a broken model folder: defaults plus a notice, never a crash."""

from __future__ import annotations

import logging
import os
from pathlib import Path

import pytest

from studio.core.notices import NOTICE_LOGGER
from studio.core.settings import Settings
from tests.broken_setup import SETTINGS_CASES, broken_model_folder, write_settings


@pytest.mark.parametrize("case", sorted(SETTINGS_CASES))
def test_corrupt_settings_fall_back_to_defaults_with_a_notice(tmp_path, case, caplog):
    path = write_settings(tmp_path, case)
    with caplog.at_level(logging.WARNING, logger=NOTICE_LOGGER):
        settings = Settings.load(path)
    assert settings.notices and all(str(path) in n for n in settings.notices)
    assert [r.getMessage() for r in caplog.records] == settings.notices
    assert all(isinstance(p, Path) for p in settings.model_dirs + settings.upscaler_dirs)
    assert settings.model_dirs == []


def test_wrong_types_keep_the_usable_entries(tmp_path):
    settings = Settings.load(write_settings(tmp_path, "wrong types"))
    assert settings.upscaler_dirs == [Path("/ok")]
    assert any("model_dirs" in n and "not 5" in n for n in settings.notices)
    assert any("upscaler_dirs" in n and "holds 7" in n for n in settings.notices)


def test_good_settings_have_no_notice(tmp_path):
    path = tmp_path / "settings.json"
    Settings(model_dirs=[tmp_path]).save(path)
    settings = Settings.load(path)
    assert settings.model_dirs == [tmp_path] and settings.notices == []


def test_broken_model_folder_lists_what_it_can_with_notices(tmp_path, monkeypatch, caplog):
    from studio.engine.models.catalog import list_models

    folder = broken_model_folder(tmp_path / "models")
    locked = str(folder / "locked")
    real_scandir = os.scandir

    def scandir(path="."):  # tests run as root, where chmod 000 would not stop reading
        if os.fspath(path) == locked:
            raise PermissionError(13, "Permission denied", locked)
        return real_scandir(path)

    monkeypatch.setattr(os, "scandir", scandir)
    with caplog.at_level(logging.WARNING, logger=NOTICE_LOGGER):
        refs = list_models([folder])
    names = {ref.name for ref in refs}
    assert {"tiny", "half-downloaded"} <= names
    assert "gone.safetensors" not in names and "locked/inside.safetensors" not in names
    messages = " | ".join(r.getMessage() for r in caplog.records)
    assert "gone.safetensors" in messages and "broken link" in messages
    assert locked in messages and "not readable" in messages


def test_broken_model_index_is_a_clear_error_when_chosen(tmp_path):
    from studio.core.errors import ModelError
    from studio.engine.api import Engine

    folder = broken_model_folder(tmp_path / "models")
    with pytest.raises(ModelError, match=r"unreadable model_index\.json"):
        Engine(Settings(model_dirs=[folder])).load("half-downloaded")
