"""Output file names: `{index:04d}-{prompt:.40}-{seed}` templates and safe, portable names."""

from __future__ import annotations

import re
import string
import unicodedata
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from studio.core.errors import UserError
from studio.core.params import GenerationParams

DEFAULT_TEMPLATE = "{index:04d}-{prompt:.40}-{seed}"

# Field -> sample value (its type decides which format specs are valid).
FIELDS: dict[str, Any] = {
    "index": 1,
    "job": 1,
    "prompt": "castle on a cliff",
    "negative": "blurry",
    "seed": 1234,
    "model": "tiny",
    "steps": 20,
    "cfg": 7.0,
    "scheduler": "Euler a",
    "width": 512,
    "height": 512,
    "size": "512x512",
    "mode": "txt2img",
    "strength": 0.75,
    "date": "2026-01-31",
}

# Longest name in UTF-8 bytes, extension and collision suffix included; file systems allow 255.
MAX_NAME_BYTES = 180
FALLBACK_STEM = "image"

_WINDOWS_RESERVED = {"CON", "PRN", "AUX", "NUL", "CONIN$", "CONOUT$"} | {
    f"{base}{n}" for base in ("COM", "LPT") for n in [*"123456789", "¹", "²", "³"]
}
_FORBIDDEN = re.compile(r'[<>:"/\\|?*]')
_DROP_CATEGORIES = {"Cc", "Cf", "Cs", "Co", "Cn"}
_SPACE_CATEGORIES = {"Zl", "Zp", "Zs"}


class TemplateError(UserError):
    """A file-name template that cannot be used."""


@dataclass(frozen=True)
class NameTemplate:
    """A validated file-name template. Fields: see FIELDS; format specs such as `:04d` allowed."""

    text: str

    @classmethod
    def parse(cls, text: Any) -> NameTemplate:
        if not isinstance(text, str) or not text.strip():
            raise TemplateError(f"name template must be non-empty text, e.g. {DEFAULT_TEMPLATE!r}")
        try:
            parts = list(string.Formatter().parse(text))
        except ValueError as exc:
            raise TemplateError(
                f"name template {text!r} is malformed ({exc}); "
                "write a literal brace as {{ or }}"
            ) from exc
        used = False
        for _literal, field, spec, conversion in parts:
            if field is None:
                continue
            if field not in FIELDS:
                raise TemplateError(
                    f"name template {text!r} uses unknown field {{{field}}}; "
                    f"use {', '.join('{' + f + '}' for f in FIELDS)}"
                )
            if conversion is not None or (spec and ("{" in spec or "}" in spec)):
                raise TemplateError(
                    f"name template {text!r}: field {{{field}}} may only have a plain format "
                    "spec such as {index:04d} or {prompt:.40}"
                )
            if re.search(r"\d{4,}", spec or ""):
                raise TemplateError(
                    f"name template {text!r}: format spec {spec!r} of {{{field}}} is too wide"
                )
            try:
                format(FIELDS[field], spec or "")
            except (ValueError, TypeError) as exc:
                raise TemplateError(
                    f"name template {text!r}: format spec {spec!r} does not fit {{{field}}} ({exc})"
                ) from exc
            used = True
        if not used:
            raise TemplateError(
                f"name template {text!r} has no field, so every image would get the same name; "
                "include {index} or {seed}"
            )
        return cls(text)

    def render(self, values: Mapping[str, Any]) -> str:
        """The sanitised file stem (no extension) for these field values."""
        return sanitize_stem(self.text.format_map({k: values[k] for k in FIELDS if k in values}))


def model_label(model: str) -> str:
    """A short label for a model reference: a path's stem or a hub id's last part."""
    last = re.split(r"[\\/]", model.rstrip("\\/"))[-1] or model
    for ext in (".safetensors", ".ckpt", ".bin", ".pt"):
        if last.lower().endswith(ext):
            return last[: -len(ext)] or last
    return last


def template_values(
    params: GenerationParams, *, index: int, job: int = 1, date: str = ""
) -> dict[str, Any]:
    """The template fields of one image."""
    return {
        "index": index,
        "job": job,
        "prompt": params.prompt,
        "negative": params.negative,
        "seed": params.seed,
        "model": model_label(params.model),
        "steps": params.steps,
        "cfg": params.cfg,
        "scheduler": params.scheduler,
        "width": params.width,
        "height": params.height,
        "size": params.size,
        "mode": params.mode,
        "strength": params.strength,
        "date": date,
    }


def _truncate_utf8(text: str, limit: int) -> str:
    encoded = text.encode("utf-8")
    if len(encoded) <= limit:
        return text
    cut = encoded[:limit].decode("utf-8", errors="ignore")
    # Do not leave a dangling combining mark or variation selector behind.
    while cut and unicodedata.combining(cut[-1]):
        cut = cut[:-1]
    return cut


def sanitize_stem(text: str, limit: int = MAX_NAME_BYTES - 16) -> str:
    """A single, portable file-name stem: no separators, no control characters, no `..`,
    no Windows-reserved device name, no leading or trailing dots or spaces, at most `limit`
    UTF-8 bytes. Never empty."""
    text = unicodedata.normalize("NFC", str(text))
    kept: list[str] = []
    for ch in text:
        category = unicodedata.category(ch)
        if category in _SPACE_CATEGORIES or ch in "\t\n\r\v\f":
            kept.append(" ")
        elif category in _DROP_CATEGORIES:
            continue
        else:
            kept.append(ch)
    cleaned = _FORBIDDEN.sub("_", "".join(kept))
    cleaned = re.sub(r"\.{2,}", ".", cleaned)  # no `..` anywhere
    cleaned = re.sub(r" {2,}", " ", cleaned)
    cleaned = _truncate_utf8(cleaned, limit).strip(" .")
    if not cleaned:
        return FALLBACK_STEM
    if cleaned.split(".")[0].strip(" ").upper() in _WINDOWS_RESERVED:
        cleaned = "_" + cleaned
    return cleaned


def with_suffix(stem: str, number: int, extension: str) -> str:
    """`stem.ext` for number 1, `stem-2.ext`, `stem-3.ext`, ... after."""
    return f"{stem}{extension}" if number <= 1 else f"{stem}-{number}{extension}"


def name_key(name: str) -> str:
    """How case-insensitive, normalising file systems (macOS, Windows) compare names."""
    return unicodedata.normalize("NFC", name).casefold()
