"""The `studio` entry point: a subcommand goes to the CLI, anything else opens the app."""

from __future__ import annotations

import os
import sys


def wants_cli(argv: list[str]) -> bool:
    from studio.cli.main import SUBCOMMANDS

    return bool(argv) and (argv[0] in SUBCOMMANDS or argv[0] in ("-h", "--help", "--version"))


def has_display() -> bool:
    if not sys.platform.startswith("linux"):
        return True
    if os.environ.get("QT_QPA_PLATFORM"):
        return True
    return bool(os.environ.get("DISPLAY") or os.environ.get("WAYLAND_DISPLAY"))


def main(argv: list[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    if wants_cli(argv):
        from studio.cli.main import main as cli_main

        return cli_main(argv)
    if not has_display():
        print(
            "error: no display found, so the app cannot open; use the command line instead, "
            'e.g. `studio generate -p "a castle" --model tiny -o castle.png` (see `studio --help`)',
            file=sys.stderr,
        )
        return 2
    from studio.app import main as app_main

    return app_main(argv)


if __name__ == "__main__":
    raise SystemExit(main())
