"""`studio` alone opens the app, or says how to use the CLI where there is no display."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest

from studio.launcher import wants_cli


def test_subcommands_go_to_the_cli_and_anything_else_to_the_app():
    assert wants_cli(["generate", "-p", "x"])
    assert wants_cli(["--help"])
    assert not wants_cli([])
    assert not wants_cli(["picture.png"])
    assert not wants_cli(["--theme", "dark"])


@pytest.mark.skipif(
    not sys.platform.startswith("linux"), reason="display detection is for X11/Wayland"
)
def test_no_display_points_to_the_command_line():
    env = {
        k: v
        for k, v in os.environ.items()
        if k not in ("DISPLAY", "WAYLAND_DISPLAY", "QT_QPA_PLATFORM")
    }
    done = subprocess.run(
        [sys.executable, "-m", "studio"], capture_output=True, text=True, env=env, timeout=60
    )
    assert done.returncode == 2
    assert done.stderr.startswith("error: no display found")
    assert "studio generate" in done.stderr
