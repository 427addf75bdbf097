"""`studio SUBCOMMAND ...`: parse, dispatch, map outcomes to exit codes."""

from __future__ import annotations

import importlib
import os
import sys
import warnings

from studio import __version__
from studio.cli.errors import EXIT_USAGE, CliParser, run_guarded
from studio.cli.notices import print_notices

# Modules that each add subcommands with register(subparsers) and set func=run(args) -> int.
COMMAND_MODULES = (
    "studio.cli.generate",
    "studio.cli.upscale",
    "studio.cli.batch",
    "studio.cli.info",
    "studio.cli.models",
    "studio.cli.download",
    "studio.cli.system",
    "studio.cli.sweep",
)
SUBCOMMANDS = (
    "generate",
    "img2img",
    "inpaint",
    "outpaint",
    "upscale",
    "batch",
    "info",
    "models",
    "download",
    "system",
    "sweep",
)


def build_parser() -> CliParser:
    parser = CliParser(
        prog="studio",
        description="Studio: image generation and editing. Run `studio` alone to open the app.",
    )
    parser.add_argument("--version", action="version", version=f"studio {__version__}")
    subparsers = parser.add_subparsers(dest="command", metavar="COMMAND")
    for name in COMMAND_MODULES:
        try:
            module = importlib.import_module(name)
        except ModuleNotFoundError as exc:
            if exc.name != name:
                raise
            continue  # a subcommand not built yet
        module.register(subparsers)
    return parser


def quiet_libraries() -> None:
    """Library deprecation chatter is for developers; the terminal gets our one-line messages."""
    os.environ.setdefault("DIFFUSERS_VERBOSITY", "error")
    os.environ.setdefault("TRANSFORMERS_VERBOSITY", "error")
    for category in (FutureWarning, DeprecationWarning, UserWarning):
        warnings.filterwarnings("ignore", category=category)


def main(argv: list[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    quiet_libraries()
    print_notices()
    parser = build_parser()
    args = parser.parse_args(argv)
    if not getattr(args, "func", None):
        parser.print_help(sys.stderr)
        return EXIT_USAGE
    return run_guarded(lambda: args.func(args))


if __name__ == "__main__":
    raise SystemExit(main())
