"""X/Y/Z sweep axes: which parameter an axis varies and its values, written as A1111's X/Y/Z
plot script (scripts/xyz_grid.py) writes them.

Values are comma separated (CSV, so `"a, b"` quotes a comma). On number axes an item may be a
range: `1-5` (every whole step), `1-5 (+2)` / `10-5 (-3)` (a step), `1-10 [5]` (5 evenly
spaced, truncated to whole numbers on an integer axis). Ranges expand exactly as A1111's do,
quirks included: an integer range stops before end+1, a float range before end+step.
Prompt S/R: the first value is searched in the prompt and negative prompt and replaced by each
value in turn (the first value itself gives the unchanged prompt).
"""

from __future__ import annotations

import csv
import io
import math
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from studio.core.errors import ParamsError
from studio.core.params import GenerationParams, canonical_scheduler, parse_size

MAX_IMAGES = 1000  # hard limit on a sweep's image count (the product of its axes)


class SweepError(ParamsError):
    """A sweep axis or value that cannot be used."""


# A1111's range forms (the unescaped `.` of its float patterns made literal here).
_INT = r"[+-]?\s*\d+"
_FLOAT = r"[+-]?\s*\d+(?:\.\d*)?"
RE_RANGE = re.compile(rf"\s*({_INT})\s*-\s*({_INT})(?:\s*\(([+-]\d+)\s*\))?\s*")
RE_RANGE_FLOAT = re.compile(rf"\s*({_FLOAT})\s*-\s*({_FLOAT})(?:\s*\(([+-]\d+(?:\.\d*)?)\s*\))?\s*")
RE_COUNT = re.compile(rf"\s*({_INT})\s*-\s*({_INT})(?:\s*\[(\d+)\s*])?\s*")
RE_COUNT_FLOAT = re.compile(rf"\s*({_FLOAT})\s*-\s*({_FLOAT})(?:\s*\[(\d+(?:\.\d*)?)\s*])?\s*")


@dataclass(frozen=True)
class AxisKind:
    """One parameter a sweep can vary."""

    name: str  # the CLI / spec name
    label: str  # the grid's axis title (A1111's wording)
    type: type  # int, float or str
    apply: Callable[[GenerationParams, Any, Sequence[Any]], GenerationParams]
    aliases: tuple[str, ...] = ()


def _field(name: str) -> Callable[[GenerationParams, Any, Sequence[Any]], GenerationParams]:
    return lambda params, value, _values: params.replace(**{name: value})


def _size(params: GenerationParams, value: str, _values: Sequence[Any]) -> GenerationParams:
    width, height = parse_size(value)
    return params.replace(width=width, height=height)


def _sampler(params: GenerationParams, value: str, _values: Sequence[Any]) -> GenerationParams:
    return params.replace(scheduler=canonical_scheduler(value))


def _prompt_sr(params: GenerationParams, value: str, values: Sequence[Any]) -> GenerationParams:
    search = values[0]
    if search not in params.prompt and search not in params.negative:
        raise SweepError(
            f"Prompt S/R did not find {search!r} in the prompt or negative prompt; "
            "the first value must be a piece of the prompt to replace"
        )
    return params.replace(
        prompt=params.prompt.replace(search, value),
        negative=params.negative.replace(search, value),
    )


KINDS: tuple[AxisKind, ...] = (
    AxisKind("seed", "Seed", int, _field("seed")),
    AxisKind("steps", "Steps", int, _field("steps")),
    AxisKind("cfg", "CFG scale", float, _field("cfg"), ("cfg scale", "cfg_scale", "guidance")),
    AxisKind("sampler", "Sampler", str, _sampler, ("scheduler",)),
    AxisKind("strength", "Denoising", float, _field("strength"), ("denoising",)),
    AxisKind("size", "Size", str, _size),
    AxisKind("model", "Model", str, _field("model"), ("checkpoint",)),
    AxisKind("prompt", "Prompt S/R", str, _prompt_sr, ("prompt s/r", "prompt_sr", "sr")),
    AxisKind("variation_seed", "Var. seed", int, _field("variation_seed"), ("var. seed",)),
    AxisKind(
        "variation_strength",
        "Var. strength",
        float,
        _field("variation_strength"),
        ("var. strength",),
    ),
)


def kind_named(name: str) -> AxisKind:
    wanted = " ".join(str(name).strip().lower().replace("-", "_").split())
    for kind in KINDS:
        if wanted == kind.name or wanted in kind.aliases or wanted == kind.label.lower():
            return kind
    names = ", ".join(kind.name for kind in KINDS)
    raise SweepError(f"unknown sweep axis {str(name)!r}; choose one of: {names}")


@dataclass(frozen=True)
class Axis:
    kind: AxisKind
    values: tuple[Any, ...]

    @property
    def label(self) -> str:
        return self.kind.label

    def value_labels(self) -> list[str]:
        """What the grid writes beside each row or column (A1111: `Label: value`)."""
        if self.kind.name == "prompt":
            return [str(v) for v in self.values]
        return [f"{self.kind.label}: {format_value(v)}" for v in self.values]

    def apply(self, params: GenerationParams, index: int) -> GenerationParams:
        return self.kind.apply(params, self.values[index], self.values)


def format_value(value: Any) -> str:
    if isinstance(value, float):
        return f"{round(value, 8):g}"
    return str(value)


