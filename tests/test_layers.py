"""Layer rules import-linter cannot express: which Qt modules each layer may import."""

from __future__ import annotations

import ast
import re
import subprocess
import sys
from pathlib import Path

import pytest

STUDIO = Path(__file__).resolve().parents[1] / "studio"


def imported_modules(folder: Path) -> set[tuple[str, str]]:
    found = set()
    for path in folder.rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Import):
                found.update((path.name, alias.name) for alias in node.names)
            elif isinstance(node, ast.ImportFrom) and node.module:
                found.update((path.name, node.module) for _ in [0])
                if node.module == "PySide6":
                    found.update((path.name, f"PySide6.{a.name}") for a in node.names)
    return found


@pytest.mark.parametrize("banned", ["PySide6.QtWidgets", "PySide6.QtGui"])
def test_jobs_uses_qtcore_only(banned):
    offenders = {f for f, module in imported_modules(STUDIO / "jobs") if module.startswith(banned)}
    assert not offenders, f"studio/jobs imports {banned} in {sorted(offenders)}"


def test_the_window_side_imports_no_torch():
    """The window must appear before torch/diffusers load: importing the app must not load them."""
    code = (
        "import sys, studio.app, studio.jobs, studio.ui; "
        "print(sorted(m for m in ('torch', 'diffusers', 'transformers') if m in sys.modules))"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "[]"


def test_only_the_shell_knows_the_main_window():
    """Presenters bind to the document model and the widgets they are given: outside
    studio/ui/shell no module imports the main window or names MainWindow (a type hint in
    quotes or under TYPE_CHECKING included)."""
    word = re.compile(r"\bMainWindow\b")  # QMainWindow, a plain Qt class, is fine
    shell = STUDIO / "ui" / "shell"
    offenders = []
    for path in sorted((STUDIO / "ui").rglob("*.py")):
        if shell in path.parents:
            continue
        source = path.read_text(encoding="utf-8")
        modules = set()
        for node in ast.walk(ast.parse(source)):
            if isinstance(node, ast.Import):
                modules.update(alias.name for alias in node.names)
            elif isinstance(node, ast.ImportFrom) and node.module:
                modules.update(f"{node.module}.{alias.name}" for alias in node.names)
        if word.search(source) or any(m.startswith("studio.ui.shell.main_window") for m in modules):
            offenders.append(str(path.relative_to(STUDIO.parent)))
    assert not offenders, (
        f"{offenders} reach for the main window; pass the document model and the widgets "
        "they need instead (build them in studio/ui/shell/features.py)"
    )
