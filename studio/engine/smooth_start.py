"""Start the engine in a worker thread without freezing the window beside it.

Measured with a heartbeat thread (bench/gui_responsiveness.py, /tmp probes in issue 15): the
GUI thread stalled 120-280 ms at a time while the worker imported torch/diffusers and loaded a
model, for two reasons, both moments where the worker holds the GIL inside C code:

- loading libtorch: Python's import machinery (and ctypes.CDLL) call dlopen with the GIL held,
  and libtorch's static initialisers run for ~0.2-0.3 s. A call through a ctypes function
  pointer releases the GIL, so `preload_torch_library` dlopens libtorch_python that way first;
  `import torch` then finds it loaded.
- full garbage-collector passes: importing allocates millions of objects, and each full pass
  walks all of them (~0.1-0.2 s). `quiet_gc` holds collections off while importing/loading and
  then moves the import-time objects (modules, functions, classes: never freed) into the
  permanent generation, so later passes do not walk them either.

This module must not import torch itself.
"""

from __future__ import annotations

import ctypes
import gc
import importlib.util
import logging
import os
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

log = logging.getLogger(__name__)

_LIBRARY = {"linux": "libtorch_python.so", "darwin": "libtorch_python.dylib"}


def torch_library() -> Path | None:
    """libtorch_python inside the installed torch package, found without importing torch."""
    name = _LIBRARY.get(sys.platform)
    if name is None or "torch" in sys.modules:
        return None
    try:
        spec = importlib.util.find_spec("torch")
    except (ImportError, ValueError):
        return None
    if spec is None or spec.origin is None:
        return None
    path = Path(spec.origin).parent / "lib" / name
    return path if path.is_file() else None


def preload_torch_library() -> bool:
    """dlopen libtorch with the GIL released; False if there was nothing to do or it failed
    (the ordinary `import torch` then loads it, only less smoothly)."""
    path = torch_library()
    if path is None:
        return False
    try:
        libc = ctypes.CDLL(None)
        dlopen = libc.dlopen
        dlopen.restype = ctypes.c_void_p
        dlopen.argtypes = [ctypes.c_char_p, ctypes.c_int]
        handle = dlopen(os.fsencode(path), os.RTLD_NOW)  # local: as torch loads it itself
    except (OSError, AttributeError):
        return False
    if not handle:
        log.debug("preloading %s failed; torch will load it on import", path)
    return bool(handle)


@contextmanager
def quiet_gc(freeze: bool = False) -> Iterator[None]:
    """No garbage-collector pass inside the block; with freeze, what the block left alive is
    moved out of the collector's sight for good (use it only for import-time objects)."""
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if freeze:
            gc.freeze()
        if was_enabled:
            gc.enable()


# Classes the engine reaches on its first load and warm-up. diffusers and transformers import
# lazily on attribute access, so touching them here pulls their modules in while the collector
# is off, and the freeze then keeps later collections from walking them.
_HEAVY_NAMES = {
    "diffusers": (
        "AutoencoderKL",
        "AutoencoderTiny",
        "UNet2DConditionModel",
        "StableDiffusionPipeline",
        "StableDiffusionImg2ImgPipeline",
        "StableDiffusionInpaintPipeline",
        "StableDiffusionXLPipeline",
        "StableDiffusionXLImg2ImgPipeline",
        "StableDiffusionXLInpaintPipeline",
        "EulerAncestralDiscreteScheduler",
    ),
    "transformers": ("CLIPTextModel", "CLIPTextModelWithProjection", "CLIPTokenizer"),
}


def import_engine_quietly() -> type:
    """studio.engine.api.Engine, imported with libtorch preloaded and the collector quiet."""
    preload_torch_library()
    with quiet_gc(freeze=True):
        from studio.engine.api import Engine

        for module_name, names in _HEAVY_NAMES.items():
            module = importlib.import_module(module_name)
            for name in names:
                try:
                    getattr(module, name)
                except (ImportError, AttributeError):  # an older release without it
                    log.debug("%s.%s is not available", module_name, name)
    return Engine
