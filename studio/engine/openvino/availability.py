"""Whether the OpenVINO backend can run here, and why not, without importing it."""

from __future__ import annotations

import importlib.util
from importlib import metadata

from studio.core.errors import ParamsError

INSTALL_HINT = "pip install 'studio[openvino]'"
# The distributions the backend needs, and the module each provides.
REQUIRED = (("optimum-intel", "optimum.intel"), ("openvino", "openvino"))


def _has_module(name: str) -> bool:
    try:
        return importlib.util.find_spec(name) is not None
    except (ImportError, ValueError):  # a parent package that is missing or broken
        return False


def openvino_status() -> tuple[bool, str]:
    """(available, a line saying which versions, or what is missing and how to get it)."""
    missing = [dist for dist, module in REQUIRED if not _has_module(module)]
    if missing:
        return False, f"not installed ({', '.join(missing)} missing); {INSTALL_HINT}"
    versions = []
    for dist, _module in REQUIRED:
        try:
            versions.append(f"{dist} {metadata.version(dist)}")
        except metadata.PackageNotFoundError:
            versions.append(dist)
    return True, "available (" + ", ".join(versions) + ")"


def require_openvino() -> None:
    """Raise a one-line ParamsError naming the install command when the backend is missing."""
    if not openvino_status()[0]:
        raise ParamsError(
            f"the OpenVINO backend is not installed; run {INSTALL_HINT} or use --backend torch"
        )