def split_values(text: str) -> list[str]:
    """A1111's csv_string_to_list_strip: CSV fields, stripped, empty ones kept out."""
    try:
        rows = list(csv.reader(io.StringIO(text)))
    except csv.Error as exc:
        raise SweepError(f"sweep values {text!r} are not comma separated text: {exc}") from exc
    return [field.strip() for row in rows for field in row if field.strip()]


def _count_check(count: float, item: str) -> int:
    if not math.isfinite(count) or count > MAX_IMAGES:
        raise SweepError(f"range {item!r} gives more than {MAX_IMAGES} values; narrow it")
    return max(0, int(count))


def _expand_int(item: str) -> list[Any]:
    match = RE_RANGE.fullmatch(item)
    if match is not None:
        start, end = int(match[1].replace(" ", "")), int(match[2].replace(" ", "")) + 1
        step = int(match[3]) if match[3] is not None else 1
        if step == 0:
            raise SweepError(f"range {item!r} has a step of 0; use e.g. (+1)")
        _count_check((end - start) / step, item)
        return list(range(start, end, step))
    match = RE_COUNT.fullmatch(item)
    if match is not None:
        start, end = int(match[1].replace(" ", "")), int(match[2].replace(" ", ""))
        num = _count_check(int(match[3]) if match[3] is not None else 1, item)
        return [int(x) for x in _linspace(start, end, num)]
    return [item]


def _expand_float(item: str) -> list[Any]:
    match = RE_RANGE_FLOAT.fullmatch(item)
    if match is not None:
        start, end = float(match[1].replace(" ", "")), float(match[2].replace(" ", ""))
        step = float(match[3]) if match[3] is not None else 1.0
        if step == 0:
            raise SweepError(f"range {item!r} has a step of 0; use e.g. (+0.5)")
        stop = end + step  # A1111: np.arange(start, end + step, step)
        count = _count_check(math.ceil((stop - start) / step), item)
        return [start + i * step for i in range(count)]
    match = RE_COUNT_FLOAT.fullmatch(item)
    if match is not None:
        start, end = float(match[1].replace(" ", "")), float(match[2].replace(" ", ""))
        num = _count_check(int(float(match[3])) if match[3] is not None else 1, item)
        return _linspace(start, end, num)
    return [item]


def _linspace(start: float, end: float, num: int) -> list[float]:
    """numpy.linspace(start, end, num) (endpoint included), without numpy's float drift."""
    if num == 1:
        return [float(start)]
    step = (end - start) / (num - 1)
    return [start + i * step if i < num - 1 else float(end) for i in range(num)]


def _convert(kind: AxisKind, value: Any) -> Any:
    if kind.type is str:
        return str(value)
    try:
        if kind.type is int:
            if isinstance(value, float) and not value.is_integer():
                raise ValueError
            return int(value) if not isinstance(value, str) else int(value.strip())
        return float(value)
    except (TypeError, ValueError, OverflowError):
        wanted = "a whole number" if kind.type is int else "a number"
        raise SweepError(
            f"sweep axis {kind.name!r}: {str(value)!r} is not {wanted} or a range like 1-5"
        ) from None


def parse_axis(name: str, values: str | Sequence[Any]) -> Axis:
    """An axis from its name and its values: A1111 text (`"4, 7, 9"`, `"1-10 [5]"`) or a list
    (a TOML array; its text items may be ranges too)."""
    kind = kind_named(name)
    if isinstance(values, str):
        items: list[Any] = split_values(values)
    elif isinstance(values, (list, tuple)):
        items = []
        for value in values:
            if isinstance(value, bool) or not isinstance(value, (str, int, float)):
                raise SweepError(f"sweep axis {kind.name!r}: {value!r} is not a value")
            items += split_values(value) if isinstance(value, str) else [value]
    else:
        raise SweepError(f"sweep axis {kind.name!r}: give its values as text or a list")
    expanded: list[Any] = []
    for item in items:
        try:
            if isinstance(item, str) and kind.type is int:
                expanded += _expand_int(item)
            elif isinstance(item, str) and kind.type is float:
                expanded += _expand_float(item)
            else:
                expanded.append(item)
        except (ValueError, OverflowError) as exc:  # e.g. numbers too long to be numbers
            raise SweepError(f"sweep axis {kind.name!r}: {item!r} is not usable ({exc})") from None
        if len(expanded) > MAX_IMAGES:
            raise SweepError(f"sweep axis {kind.name!r} has more than {MAX_IMAGES} values")
    converted = tuple(_convert(kind, value) for value in expanded)
    if kind.type is float and not all(math.isfinite(v) for v in converted):
        raise SweepError(f"sweep axis {kind.name!r}: values must be finite numbers")
    if not converted:
        raise SweepError(f"sweep axis {kind.name!r} has no values; give e.g. {kind.name}=1,2,3")
    return Axis(kind, converted)


def parse_axis_spec(text: str) -> Axis:
    """`NAME=VALUES` as the CLI takes it (e.g. `cfg=4,7,10`, `prompt=castle,lighthouse`)."""
    name, sep, values = str(text).partition("=")
    if not sep or not name.strip():
        raise SweepError(f"sweep axis {text!r} is not NAME=VALUES, e.g. cfg=4,7,10")
    return parse_axis(name, values)
