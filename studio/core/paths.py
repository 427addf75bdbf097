"""Where Studio keeps its files: bundled resources, user config, logs."""

from __future__ import annotations

import os
import sys
from collections.abc import Callable
from pathlib import Path

from platformdirs import user_cache_dir, user_config_dir, user_data_dir, user_log_dir


def resources_dir() -> Path:
    """The bundled `resources/` folder (repository root, or PyInstaller's bundle)."""
    bundle = getattr(sys, "_MEIPASS", None)
    if bundle:
        return Path(bundle) / "resources"
    return Path(__file__).resolve().parents[2] / "resources"


def _user_dir(variable: str, platform_dir: Callable[..., str]) -> Path:
    """$variable when set (tests, portable setups), else the platform's folder for Studio."""
    override = os.environ.get(variable)
    return Path(override) if override else Path(platform_dir("studio", appauthor=False))


def config_dir() -> Path:
    return _user_dir("STUDIO_CONFIG_DIR", user_config_dir)


def log_dir() -> Path:
    return _user_dir("STUDIO_LOG_DIR", user_log_dir)


def cache_dir() -> Path:
    return _user_dir("STUDIO_CACHE_DIR", user_cache_dir)


def data_dir() -> Path:
    """Where Studio keeps its own data (autosaves). STUDIO_DATA_DIR overrides it."""
    return _user_dir("STUDIO_DATA_DIR", user_data_dir)
