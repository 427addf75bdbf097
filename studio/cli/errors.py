"""How the command line reports outcomes: exit codes, one-line errors, the log file."""

from __future__ import annotations

import argparse
import logging
import sys
import traceback
from collections.abc import Callable
from typing import NoReturn

from studio.core.errors import Cancelled, UserError
from studio.core.failures import describe_failure, is_out_of_memory
from studio.core.paths import log_dir
from studio.core.write_errors import describe_write_error, is_write_error

EXIT_OK = 0
EXIT_FAILURE = 1
EXIT_USAGE = 2
EXIT_INTERRUPTED = 130


class CliParser(argparse.ArgumentParser):
    """argparse that reports usage errors as the one `error:` line of the contract."""

    def error(self, message: str) -> NoReturn:
        print(f"error: {message} (see `{self.prog} --help`)", file=sys.stderr)
        raise SystemExit(EXIT_USAGE)


def _write_log(exc: BaseException) -> str:
    try:
        folder = log_dir()
        folder.mkdir(parents=True, exist_ok=True)
        path = folder / "studio.log"
        logging.basicConfig(filename=path, level=logging.INFO)
        with path.open("a", encoding="utf-8") as handle:
            handle.write("".join(traceback.format_exception(exc)))
        return str(path)
    except OSError:
        return "(no log: the log folder is not writable)"


def run_guarded(command: Callable[[], int]) -> int:
    """Run a command, mapping outcomes to the contract's exit codes and messages."""
    try:
        return command()
    except UserError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return EXIT_USAGE
    except (Cancelled, KeyboardInterrupt):
        print("interrupted: nothing partial was written", file=sys.stderr)
        return EXIT_INTERRUPTED
    except Exception as exc:  # the last line of defence: a message and a log, no traceback
        log = _write_log(exc)
        if is_write_error(exc):
            print(f"failed: {describe_write_error(exc)} (details in {log})", file=sys.stderr)
            return EXIT_FAILURE
        context = "failed" if is_out_of_memory(exc) else f"failed: {type(exc).__name__}"
        print(f"{describe_failure(exc, context)} (details in {log})", file=sys.stderr)
        return EXIT_FAILURE
