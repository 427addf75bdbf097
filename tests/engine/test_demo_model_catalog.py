"""The catalog offers the bundled demo model `mini` only when its weights are installed, and makes
it the default only when no real checkpoint is installed (the first one found wins then)."""

from __future__ import annotations

import pytest

from studio.core.errors import ModelError
from studio.core.models import defaults
from studio.engine.models import catalog
from tests.core.test_model_scan import SD1_TE, UNET_IN, st


@pytest.fixture
def fake_mini(tmp_path, monkeypatch):
    folder = tmp_path / "resources" / "models" / "mini"
    folder.mkdir(parents=True)
    (folder / "model_index.json").write_text("{}")
    monkeypatch.setattr(catalog, "mini_folder", lambda: folder)
    monkeypatch.setattr(catalog, "mini_available", lambda: True)
    monkeypatch.setattr(defaults, "mini_available", lambda: True)
    monkeypatch.setattr(catalog, "cached_hub_models", lambda: [])
    return folder


def test_mini_is_the_default_when_nothing_else_is_installed(fake_mini):
    assert catalog.default_model([]) == "mini"
    ref = catalog.resolve_model("mini", [])
    assert (ref.kind, ref.location) == ("folder", str(fake_mini))


def test_another_installed_model_takes_the_default_away(fake_mini, tmp_path):
    models = tmp_path / "models"
    models.mkdir()
    (models / "notes.safetensors").write_bytes(b"")  # not a checkpoint: mini stays
    assert catalog.default_model([models]) == "mini"
    st(models / "mine.safetensors", {UNET_IN: (8, 4, 3, 3), SD1_TE: (8,)})
    assert catalog.default_model([models]) == str(models / "mine.safetensors")


def test_studio_models_labels_mini_as_a_demo(fake_mini):
    listed = {ref.name: ref for ref in catalog.list_models([])}
    assert "demo model" in listed["mini"].describe()
    assert "random weights" in listed["tiny"].describe()


def test_without_the_weights_mini_is_neither_listed_nor_default(monkeypatch):
    monkeypatch.setattr(catalog, "mini_available", lambda: False)
    monkeypatch.setattr(defaults, "mini_available", lambda: False)
    monkeypatch.setattr(catalog, "cached_hub_models", lambda: [])
    assert catalog.default_model([]) == "tiny"
    assert "mini" not in [ref.name for ref in catalog.list_models([])]
    with pytest.raises(ModelError, match="unknown model 'mini'"):
        catalog.resolve_model("mini", [])
