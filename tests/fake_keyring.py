"""Keyring backends for tests: one in memory (keyring.set_keyring), one in a JSON file named by
STUDIO_TEST_KEYRING so a `studio` subprocess can be given one (PYTHON_KEYRING_BACKEND)."""

from __future__ import annotations

import json
import os
from pathlib import Path

from keyring.backend import KeyringBackend
from keyring.errors import PasswordDeleteError


class MemoryKeyring(KeyringBackend):
    priority = 1

    def __init__(self) -> None:
        super().__init__()
        self.passwords: dict[tuple[str, str], str] = {}

    def get_password(self, service: str, username: str) -> str | None:
        return self.passwords.get((service, username))

    def set_password(self, service: str, username: str, password: str) -> None:
        self.passwords[(service, username)] = password

    def delete_password(self, service: str, username: str) -> None:
        if self.passwords.pop((service, username), None) is None:
            raise PasswordDeleteError("not set")


class FileKeyring(KeyringBackend):
    priority = 1

    @staticmethod
    def _load() -> dict[str, str]:
        path = Path(os.environ["STUDIO_TEST_KEYRING"])
        return json.loads(path.read_text()) if path.is_file() else {}

    def get_password(self, service: str, username: str) -> str | None:
        return self._load().get(f"{service}/{username}")

    def set_password(self, service: str, username: str, password: str) -> None:
        data = self._load()
        data[f"{service}/{username}"] = password
        Path(os.environ["STUDIO_TEST_KEYRING"]).write_text(json.dumps(data))

    def delete_password(self, service: str, username: str) -> None:
        data = self._load()
        if data.pop(f"{service}/{username}", None) is None:
            raise PasswordDeleteError("not set")
        Path(os.environ["STUDIO_TEST_KEYRING"]).write_text(json.dumps(data))
