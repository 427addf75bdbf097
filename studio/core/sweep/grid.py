"""The labelled sweep grid: cells in rows (Y) and columns (X), each column's value above it,
each row's value to its left, the axis titles in the corner and Z's value as the title.

`draw_grid` also returns where each label went ({'text', 'box'}), recorded in index.json so a
reader (or a test) can find every label on the image.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

import numpy as np
from PIL import Image, ImageDraw, ImageFont

from studio.core.export.sheet import _printable

FONT_SIZE = 16
PAD = 8
BACKGROUND = (255, 255, 255)
TEXT = (0, 0, 0)
MISSING = (64, 64, 64)  # a cell not rendered (cancelled)


@lru_cache(maxsize=2)
def label_font(size: int = FONT_SIZE) -> ImageFont.ImageFont | ImageFont.FreeTypeFont:
    try:
        return ImageFont.load_default(size=size)
    except (TypeError, OSError):  # old Pillow without FreeType: the bitmap font
        return ImageFont.load_default()


@dataclass(frozen=True)
class Label:
    text: str
    box: tuple[int, int, int, int]  # where the text's ink may lie: left, top, right, bottom

    def to_dict(self) -> dict[str, Any]:
        return {"text": self.text, "box": list(self.box)}


def _wrap(draw: ImageDraw.ImageDraw, text: str, font: Any, width: int) -> list[str]:
    """Words on lines at most width pixels wide (a long word keeps its own line)."""
    lines: list[str] = []
    for word in _printable(text, font).split(" "):
        if lines and draw.textlength(f"{lines[-1]} {word}", font=font) <= width:
            lines[-1] = f"{lines[-1]} {word}"
        else:
            lines.append(word)
    return lines or [""]


def _line_height(font: Any) -> int:
    bottom = font.getbbox("Ag")[3]
    return int(bottom) + 4


def draw_grid(
    cells: Sequence[np.ndarray | None],
    columns: int,
    rows: int,
    column_labels: Sequence[str],
    row_labels: Sequence[str],
    corner: Sequence[str] = (),
    title: str = "",
    cell_size: tuple[int, int] | None = None,
) -> tuple[Image.Image, list[Label]]:
    """One grid of rows x columns cells (row-major; None = not rendered) with its labels."""
    font = label_font()
    probe = ImageDraw.Draw(Image.new("RGB", (1, 1)))
    present = [c for c in cells if c is not None]
    if cell_size is None:
        cell_size = (present[0].shape[1], present[0].shape[0]) if present else (64, 64)
    cw, ch = cell_size
    line = _line_height(font)
    col_text = [_wrap(probe, t, font, max(cw, 48)) for t in column_labels]
    row_width = max([probe.textlength(t, font=font) for t in row_labels if t] + [0.0])
    corner_width = max([probe.textlength(t, font=font) for t in corner] + [0.0])
    left_band = (
        int(min(max(row_width, corner_width), 4 * max(cw, 64))) + 2 * PAD
        if any(row_labels) or corner
        else 0
    )
    row_text = [_wrap(probe, t, font, max(left_band - 2 * PAD, 16)) for t in row_labels]
    header_lines = max([len(t) for t in col_text] + [len(corner)] + [0])
    title_band = line + PAD if title else 0
    top_band = title_band + (header_lines * line + 2 * PAD if header_lines else 0)
    width = left_band + columns * cw
    height = top_band + rows * ch
    sheet = Image.new("RGB", (width, height), BACKGROUND)
    draw = ImageDraw.Draw(sheet)
    labels: list[Label] = []

    def text_block(lines: list[str], left: int, top: int, span: int, center: bool) -> None:
        for n, text in enumerate(lines):
            length = int(draw.textlength(text, font=font))
            x = left + (span - length) // 2 if center else left
            y = top + n * line
            draw.text((x, y), text, fill=TEXT, font=font)
            labels.append(Label(text, (x, y, x + length + 1, y + line)))

    if title:
        text_block([_printable(title, font)], 0, PAD // 2, width, center=True)
    if corner:
        text_block([_printable(t, font) for t in corner], PAD, title_band + PAD, left_band, False)
    for col, lines in enumerate(col_text):
        text_block(lines, left_band + col * cw, title_band + PAD, cw, center=True)
    for row, lines in enumerate(row_text):
        block = len(lines) * line
        text_block(lines, PAD, top_band + row * ch + (ch - block) // 2, left_band, center=False)
    for n, pixels in enumerate(cells):
        left, top = left_band + (n % columns) * cw, top_band + (n // columns) * ch
        if pixels is None:
            draw.rectangle((left, top, left + cw - 1, top + ch - 1), fill=MISSING)
            continue
        image = Image.fromarray(np.ascontiguousarray(pixels[..., :3]))
        if image.size != (cw, ch):  # a size axis: fit each cell into the largest cell
            image.thumbnail((cw, ch), Image.Resampling.LANCZOS)
        sheet.paste(image, (left + (cw - image.width) // 2, top + (ch - image.height) // 2))
    return sheet, labels
