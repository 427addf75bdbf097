"""Reading images safely and writing them atomically with metadata."""

from __future__ import annotations

import contextlib
import io
import os
import struct
import tempfile
import warnings
from collections.abc import Iterator
from pathlib import Path

import numpy as np
from PIL import Image, ImageOps, PngImagePlugin, UnidentifiedImageError

from studio.core.errors import InputImageError
from studio.core.metadata import PARAMETERS_KEY, STUDIO_KEY, format_infotext, params_to_json
from studio.core.params import GenerationParams

MAX_SIDE = 16384
MAX_PIXELS = MAX_SIDE * MAX_SIDE
# Pillow refuses (as a decompression bomb) only what is far past our own limit, checked first.
Image.MAX_IMAGE_PIXELS = MAX_PIXELS
_UMASK = os.umask(0o022)
os.umask(_UMASK)
READABLE_FORMATS = ("PNG", "JPEG", "WEBP", "BMP", "TIFF")


def _too_large(name: str, size: str = "") -> InputImageError:
    return InputImageError(
        f"image {name!r} is {size + ', ' if size else ''}larger than Studio accepts "
        f"({MAX_PIXELS // 1_000_000} "
        f"megapixels, e.g. {MAX_SIDE}x{MAX_SIDE}); scale it down first"
    )


@contextlib.contextmanager
def _opened(path: Path) -> Iterator[Image.Image]:
    """The decoded image (first frame of an animation); every failure is an InputImageError."""
    if not path.is_file():
        raise InputImageError(f"image {str(path)!r} does not exist; check the path")
    try:
        if path.stat().st_size == 0:
            raise InputImageError(f"image {path.name!r} is empty (0 bytes); re-export it")
        with warnings.catch_warnings():
            # Our own limit below is the one that counts: Pillow's bomb warning must not leak.
            warnings.simplefilter("ignore", Image.DecompressionBombWarning)
            image = Image.open(path)
        with image:
            width, height = image.size
            if width * height > MAX_PIXELS:
                raise _too_large(path.name, f"{width}x{height}")
            image.load()
            yield image
    except InputImageError:
        raise
    except Image.DecompressionBombError as exc:
        raise _too_large(path.name) from exc
    except UnidentifiedImageError as exc:
        raise InputImageError(
            f"{path.name!r} is not an image Studio can read; use PNG, JPEG or WebP"
        ) from exc
    except PermissionError as exc:
        raise InputImageError(f"image {path.name!r} is not readable (permission denied)") from exc
    except (OSError, SyntaxError, ValueError, struct.error, EOFError) as exc:
        raise InputImageError(
            f"image {path.name!r} is damaged or truncated ({exc}); re-export it"
        ) from exc


def _to_8bit(image: Image.Image) -> Image.Image:
    """16-bit and float greyscale (I;16, I, F) scaled down to 8-bit L; other modes unchanged."""
    if image.mode not in ("I", "I;16", "I;16B", "I;16L", "I;16N", "F"):
        return image
    values = np.asarray(image, dtype=np.float64)
    top = 1.0 if image.mode == "F" and values.max(initial=0) <= 1.0 else 65535.0
    scaled = np.clip(values / top * 255.0 + 0.5, 0, 255).astype(np.uint8)
    return Image.fromarray(scaled, mode="L")


def read_image(path: str | os.PathLike[str]) -> tuple[np.ndarray, dict[str, str]]:
    """Load an image as uint8 RGB or RGBA (H, W, C) plus its text chunks.

    EXIF orientation is applied, 16-bit is scaled to 8-bit, CMYK/greyscale/palette become RGB(A)
    and an animation gives its first frame. An OpenRaster file gives its visible composite."""
    if Path(path).suffix.lower() == ".ora":
        from studio.core.document.ora import read_ora_composite

        return read_ora_composite(path)
    with _opened(Path(path)) as image:
        chunks = {k: v for k, v in getattr(image, "text", {}).items() if isinstance(v, str)}
        if "exif" in image.info and PARAMETERS_KEY not in chunks:
            comment = read_exif_user_comment(image)
            if comment:
                chunks[PARAMETERS_KEY] = comment
        upright = _to_8bit(ImageOps.exif_transpose(image) or image)
        has_alpha = upright.mode in ("RGBA", "LA", "PA", "RGBa", "La") or (
            upright.mode == "P" and "transparency" in upright.info
        )
        converted = upright.convert("RGBA" if has_alpha else "RGB")
        return np.asarray(converted, dtype=np.uint8).copy(), chunks


