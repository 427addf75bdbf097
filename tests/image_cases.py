"""Image files as users have them: builders shared by the loader and CLI tests."""

from __future__ import annotations

import io
import struct
import zlib
from collections.abc import Callable
from pathlib import Path

import numpy as np
from PIL import Image

W, H = 64, 48  # landscape, so a missed EXIF rotation shows in the shape


def _png_header_only(path: Path, width: int, height: int) -> None:
    """A valid little PNG whose header claims width x height (no real pixel data)."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        body = kind + data
        return struct.pack(">I", len(data)) + body + struct.pack(">I", zlib.crc32(body))

    header = struct.pack(">IIBBBBB", width, height, 8, 0, 0, 0, 0)
    path.write_bytes(
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(b"\x00" * 64))
        + chunk(b"IEND", b"")
    )


def png16(path: Path) -> None:
    values = (np.arange(W * H, dtype=np.uint32).reshape(H, W) * 21).astype(np.uint16)
    Image.fromarray(values).save(path)


def cmyk_jpeg(path: Path) -> None:
    Image.new("CMYK", (W, H), (0, 255, 255, 0)).save(path, quality=95)  # pure red


def exif_rotated_jpeg(path: Path) -> None:
    pixels = np.zeros((H, W, 3), np.uint8)
    pixels[: H // 2, : W // 2] = (255, 0, 0)  # red top-left as stored
    image = Image.fromarray(pixels)
    exif = image.getexif()
    exif[0x0112] = 6  # "rotate 90 CW to display": red ends up top-right
    image.save(path, exif=exif, quality=95)


def grey(path: Path) -> None:
    Image.new("L", (W, H), 100).save(path)


def grey_alpha(path: Path) -> None:
    Image.new("LA", (W, H), (100, 30)).save(path)


def palette_transparent(path: Path) -> None:
    image = Image.new("P", (W, H), 1)
    image.putpalette([0, 0, 0, 0, 0, 255] + [0] * 762)
    image.paste(0, (0, 0, W // 2, H))  # left half: index 0, transparent
    image.save(path, transparency=0)


def rgba_transparent(path: Path) -> None:
    pixels = np.zeros((H, W, 4), np.uint8)
    pixels[..., 1] = 200
    pixels[:, W // 2 :, 3] = 255
    Image.fromarray(pixels).save(path)


def _frames() -> list[Image.Image]:
    return [Image.new("RGB", (W, H), (255, 0, 0)), Image.new("RGB", (W, H), (0, 0, 255))]


def animated_gif(path: Path) -> None:
    first, *rest = _frames()
    first.save(path, save_all=True, append_images=rest, duration=100)


def animated_webp(path: Path) -> None:
    first, *rest = _frames()
    first.save(path, save_all=True, append_images=rest, lossless=True, duration=100)


def png_named_jpg(path: Path) -> None:
    Image.new("RGB", (W, H), (0, 255, 0)).save(path, format="PNG")


def huge(path: Path) -> None:
    _png_header_only(path, 20000, 20000)


def bomb(path: Path) -> None:
    _png_header_only(path, 100_000, 100_000)


def truncated_png(path: Path) -> None:
    buffer = io.BytesIO()
    rng = np.random.default_rng(0)
    Image.fromarray(rng.integers(0, 256, (H, W, 3), np.uint8)).save(buffer, format="PNG")
    path.write_bytes(buffer.getvalue()[: len(buffer.getvalue()) // 2])


def truncated_jpeg(path: Path) -> None:
    buffer = io.BytesIO()
    rng = np.random.default_rng(0)
    Image.fromarray(rng.integers(0, 256, (480, 640, 3), np.uint8)).save(buffer, format="JPEG")
    path.write_bytes(buffer.getvalue()[: len(buffer.getvalue()) // 2])


def zero_bytes(path: Path) -> None:
    path.write_bytes(b"")


def text_named_png(path: Path) -> None:
    path.write_text("these are my notes, not a picture\n")


# name -> (file name, builder)
READABLE: dict[str, tuple[str, Callable[[Path], None]]] = {
    "16-bit PNG": ("deep.png", png16),
    "CMYK JPEG": ("print.jpg", cmyk_jpeg),
    "EXIF-rotated JPEG": ("phone.jpg", exif_rotated_jpeg),
    "greyscale": ("grey.png", grey),
    "greyscale+alpha": ("grey-alpha.png", grey_alpha),
    "palette with transparency": ("palette.png", palette_transparent),
    "transparent RGBA": ("cutout.png", rgba_transparent),
    "animated GIF": ("anim.gif", animated_gif),
    "animated WebP": ("anim.webp", animated_webp),
    "PNG named .jpg": ("actually-png.jpg", png_named_jpg),
}
# name -> (file name, builder, words the one-line message must contain)
UNREADABLE: dict[str, tuple[str, Callable[[Path], None], tuple[str, ...]]] = {
    "huge": ("huge.png", huge, ("20000x20000", "268 megapixels", "scale it down")),
    "decompression bomb": ("bomb.png", bomb, ("268 megapixels", "scale it down")),
    "truncated PNG": ("cut.png", truncated_png, ("damaged or truncated",)),
    "truncated JPEG": ("cut.jpg", truncated_jpeg, ("damaged or truncated",)),
    "zero bytes": ("empty.png", zero_bytes, ("empty", "0 bytes")),
    "text named .png": ("notes.png", text_named_png, ("not an image", "PNG, JPEG or WebP")),
}


def build(folder: Path, name: str) -> Path:
    file_name, builder = (READABLE.get(name) or UNREADABLE[name][:2])[:2]
    path = folder / file_name
    builder(path)
    return path
