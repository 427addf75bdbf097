"""Output problems (read-only folder, disk full, a file in the way) as one clear line."""

from __future__ import annotations

import contextlib
import errno
import os
import tempfile
from pathlib import Path

from studio.core.errors import UserError

_REASONS = {
    errno.ENOSPC: "the disk is full; free some space or write somewhere else",
    errno.EDQUOT: "the disk quota is used up; free some space or write somewhere else",
    errno.EROFS: "the folder is on a read-only disk; choose another folder",
    errno.EACCES: "permission denied; choose a folder you can write to",
    errno.EPERM: "permission denied; choose a folder you can write to",
    errno.ENOTDIR: "a file is in the way where a folder is needed; choose another path",
    errno.EEXIST: "a file is in the way where a folder is needed; choose another path",
    errno.ENAMETOOLONG: "the name is too long; choose a shorter path",
}


class OutputError(UserError):
    """An output path Studio cannot write to (found before any work is done)."""


def is_write_error(exc: BaseException) -> bool:
    return isinstance(exc, OSError) and exc.errno in _REASONS


def describe_write_error(exc: OSError, target: str | os.PathLike[str] | None = None) -> str:
    """`could not write 'PATH': reason; what to do` (reason from errno, else the OS's words)."""
    where = target if target is not None else (exc.filename or "the output")
    reason = _REASONS.get(exc.errno or 0) or (exc.strerror or str(exc))
    return f"could not write {str(where)!r}: {reason}"


def check_writable(folder: Path) -> None:
    """OutputError unless a file can be created in `folder` (or, if it does not exist yet, in
    the nearest folder above it that does). Writes and removes one empty temp file."""
    existing = folder
    while not existing.exists() and existing != existing.parent:
        existing = existing.parent
    if not existing.is_dir():
        raise OutputError(
            f"cannot create {str(folder)!r}: {str(existing)!r} is a file in the way; "
            "choose another path"
        )
    try:
        fd, probe = tempfile.mkstemp(prefix=".studio-write-test-", dir=existing)
    except OSError as exc:
        raise OutputError(describe_write_error(exc, folder)) from exc
    os.close(fd)
    with contextlib.suppress(OSError):
        os.unlink(probe)
