"""Persistent settings (QSettings, INI file under the Studio config dir).

STUDIO_CONFIG_DIR redirects the file (tests point it at a temporary directory).
"""

from __future__ import annotations

import json
import logging

from PySide6.QtCore import QSettings

from studio.core.errors import UserError
from studio.core.farm_config import FarmConfig
from studio.core.params import GenerationParams
from studio.core.paths import config_dir

log = logging.getLogger(__name__)
ORGANIZATION = "Studio"
APPLICATION = "studio"


def open_settings() -> QSettings:
    path = config_dir() / "studio.ini"
    return QSettings(str(path), QSettings.Format.IniFormat)


def save_params(settings: QSettings, params: GenerationParams) -> None:
    settings.setValue("params/last", json.dumps(params.to_dict()))


def load_params(settings: QSettings) -> GenerationParams | None:
    text = settings.value("params/last")
    if not text:
        return None
    try:
        return GenerationParams.from_dict(json.loads(str(text)))
    except Exception:  # a damaged settings file must not stop the app
        log.warning("ignoring unreadable saved parameters")
        return None


def load_farm_config(settings: QSettings | None) -> FarmConfig:
    """Settings ▸ Render farm; the defaults where nothing (or something unusable) is stored."""
    if settings is None:
        return FarmConfig()
    default = FarmConfig()
    try:
        config = FarmConfig(
            address=str(settings.value("farm/address", default.address) or ""),
            workers=int(settings.value("farm/workers", default.workers)),
            cpus=int(settings.value("farm/cpus", default.cpus)),
        )
        return config.validated()
    except (TypeError, ValueError, UserError):  # edited by hand: start from the defaults
        log.warning("ignoring unreadable render farm settings")
        return default


def save_farm_config(settings: QSettings | None, config: FarmConfig) -> None:
    if settings is None:
        return
    settings.setValue("farm/address", config.address)
    settings.setValue("farm/workers", config.workers)
    settings.setValue("farm/cpus", config.cpus)
    settings.sync()
