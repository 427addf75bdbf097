"""Keep PySide6's import hook cheap while the worker imports the engine.

PySide6 replaces `builtins.__import__` and, after every import anywhere in the process, asks
`_mod_uses_pyside(module)`, which reads the module's whole source through inspect.getsource
(for its opt-in `from __feature__ import snake_case`). The engine imports ~3,600 modules
(torch, diffusers, transformers): reading all their sources cost seconds and long GIL holds
while the window waited. Studio never selects a __feature__, so for the engine's import the
question is answered from the module's globals instead (does it hold a PySide6 object?).
"""

from __future__ import annotations

import sys
import types
from collections.abc import Iterator
from contextlib import contextmanager

_FEATURE_MODULES = ("PySide6.support.feature", "shibokensupport.feature")
_QT_PREFIXES = ("PySide6", "shiboken6")


def uses_pyside(module: types.ModuleType) -> bool:
    """Whether the module's globals hold a PySide6 module or object (no source is read)."""
    for value in list(vars(module).values()):
        if isinstance(value, types.ModuleType):
            name = value.__name__
        else:
            name = getattr(value, "__module__", None)
        if isinstance(name, str) and name.startswith(_QT_PREFIXES):
            return True
    return False


def _feature_module() -> types.ModuleType | None:
    for name in _FEATURE_MODULES:
        module = sys.modules.get(name)
        if module is not None and callable(getattr(module, "_mod_uses_pyside", None)):
            return module
    return None


@contextmanager
def cheap_pyside_import_hook() -> Iterator[None]:
    """Inside the block, PySide6's per-import check reads globals, not source files."""
    feature = _feature_module()
    if feature is None:  # no PySide6 loaded, or a release without this hook
        yield
        return
    original = feature._mod_uses_pyside
    feature._mod_uses_pyside = uses_pyside
    try:
        yield
    finally:
        feature._mod_uses_pyside = original
