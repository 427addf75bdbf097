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


def auto_backend(device_type: str, model_kind: str) -> tuple[str, str]:
    """What backend "auto" runs a model of this kind on, and why.

    Measured at SD-1.5 size (bench/RESULTS.md): OpenVINO was 1.44x/1.60x faster than PyTorch
    bfloat16 (1 step / 4 steps at CFG 7) on a CPU with native bf16, but only 1.16x over float32
    at 4 steps on an AVX2-only CPU, under the 1.3x that makes it worth a default. The built-in
    models are small enough that an export would cost more than it saves.
    """
    from studio.engine.device import cpu_bf16_feature

    if device_type != "cpu":
        return "torch", f"PyTorch: the job runs on {device_type}"
    if model_kind == "builtin":
        return "torch", "PyTorch: built-in models are too small to gain from OpenVINO"
    if not openvino_status()[0]:
        return "torch", f"PyTorch: the OpenVINO extra is not installed ({INSTALL_HINT})"
    feature = cpu_bf16_feature()
    if feature is None:
        return "torch", "PyTorch: OpenVINO gains too little on a CPU without native bfloat16"
    return "openvino", f"OpenVINO: the extra is installed and the CPU has native bf16 ({feature})"
