"""Where the app sends a batch to render on Ray (Settings ▸ Render farm): plain data, no Qt.

The address takes the forms `studio batch --ray ADDRESS` takes: empty for a Ray runtime started
on this machine, `auto` for the cluster this machine already belongs to, `ray://HOST:PORT` for a
Ray Client server (port 10001 by default) or `HOST:PORT` for a head node's GCS port (6379).
"""

from __future__ import annotations

import importlib.util
import re
from dataclasses import dataclass

from studio.core.errors import UserError

RAY_INSTALL = "pip install 'studio[ray]'"
RAY_MISSING_APP = f"the render farm needs Ray, an optional part: {RAY_INSTALL}"
LOCAL = "local"  # what studio.engine.farm calls a runtime started on this machine
MAX_WORKERS = 1024
MAX_CPUS = 512

_HOST = r"(?:\[[0-9A-Fa-f:.]+\]|[A-Za-z0-9](?:[A-Za-z0-9.-]*[A-Za-z0-9])?)"
_ADDRESS = re.compile(rf"^(?:ray://)?({_HOST}):(\d{{1,5}})$")


class FarmConfigError(UserError):
    """A render-farm setting that cannot be used."""


def check_address(text: str) -> str:
    """The address as the farm takes it (`local` for empty); FarmConfigError naming the fix."""
    address = text.strip()
    if not address or address.lower() == LOCAL:
        return LOCAL
    if address.lower() == "auto":
        return "auto"
    match = _ADDRESS.match(address)
    if match is None or not 1 <= int(match.group(2)) <= 65535:
        raise FarmConfigError(
            f"cluster address {address!r} is not one Ray understands: leave it empty for this "
            "machine, or give auto, ray://HOST:PORT or HOST:PORT (port 1-65535)"
        )
    return address


@dataclass(frozen=True)
class FarmConfig:
    """What Settings ▸ Render farm stores: the cluster and the shape of its workers."""

    address: str = ""  # as typed; "" = a Ray runtime on this machine
    workers: int = 0  # 0 = as many as the cluster holds (one per GPU, or per `cpus` CPUs)
    cpus: int = 2  # CPUs per worker on nodes without a GPU (a GPU worker takes one GPU)

    def validated(self) -> FarmConfig:
        check_address(self.address)
        if not 0 <= self.workers <= MAX_WORKERS:
            raise FarmConfigError(f"workers must be 0 (fill the cluster) to {MAX_WORKERS}")
        if not 1 <= self.cpus <= MAX_CPUS:
            raise FarmConfigError(f"CPUs per worker must be 1 to {MAX_CPUS}")
        return self

    @property
    def ray_address(self) -> str:
        return check_address(self.address)

    def describe(self) -> str:
        """`ray://farm:10001 · 4 workers × 2 CPUs` for the status bar and dialogs."""
        where = "a local Ray runtime" if self.ray_address == LOCAL else self.ray_address
        count = f"{self.workers} workers" if self.workers else "as many workers as fit"
        return f"{where} · {count} × {self.cpus} CPUs (or 1 GPU) each"


def ray_available() -> bool:
    """Whether Ray can be imported, without importing it (that takes a second)."""
    try:
        return importlib.util.find_spec("ray") is not None
    except (ImportError, ValueError):
        return False
