"""Named prompt/negative presets in A1111's styles.csv format (name,prompt,negative_prompt).

A style's prompt may hold `{prompt}`, where the artist's prompt goes; without it the style is
appended after a comma (A1111's merge rule). The merged prompt is what gets generated and
recorded.
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass
from pathlib import Path

from studio.core.errors import UserError
from studio.core.paths import config_dir

STYLES_FILE = "styles.csv"
FIELDS = ("name", "prompt", "negative_prompt")


@dataclass(frozen=True)
class Style:
    name: str
    prompt: str = ""
    negative_prompt: str = ""


def default_styles_path() -> Path:
    return config_dir() / STYLES_FILE


def merge(prompt: str, style_prompt: str) -> str:
    if "{prompt}" in style_prompt:
        return style_prompt.replace("{prompt}", prompt)
    return ", ".join(part for part in (prompt.strip(), style_prompt.strip()) if part)


def apply_style(style: Style, prompt: str, negative: str) -> tuple[str, str]:
    return merge(prompt, style.prompt), merge(negative, style.negative_prompt)


def read_styles(path: Path | None = None) -> list[Style]:
    """The styles in path (A1111 columns; extra columns are ignored). Missing file: none."""
    path = path or default_styles_path()
    if not path.is_file():
        return []
    try:
        text = path.read_text(encoding="utf-8-sig")
    except (OSError, UnicodeDecodeError) as exc:
        raise UserError(f"styles file {str(path)!r} is unreadable ({exc}); fix or move it") from exc
    rows = csv.DictReader(io.StringIO(text))
    if rows.fieldnames is None or "name" not in rows.fieldnames:
        raise UserError(f"styles file {str(path)!r} has no `name` column (A1111 styles.csv format)")
    styles = {}
    for row in rows:
        name = (row.get("name") or "").strip()
        if name:
            styles[name] = Style(name, row.get("prompt") or "", row.get("negative_prompt") or "")
    return list(styles.values())


def write_styles(styles: list[Style], path: Path | None = None) -> None:
    """Write styles as A1111 does (header name,prompt,negative_prompt), atomically."""
    from studio.core.imagefiles import write_atomic

    path = path or default_styles_path()
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(FIELDS)
    for style in styles:
        writer.writerow([style.name, style.prompt, style.negative_prompt])
    write_atomic(path, out.getvalue().encode("utf-8"))
