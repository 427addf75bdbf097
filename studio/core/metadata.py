"""A1111-compatible infotext (`parameters` PNG chunk) plus Studio's exact JSON (`studio` chunk)."""

from __future__ import annotations

import json
import re
from typing import Any

from studio import __version__
from studio.core.errors import InputImageError
from studio.core.params import SCHEDULERS, GenerationParams, parse_size

PARAMETERS_KEY = "parameters"
STUDIO_KEY = "studio"

# A1111's own rule (modules/infotext_utils.py) for a key/value pair on the last line.
INFOTEXT_PAIR = re.compile(r"""\s*(\w[\w \-/]+):\s*("(?:\\.|[^\\"])+"|[^,]*)(?:,|$)""")

# Keys kept in params.extra that A1111 writes too (prompt features: LoRAs, embeddings, wildcards).
INFOTEXT_EXTRAS = ("Lora hashes", "TI hashes", "Template", "Negative Template")

# Infotext key -> (GenerationParams field, parser).
_READERS: dict[str, tuple[str, Any]] = {
    "Steps": ("steps", int),
    "Sampler": ("scheduler", str),
    "CFG scale": ("cfg", float),
    "Seed": ("seed", int),
    "Variation seed": ("variation_seed", int),
    "Variation seed strength": ("variation_strength", float),
    "Model": ("model", str),
    "Denoising strength": ("strength", float),
    "Mask blur": ("mask_blur", int),
    "Masked area padding": ("padding", int),
    "Mode": ("mode", str),
}

# Inpaint knobs kept in params.extra (see studio.engine.inpaint_flow): extra key -> infotext key.
_EXTRA_KEYS = {"mask_grow": "Mask grow", "color_match": "Color match"}

# A1111 1.9+ writes "DPM++ 2M Karras" as "Sampler: DPM++ 2M, Schedule type: Karras", and its
# "Automatic" schedule means Karras for these samplers, so their plain form is written "Uniform".
KARRAS_SUFFIX = " Karras"
_A1111_KARRAS_BY_DEFAULT = ("DPM++ 2M", "DPM++ SDE")
# Trailing timestep spacing (Turbo/LCM models) is A1111's "SGM Uniform" schedule.
TRAILING_SUFFIX = " Trailing"
SGM_UNIFORM = "SGM Uniform"


def split_sampler(name: str) -> tuple[str, str]:
    """A scheduler name as A1111's (Sampler, Schedule type) pair."""
    if name.endswith(KARRAS_SUFFIX):
        return name[: -len(KARRAS_SUFFIX)], "Karras"
    if name.endswith(TRAILING_SUFFIX):
        return name[: -len(TRAILING_SUFFIX)], SGM_UNIFORM
    return name, "Uniform" if name in _A1111_KARRAS_BY_DEFAULT else "Automatic"


def join_sampler(sampler: str, schedule: str | None) -> str | None:
    """The scheduler name for A1111's Sampler + Schedule type, or None for a schedule we lack."""
    kind = (schedule or "").strip().lower()
    if sampler.endswith((KARRAS_SUFFIX, TRAILING_SUFFIX)) or kind in ("", "uniform"):
        return sampler
    if kind == SGM_UNIFORM.lower():
        return sampler + TRAILING_SUFFIX if sampler + TRAILING_SUFFIX in SCHEDULERS else None
    if kind == "karras" or (kind == "automatic" and sampler in _A1111_KARRAS_BY_DEFAULT):
        return sampler + KARRAS_SUFFIX if sampler + KARRAS_SUFFIX in SCHEDULERS else None
    return sampler if kind == "automatic" else None


def _quote(value: Any) -> str:
    text = str(value)
    if any(ch in text for ch in ',:\n"'):
        return json.dumps(text, ensure_ascii=False)
    return text


def _number(value: float) -> str:
    return f"{value:g}"


