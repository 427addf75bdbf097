"""The catalog offers the bundled demo model `mini` only when its weights are installed, and makes
it the default only when no other model is."""

from __future__ import annotations

import pytest

from studio.core.errors import ModelError
from studio.engine.models import catalog


@pytest.fixture
def fake_mini(tmp_path, monkeypatch):
    folder = tmp_path / "resources" / "models" / "mini"
    folder.mkdir(parents=True)
    (folder / "model_index.json").write_text("{}")
    monkeypatch.setattr(catalog, "mini_folder", lambda: folder)
    monkeypatch.setattr(catalog, "mini_available", lambda: True)
    monkeypatch.setattr(catalog, "cached_hub_models", lambda: [])
    return folder


def test_mini_is_the_default_when_nothing_else_is_installed(fake_mini):
    assert catalog.default_model([]) == "mini"
    ref = catalog.resolve_model("mini", [])
    assert (ref.kind, ref.location) == ("folder", str(fake_mini))


def test_another_installed_model_takes_the_default_away(fake_mini, tmp_path):
    models = tmp_path / "models"
    models.mkdir()
    (models / "mine.safetensors").write_bytes(b"")
    assert catalog.default_model([models]) is None


def test_studio_models_labels_mini_as_a_demo(fake_mini):
    listed = {ref.name: ref for ref in catalog.list_models([])}
    assert "demo model" in listed["mini"].describe()
    assert "random weights" in listed["tiny"].describe()


def test_without_the_weights_mini_is_neither_listed_nor_default(monkeypatch):
    monkeypatch.setattr(catalog, "mini_available", lambda: False)
    monkeypatch.setattr(catalog, "cached_hub_models", lambda: [])
    assert catalog.default_model([]) is None
    assert "mini" not in [ref.name for ref in catalog.list_models([])]
    with pytest.raises(ModelError, match="unknown model 'mini'"):
        catalog.resolve_model("mini", [])
