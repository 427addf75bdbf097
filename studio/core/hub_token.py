"""The Hugging Face access token for gated and private models.

It lives in the OS keyring (through the optional `keyring` package) when a real backend is
there; otherwise only in memory for this session. It is never written to the settings file.
HF_TOKEN in the environment is honoured too, as huggingface_hub itself does.
"""

from __future__ import annotations

import contextlib
import os
import threading
from dataclasses import dataclass
from typing import Any

SERVICE = "studio-huggingface"
ACCOUNT = "access-token"
TOKEN_PAGE = "https://huggingface.co/settings/tokens"
ENV_VAR = "HF_TOKEN"


@dataclass(frozen=True)
class Saved:
    in_keyring: bool
    message: str  # one line for the status bar


def _backend() -> tuple[Any | None, str]:
    """The usable keyring backend, or None and why there is none."""
    try:
        import keyring
    except ImportError:
        return None, "the `keyring` package is not installed"
    try:
        backend = keyring.get_keyring()
    except Exception as exc:  # a broken keyring configuration must not stop a download
        return None, f"the system keyring could not start ({type(exc).__name__})"
    if getattr(backend, "priority", 0) <= 0:  # keyring's fail / null backends
        return None, "no system keyring is available"
    return backend, ""


def _label(backend: Any) -> str:
    return str(getattr(backend, "name", "") or type(backend).__name__)


class TokenStore:
    """Where the app and the CLI get the token from: this session's, HF_TOKEN, the keyring."""

    def __init__(self) -> None:
        self._session: str | None = None
        self._lock = threading.Lock()

    def get(self) -> str | None:
        """The token to send, or None (then huggingface_hub uses its own login, if any)."""
        with self._lock:
            if self._session:
                return self._session
        env = os.environ.get(ENV_VAR, "").strip()
        if env:
            return env
        backend, _why = _backend()
        if backend is None:
            return None
        try:
            return backend.get_password(SERVICE, ACCOUNT) or None
        except Exception:  # locked or broken keyring: as if nothing were stored
            return None

    def where(self) -> str:
        """A sentence saying where a new token would be kept (shown before asking for one)."""
        backend, why = _backend()
        if backend is None:
            return f"It is kept in memory for this session only: {why}."
        return f"It is saved in the system keyring ({_label(backend)}), never in Studio's settings."

    def save(self, token: str) -> Saved:
        """Use token from now on; in the keyring when there is one, else for this session."""
        token = token.strip()
        with self._lock:
            self._session = token
        backend, why = _backend()
        if backend is not None:
            try:
                backend.set_password(SERVICE, ACCOUNT, token)
            except Exception as exc:
                why = f"the system keyring refused it ({type(exc).__name__})"
            else:
                where = f"the system keyring ({_label(backend)})"
                return Saved(True, f"Hugging Face token saved in {where}")
        return Saved(
            False,
            f"Hugging Face token kept for this session only: {why} "
            f"(set {ENV_VAR} to keep one across sessions)",
        )

    def forget(self) -> None:
        """Drop a token the hub refused (this session's and the keyring's)."""
        with self._lock:
            self._session = None
        backend, _why = _backend()
        if backend is not None:
            # nothing stored, or the keyring will not: nothing to undo
            with contextlib.suppress(Exception):
                backend.delete_password(SERVICE, ACCOUNT)
