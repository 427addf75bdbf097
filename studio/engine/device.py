"""Choosing the torch device and dtype, and saying why (plain data for the CLI and status bar)."""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

import torch

from studio.core.errors import ParamsError

DTYPES = {"float32": torch.float32, "float16": torch.float16, "bfloat16": torch.bfloat16}
NAMES = {dtype: name for name, dtype in DTYPES.items()}
# /proc/cpuinfo flags of CPUs that compute bfloat16 natively (AVX512-BF16, AMX; Arm's bf16).
BF16_FLAGS = ("avx512_bf16", "amx_bf16", "bf16")


@dataclass(frozen=True)
class DtypeChoice:
    """The precision picked for a device and the reason, in words a user can act on."""

    dtype: str  # float32 | float16 | bfloat16
    reason: str

    @property
    def torch_dtype(self) -> torch.dtype:
        return DTYPES[self.dtype]


def _cpuinfo_flags(path: Path = Path("/proc/cpuinfo")) -> set[str]:
    try:
        text = path.read_text(encoding="utf-8", errors="replace")
    except OSError:
        return set()
    flags: set[str] = set()
    for line in text.splitlines():
        key, _, value = line.partition(":")
        if key.strip() in ("flags", "Features"):
            flags.update(value.split())
    return flags


def cpu_bf16_feature() -> str | None:
    """The CPU feature that makes bfloat16 native here (e.g. 'avx512_bf16'), or None.

    STUDIO_CPU_BF16=0 or 1 overrides the detection (the test suite pins it to 0 so that
    pixels do not depend on the machine); tests monkeypatch this function to play either kind.
    """
    forced = os.environ.get("STUDIO_CPU_BF16", "").strip()
    if forced in ("0", "1"):
        return "STUDIO_CPU_BF16=1" if forced == "1" else None
    probes = (("amx_bf16", "_is_amx_tile_supported"), ("avx512_bf16", "_is_avx512_bf16_supported"))
    for feature, probe in probes:
        check = getattr(torch.cpu, probe, None)
        try:
            if check is not None and check():
                return feature
        except Exception:  # a private probe that changed: fall back to the flags
            break
    flags = _cpuinfo_flags()
    return next((flag for flag in BF16_FLAGS if flag in flags), None)


def pick_device(preference: str = "auto") -> torch.device:
    if preference == "auto":
        if torch.cuda.is_available():
            return torch.device("cuda")
        if getattr(torch.backends, "mps", None) and torch.backends.mps.is_available():
            return torch.device("mps")
        return torch.device("cpu")
    if preference == "cuda" and not torch.cuda.is_available():
        raise ParamsError(
            "device 'cuda' is not available on this machine; use --device auto or cpu"
        )
    if preference == "mps" and not (
        getattr(torch.backends, "mps", None) and torch.backends.mps.is_available()
    ):
        raise ParamsError("device 'mps' is not available on this machine; use --device auto or cpu")
    return torch.device(preference)


def choose_dtype(preference: str, device: torch.device) -> DtypeChoice:
    """auto: float16 on CUDA/MPS; on CPU bfloat16 where it is native, float32 elsewhere."""
    if preference != "auto":
        if preference not in DTYPES:
            raise ParamsError(
                f"unknown dtype {preference!r}; choose one of: auto, {', '.join(DTYPES)}"
            )
        return DtypeChoice(preference, "chosen explicitly")
    if device.type in ("cuda", "mps"):
        return DtypeChoice("float16", f"auto: half precision on {device.type.upper()}")
    feature = cpu_bf16_feature()
    if feature is not None:
        return DtypeChoice("bfloat16", f"auto: the CPU has native bfloat16 ({feature})")
    if os.environ.get("STUDIO_CPU_BF16", "").strip() == "0":
        return DtypeChoice("float32", "auto: bfloat16 turned off by STUDIO_CPU_BF16=0")
    return DtypeChoice("float32", "auto: the CPU has no native bfloat16 (no avx512_bf16/AMX)")


def pick_dtype(preference: str, device: torch.device) -> torch.dtype:
    return choose_dtype(preference, device).torch_dtype
