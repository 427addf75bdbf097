"""Encoding images for export: PNG with the `parameters`/`studio` chunks, or JPEG/WebP with the
infotext in EXIF UserComment exactly as A1111 writes it (piexif's "unicode" encoding)."""

from __future__ import annotations

import io

import numpy as np
from PIL import Image

from studio.core.errors import UserError
from studio.core.imagefiles import encode_png
from studio.core.metadata import format_infotext
from studio.core.params import GenerationParams

# Format name -> file extension. "jpg" is accepted as a spelling of "jpeg".
FORMATS = {"png": ".png", "jpeg": ".jpg", "webp": ".webp"}
EXTENSIONS = (".png", ".jpg", ".jpeg", ".webp")
DEFAULT_QUALITY = 95

EXIF_IFD = 0x8769
USER_COMMENT = 0x9286
UNICODE_PREFIX = b"UNICODE\x00"
# A JPEG APP1 segment holds at most 64 KiB; keep the comment well below.
MAX_COMMENT_BYTES = 60_000


class ExportFormatError(UserError):
    """An export format or quality that cannot be used."""


def canonical_format(name: object) -> str:
    """'png' | 'jpeg' | 'webp' from a user's spelling (case-insensitive, jpg allowed)."""
    text = str(name).strip().lower().lstrip(".")
    text = "jpeg" if text == "jpg" else text
    if text not in FORMATS:
        raise ExportFormatError(f"unknown image format {name!r}; choose one of: png, jpeg, webp")
    return text


def exif_user_comment(text: str) -> bytes:
    """EXIF bytes holding text as UserComment: b"UNICODE\\0" + UTF-16-BE, as A1111/piexif do."""
    payload = text.encode("utf-16-be")
    if len(payload) > MAX_COMMENT_BYTES:
        payload = (
            payload[:MAX_COMMENT_BYTES].decode("utf-16-be", errors="ignore").encode("utf-16-be")
        )
    exif = Image.Exif()
    exif.get_ifd(EXIF_IFD)[USER_COMMENT] = UNICODE_PREFIX + payload
    return exif.tobytes()


def encode_image(
    pixels: np.ndarray,
    params: GenerationParams | None,
    fmt: str = "png",
    quality: int = DEFAULT_QUALITY,
) -> bytes:
    """Bytes of the image in fmt with params embedded as the format allows."""
    fmt = canonical_format(fmt)
    if fmt == "png":
        return encode_png(pixels, params)
    image = Image.fromarray(np.ascontiguousarray(pixels))
    if fmt == "jpeg" and image.mode not in ("RGB", "L"):
        image = image.convert("RGB")  # JPEG has no alpha
    options: dict[str, object] = {"quality": int(quality)}
    if params is not None:
        options["exif"] = exif_user_comment(format_infotext(params))
    if fmt == "webp" and int(quality) >= 100:
        options["lossless"] = True
    buffer = io.BytesIO()
    image.save(buffer, format=fmt.upper(), **options)
    return buffer.getvalue()
