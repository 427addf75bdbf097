"""The contact sheet: a grid of thumbnails, each captioned with its seed and a short prompt."""

from __future__ import annotations

import math
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache

import numpy as np
from PIL import Image, ImageDraw, ImageFont

MAX_COLUMNS = 8
MARGIN = 8
FONT_SIZE = 12
LINE_GAP = 3
BACKGROUND = (32, 32, 32)
CAPTION = (230, 230, 230)
SUBTLE = (160, 160, 160)


@dataclass(frozen=True)
class SheetItem:
    """One cell: a thumbnail (any size; it is scaled to fit) and its caption lines."""

    thumbnail: Image.Image
    seed: int
    prompt: str


def thumbnail(pixels: np.ndarray, size: int = 256) -> Image.Image:
    """A small RGB copy of a uint8 image that fits in size x size."""
    image = Image.fromarray(np.ascontiguousarray(pixels))
    if image.mode != "RGB":
        image = image.convert("RGBA").convert("RGB") if "A" in image.mode else image.convert("RGB")
    image.thumbnail((size, size), Image.Resampling.LANCZOS)
    return image


@lru_cache(maxsize=4)
def _font(size: int) -> ImageFont.ImageFont | ImageFont.FreeTypeFont:
    try:
        return ImageFont.load_default(size=size)
    except (TypeError, OSError):  # old Pillow or no FreeType: the fixed bitmap font
        return ImageFont.load_default()


def _printable(text: str, font: object) -> str:
    """Caption text the font can draw: no control characters, and Latin-1 for the bitmap font."""
    text = "".join(
        " " if unicodedata.category(ch)[0] in "CZ" else ch
        for ch in unicodedata.normalize("NFC", text)
    )
    text = " ".join(text.split())
    if not isinstance(font, ImageFont.FreeTypeFont):
        text = text.encode("latin-1", errors="replace").decode("latin-1")
    return text


def _fit(draw: ImageDraw.ImageDraw, text: str, font: object, width: int) -> str:
    """text, shortened with an ellipsis so it is at most width pixels wide."""
    if draw.textlength(text, font=font) <= width:
        return text
    ellipsis = "…" if isinstance(font, ImageFont.FreeTypeFont) else "..."
    low, high = 0, len(text)
    while low < high:
        mid = (low + high + 1) // 2
        if draw.textlength(text[:mid].rstrip() + ellipsis, font=font) <= width:
            low = mid
        else:
            high = mid - 1
    return text[:low].rstrip() + ellipsis


def tile_size(count: int) -> int:
    """Thumbnail size for a sheet of count images (smaller for big batches)."""
    return 256 if count <= 16 else 192 if count <= 64 else 128


def contact_sheet(items: Sequence[SheetItem], tile: int | None = None) -> Image.Image:
    """An RGB grid image of the items, row by row, captioned `seed N` and the prompt."""
    count = max(1, len(items))
    tile = tile or tile_size(count)
    columns = min(MAX_COLUMNS, math.ceil(math.sqrt(count)))
    rows = math.ceil(count / columns)
    font = _font(FONT_SIZE)
    line = FONT_SIZE + LINE_GAP
    cell_w, cell_h = tile + MARGIN, tile + 2 * line + MARGIN
    sheet = Image.new("RGB", (columns * cell_w + MARGIN, rows * cell_h + MARGIN), BACKGROUND)
    draw = ImageDraw.Draw(sheet)
    for n, item in enumerate(items):
        left = MARGIN + (n % columns) * cell_w
        top = MARGIN + (n // columns) * cell_h
        thumb = item.thumbnail
        if thumb.width > tile or thumb.height > tile or thumb.mode != "RGB":
            thumb = thumb.convert("RGB")
            thumb.thumbnail((tile, tile), Image.Resampling.LANCZOS)
        sheet.paste(thumb, (left + (tile - thumb.width) // 2, top + (tile - thumb.height) // 2))
        text_top = top + tile + LINE_GAP
        draw.text((left, text_top), f"seed {item.seed}", fill=CAPTION, font=font)
        prompt = _fit(draw, _printable(item.prompt, font), font, tile)
        draw.text((left, text_top + line), prompt, fill=SUBTLE, font=font)
    return sheet
