"""The parts of a prompt that are not text to encode: LoRA tags, and syntax left verbatim."""

from __future__ import annotations

import re
from dataclasses import dataclass

# A1111's extra-network tag: <lora:name:te_weight[:unet_weight]> (`lyco` is LyCORIS's alias).
_LORA_TAG = re.compile(r"<(lora|lyco):([^>:]+)(?::([^>]*))?>", re.I)
_NUMBER = re.compile(r"^\s*[+-]?(?:\d+\.?\d*|\.\d+)\s*$")
_SCHEDULED = re.compile(r"(?<!\\)\[[^\[\]]*(?<!\\):[^\[\]]*\]")
_ALTERNATE = re.compile(r"(?<!\\)\[[^\[\]]*\|[^\[\]]*\]")
_AND = re.compile(r"\bAND\b")


@dataclass(frozen=True)
class LoraTag:
    """One `<lora:name:weight>`; `unet_weight` is None when the tag names only one weight."""

    name: str
    weight: float = 1.0
    unet_weight: float | None = None

    def tag(self) -> str:
        extra = "" if self.unet_weight is None else f":{self.unet_weight:g}"
        return f"<lora:{self.name}:{self.weight:g}{extra}>"


def _number(text: str | None, default: float | None) -> float | None:
    if text is None or not _NUMBER.match(text):
        return default
    return float(text)


def extract_loras(prompt: str) -> tuple[str, list[LoraTag]]:
    """The prompt without its LoRA tags (they are not encoded), and the tags in order.

    A name given twice keeps its last weights, as A1111's extra networks do.
    """
    found: dict[str, LoraTag] = {}
    for match in _LORA_TAG.finditer(prompt):
        name = match.group(2).strip()
        if not name:
            continue
        weights = (match.group(3) or "").split(":")
        weight = _number(weights[0], 1.0) if weights[0] else 1.0
        unet = _number(weights[1], None) if len(weights) > 1 else None
        found.pop(name, None)
        found[name] = LoraTag(name, float(weight), unet)
    return _LORA_TAG.sub("", prompt), list(found.values())


def unsupported_syntax(prompt: str) -> list[str]:
    """A1111 syntax this studio passes to the encoder verbatim (one line per kind found)."""
    notes = []
    if _SCHEDULED.search(prompt):
        notes.append("prompt editing [a:b:when] is not supported; the text is encoded as written")
    if _ALTERNATE.search(prompt):
        notes.append("alternation [a|b] is not supported; the text is encoded as written")
    if _AND.search(prompt):
        notes.append("AND (composable diffusion) is not supported; the text is encoded as written")
    return notes
