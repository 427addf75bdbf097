"""Where Studio keeps its files: bundled resources, user config, logs."""

from __future__ import annotations

import os
import sys
from pathlib import Path

from platformdirs import user_cache_dir, user_config_dir, user_data_dir, user_log_dir


def resources_dir() -> Path:
    """The bundled `resources/` folder (repository root, or PyInstaller's bundle)."""
    bundle = getattr(sys, "_MEIPASS", None)
    if bundle:
        return Path(bundle) / "resources"
    return Path(__file__).resolve().parents[2] / "resources"


def config_dir() -> Path:
    override = os.environ.get("STUDIO_CONFIG_DIR")
    return Path(override) if override else Path(user_config_dir("studio", appauthor=False))


def log_dir() -> Path:
    override = os.environ.get("STUDIO_LOG_DIR")
    return Path(override) if override else Path(user_log_dir("studio", appauthor=False))


def cache_dir() -> Path:
    override = os.environ.get("STUDIO_CACHE_DIR")
    return Path(override) if override else Path(user_cache_dir("studio", appauthor=False))


def data_dir() -> Path:
    """Where Studio keeps its own data (autosaves). STUDIO_DATA_DIR overrides it."""
    override = os.environ.get("STUDIO_DATA_DIR")
    return Path(override) if override else Path(user_data_dir("studio", appauthor=False))