def read_mask(path: str | os.PathLike[str]) -> np.ndarray:
    """Load a mask as uint8 (H, W): 255 repaint, 0 keep (from luminance, or alpha if RGBA)."""
    with _opened(Path(path)) as image:
        upright = _to_8bit(ImageOps.exif_transpose(image) or image)
        if upright.mode in ("RGBA", "LA"):
            alpha = np.asarray(upright.getchannel("A"), dtype=np.uint8)
            if alpha.min() < 255:
                lum = np.asarray(upright.convert("L"), dtype=np.uint8)
                return np.minimum(alpha, lum).copy()
        return np.asarray(upright.convert("L"), dtype=np.uint8).copy()


def read_exif_user_comment(image: Image.Image) -> str | None:
    """EXIF UserComment text as A1111 writes it (piexif: b"UNICODE\\0" + UTF-16-BE) and reads it
    back: also UTF-16-LE (Windows, ExifTool on Intel-order files), a BOM, ASCII/undefined
    prefixes and bare UTF-8; NUL padding dropped. None when there is no comment."""
    with contextlib.suppress(Exception):
        raw = image.getexif().get_ifd(0x8769).get(0x9286)
        if isinstance(raw, str):
            return raw.rstrip("\x00") or None
        if not isinstance(raw, bytes):
            return None
        prefix, body = raw[:8], raw[8:]
        if prefix == b"UNICODE\x00":
            if body[:2] in (b"\xfe\xff", b"\xff\xfe"):
                encoding, body = ("utf-16-be" if body[:2] == b"\xfe\xff" else "utf-16-le"), body[2:]
            else:
                # Mostly-Latin text has its zero bytes first in each pair in big-endian order.
                high, low = body[0::2].count(0), body[1::2].count(0)
                encoding = "utf-16-le" if low > high else "utf-16-be"
            text = body[: len(body) // 2 * 2].decode(encoding, errors="replace")
        elif prefix in (b"ASCII\x00\x00\x00", b"JIS\x00\x00\x00\x00\x00", b"\x00" * 8):
            text = body.decode("utf-8", errors="replace")
        else:
            text = raw.decode("utf-8", errors="replace")
        return text.rstrip("\x00") or None
    return None


def png_info(
    params: GenerationParams | None, extra: dict[str, str] | None = None
) -> PngImagePlugin.PngInfo:
    info = PngImagePlugin.PngInfo()
    if params is not None:
        info.add_text(PARAMETERS_KEY, format_infotext(params))
        info.add_text(STUDIO_KEY, params_to_json(params))
    for key, value in (extra or {}).items():
        info.add_text(key, value)
    return info


def encode_png(pixels: np.ndarray, params: GenerationParams | None = None) -> bytes:
    """PNG bytes of a uint8 (H, W[, C]) array with the `parameters` and `studio` chunks."""
    buffer = io.BytesIO()
    Image.fromarray(np.ascontiguousarray(pixels)).save(
        buffer, format="PNG", pnginfo=png_info(params)
    )
    return buffer.getvalue()


def write_atomic(path: str | os.PathLike[str], data: bytes) -> Path:
    """Write bytes to path via a temp file and rename, so no reader sees a partial file."""
    target = Path(path)
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".part", dir=target.parent)
    except OSError as exc:
        exc.filename = str(target)  # name the file the user asked for, not a temp name
        raise
    try:
        if hasattr(os, "fchmod"):  # mkstemp makes 0600; a saved image is as readable as any file
            os.fchmod(fd, 0o666 & ~_UMASK)
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(tmp, target)
    except BaseException as exc:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        if isinstance(exc, OSError):
            exc.filename = str(target)
        raise
    return target


def save_png(
    path: str | os.PathLike[str], pixels: np.ndarray, params: GenerationParams | None = None
) -> Path:
    """Atomically write pixels as PNG with metadata."""
    return write_atomic(path, encode_png(pixels, params))