def format_infotext(params: GenerationParams) -> str:
    """The A1111 `parameters` text for params (prompt, negative line, key/value line)."""
    sampler, schedule = split_sampler(params.scheduler)
    pairs: list[tuple[str, Any]] = [
        ("Steps", params.steps),
        ("Sampler", sampler),
        ("Schedule type", schedule),
        ("CFG scale", _number(params.cfg)),
        ("Seed", params.seed),
    ]
    if params.varies:  # A1111 writes both only when the strength is not 0
        pairs.append(("Variation seed", params.variation_seed))
        pairs.append(("Variation seed strength", _number(params.variation_strength)))
    pairs += [("Size", params.size), ("Model", params.model)]
    # A1111's hashes and separate VAE, set by the engine on each result (kept in extra)
    pairs += [(k, params.extra[k]) for k in ("Model hash", "VAE", "VAE hash") if k in params.extra]
    if params.mode != "txt2img":
        pairs.append(("Mode", params.mode))
        pairs.append(("Denoising strength", _number(params.strength)))
    if params.mode == "inpaint":
        pairs.append(("Mask blur", params.mask_blur))
        pairs.append(
            ("Inpaint area", "Only masked" if params.inpaint_area == "masked" else "Whole picture")
        )
        pairs.append(("Masked area padding", params.padding))
        extra = params.extra or {}
        pairs.extend((key, extra[name]) for name, key in _EXTRA_KEYS.items() if name in extra)
    if params.mode == "outpaint":
        pairs.append(("Extend", ",".join(str(v) for v in params.extend)))
    pairs += [(key, params.extra[key]) for key in INFOTEXT_EXTRAS if params.extra.get(key)]
    pairs.append(("Version", f"studio {__version__}"))
    lines = [params.prompt]
    if params.negative:
        lines.append(f"Negative prompt: {params.negative}")
    lines.append(", ".join(f"{key}: {_quote(value)}" for key, value in pairs))
    return "\n".join(lines)


def _unquote(value: str) -> str:
    value = value.strip()
    if len(value) >= 2 and value[0] == value[-1] == '"':
        try:
            return str(json.loads(value))
        except json.JSONDecodeError:
            return value
    return value


def parse_infotext(text: str) -> dict[str, Any]:
    """Parse infotext as A1111 does: {'Prompt', 'Negative prompt', key: value, ...}."""
    lines = text.strip().split("\n")
    result: dict[str, Any] = {}
    if lines and len(INFOTEXT_PAIR.findall(lines[-1])) >= 3:
        for key, value in INFOTEXT_PAIR.findall(lines[-1]):
            result[key.strip()] = _unquote(value)
        lines = lines[:-1]
    prompt: list[str] = []
    negative: list[str] = []
    in_negative = False
    for line in lines:
        if line.startswith("Negative prompt:"):
            in_negative = True
            line = line[len("Negative prompt:") :].strip()
        (negative if in_negative else prompt).append(line)
    result["Prompt"] = "\n".join(prompt)
    result["Negative prompt"] = "\n".join(negative)
    return result


def params_from_infotext(text: str) -> GenerationParams:
    """GenerationParams from an A1111-style infotext (keys it does not know are kept in extra)."""
    fields = parse_infotext(text)
    values: dict[str, Any] = {
        "prompt": fields.pop("Prompt"),
        "negative": fields.pop("Negative prompt"),
    }
    if "Size" in fields:
        values["width"], values["height"] = parse_size(fields.pop("Size"))
    if fields.get("Inpaint area"):
        area = fields.pop("Inpaint area")
        values["inpaint_area"] = "masked" if "mask" in area.lower() else "whole"
    if fields.get("Extend"):
        values["extend"] = fields.pop("Extend")
    for key, (name, parse) in _READERS.items():
        if key in fields:
            try:
                values[name] = parse(fields.pop(key))
            except ValueError as exc:
                raise InputImageError(f"embedded parameter {key!r} is unreadable: {exc}") from exc
    fields.pop("Version", None)
    if "scheduler" in values:
        joined = join_sampler(values["scheduler"], fields.get("Schedule type"))
        if joined is not None:  # else the unknown schedule stays visible in extra
            values["scheduler"] = joined
            fields.pop("Schedule type", None)
    for name, key in _EXTRA_KEYS.items():
        if key in fields:
            fields[name] = _extra_value(name, fields.pop(key))
    if "strength" in values and "mode" not in values:
        values["mode"] = "img2img"
    return GenerationParams.from_dict({**values, "extra": fields})


def _extra_value(name: str, text: str) -> Any:
    if name == "color_match":
        return text.strip().lower() in ("true", "yes", "1", "on")
    try:
        return int(text)
    except ValueError as exc:
        raise InputImageError(f"embedded parameter {name!r} is unreadable: {exc}") from exc


def params_to_json(params: GenerationParams) -> str:
    return json.dumps(params.to_dict(), ensure_ascii=True, sort_keys=True)


def params_from_text_chunks(chunks: dict[str, str]) -> GenerationParams | None:
    """Params from a PNG's text chunks: the exact `studio` JSON if present, else `parameters`."""
    if STUDIO_KEY in chunks:
        try:
            data = json.loads(chunks[STUDIO_KEY])
        except json.JSONDecodeError as exc:
            raise InputImageError(f"the image's studio metadata is not valid JSON: {exc}") from exc
        return GenerationParams.from_dict(data)
    if PARAMETERS_KEY in chunks:
        return params_from_infotext(chunks[PARAMETERS_KEY])
    return None
