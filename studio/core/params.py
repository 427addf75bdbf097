"""GenerationParams: the frozen description of one generation job, and its parsing."""

from __future__ import annotations

import dataclasses
import math
import numbers
import random
from dataclasses import dataclass, field
from typing import Any

from studio.core.errors import ParamsError

MODES = ("txt2img", "img2img", "inpaint", "outpaint")
INPAINT_AREAS = ("masked", "whole")
SCHEDULERS = (
    "Euler a",
    "Euler",
    "DPM++ 2M",
    "DPM++ 2M Karras",
    "DPM++ SDE Karras",
    "DDIM",
    "UniPC",
    "LCM",
    "Heun",
    # "trailing" timestep spacing (A1111's "SGM Uniform"): what Turbo/Lightning/Hyper expect
    "Euler a Trailing",
    "Euler Trailing",
    "DPM++ 2M Trailing",
)
DEVICES = ("auto", "cpu", "cuda", "mps")
DTYPES = ("auto", "float32", "float16", "bfloat16")
DECODES = ("full", "fast")  # fast: TAESD (AutoencoderTiny) decodes the final image
MAX_SEED = 2**32 - 1
MAX_SIDE = 8192


def canonical_scheduler(name: str) -> str:
    """Return the scheduler's canonical name, matching case- and space-insensitively."""
    wanted = "".join(str(name).lower().split())
    for known in SCHEDULERS:
        if "".join(known.lower().split()) == wanted:
            return known
    raise ParamsError(f"unknown scheduler {name!r}; choose one of: {', '.join(SCHEDULERS)}")


def parse_size(text: str) -> tuple[int, int]:
    """Parse `WxH` into (width, height)."""
    parts = str(text).lower().replace("×", "x").split("x")
    if len(parts) != 2 or not all(p.strip().isascii() and p.strip().isdigit() for p in parts):
        raise ParamsError(f"size {text!r} is not WIDTHxHEIGHT, e.g. 512x512")
    return int(parts[0]), int(parts[1])


def parse_extend(text: str) -> tuple[int, int, int, int]:
    """Parse `L,T,R,B` (or one number for all four sides) into pixel extents."""
    parts = [p.strip() for p in str(text).split(",")]
    if len(parts) == 1:
        parts = parts * 4
    if len(parts) != 4 or not all(p.isascii() and p.isdigit() for p in parts):
        raise ParamsError(f"extend {text!r} is not LEFT,TOP,RIGHT,BOTTOM pixels, e.g. 0,0,128,0")
    left, top, right, bottom = (int(p) for p in parts)
    return left, top, right, bottom


def snap_to_8(value: int) -> int:
    """The nearest multiple of 8, at least 8: a side length the VAE accepts."""
    return max(8, round(value / 8) * 8)


def floor_to_8(width: int, height: int) -> tuple[int, int]:
    """An image's size rounded down to multiples of 8 (at least 8): its img2img render size."""
    return max(8, width // 8 * 8), max(8, height // 8 * 8)


def random_seed() -> int:
    return random.randint(0, MAX_SEED)


@dataclass(frozen=True)
class GenerationParams:
    """Everything that determines a generated image (with the input image and mask)."""

    prompt: str = ""
    negative: str = ""
    mode: str = "txt2img"
    model: str = "tiny"
    scheduler: str = "Euler a"
    steps: int = 20
    cfg: float = 7.0
    seed: int = 0
    width: int = 512
    height: int = 512
    strength: float = 0.75
    count: int = 1
    mask_blur: int = 4
    padding: int = 32
    inpaint_area: str = "masked"
    extend: tuple[int, int, int, int] = (0, 0, 0, 0)
    device: str = "auto"
    dtype: str = "auto"
    decode: str = "full"
    variation_seed: int | None = None
    variation_strength: float = 0.0
    extra: dict[str, Any] = field(default_factory=dict, compare=False, hash=False)

    @property
    def size(self) -> str:
        return f"{self.width}x{self.height}"

    def replace(self, **changes: Any) -> GenerationParams:
        return dataclasses.replace(self, **changes)

    def seeds(self) -> list[int]:
        """The seeds of the `count` images: seed, seed+1, ... (one seed throughout when a
        variation seed mixes in, as A1111 does: then the variation seeds count up)."""
        step = 0 if self.varies else 1
        return [(self.seed + i * step) % (MAX_SEED + 1) for i in range(self.count)]

    @property
    def varies(self) -> bool:
        """Whether a variation seed is mixed into the starting noise."""
        return self.variation_seed is not None and bool(self.variation_strength)

    def per_image(self) -> list[GenerationParams]:
        """The exact params (count 1) of each of the `count` images."""
        if not self.varies:
            return [self.replace(seed=seed, count=1) for seed in self.seeds()]
        base = int(self.variation_seed or 0)
        return [
            self.replace(count=1, variation_seed=(base + i) % (MAX_SEED + 1))
            for i in range(self.count)
        ]

    def validated(self) -> GenerationParams:
        """Return a normalised copy, or raise ParamsError naming the bad value and the fix."""
        _check_kinds(self)
        if self.mode not in MODES:
            raise ParamsError(f"unknown mode {self.mode!r}; choose one of: {', '.join(MODES)}")
        scheduler = canonical_scheduler(self.scheduler)
        if not isinstance(self.steps, int) or not 1 <= self.steps <= 1000:
            raise ParamsError(f"steps must be a whole number from 1 to 1000, got {self.steps!r}")
        if not 0.0 <= float(self.cfg) <= 100.0:
            raise ParamsError(f"cfg must be between 0 and 100, got {self.cfg!r}")
        if not isinstance(self.seed, int) or not 0 <= self.seed <= MAX_SEED:
            raise ParamsError(
                f"seed must be a whole number from 0 to {MAX_SEED}, got {self.seed!r}"
            )
        for name, side in (("width", self.width), ("height", self.height)):
            if not isinstance(side, int) or side < 8 or side > MAX_SIDE or side % 8:
                raise ParamsError(
                    f"{name} {side!r} must be a multiple of 8 from 8 to {MAX_SIDE}; "
                    f"try {max(8, round(int(side) / 8) * 8) if isinstance(side, int) else 512}"
                )
        if not 0.0 <= float(self.strength) <= 1.0:
            raise ParamsError(f"strength must be between 0 and 1, got {self.strength!r}")
        if self.mode != "txt2img" and int(self.steps * float(self.strength)) < 1:
            # diffusers runs int(steps * strength) steps
            need = math.ceil(1 / max(float(self.strength), 1e-3) - 1e-9)
            raise ParamsError(
                f"{self.steps} steps at strength {float(self.strength):g} leave no denoising "
                f"step; use at least {need} steps or a higher strength"
            )
        if not isinstance(self.count, int) or not 1 <= self.count <= 1000:
            raise ParamsError(f"count must be a whole number from 1 to 1000, got {self.count!r}")
        if not 0 <= self.mask_blur <= 256:
            raise ParamsError(f"mask blur must be 0 to 256 pixels, got {self.mask_blur!r}")
        if not 0 <= self.padding <= 4096:
            raise ParamsError(f"padding must be 0 to 4096 pixels, got {self.padding!r}")
        if self.inpaint_area not in INPAINT_AREAS:
            raise ParamsError(
                f"inpaint area must be 'masked' or 'whole', got {self.inpaint_area!r}"
            )
        if len(self.extend) != 4 or any(int(v) < 0 for v in self.extend):
            raise ParamsError(f"extend must be four non-negative pixel counts, got {self.extend!r}")
        if self.device not in DEVICES:
            raise ParamsError(
                f"unknown device {self.device!r}; choose one of: {', '.join(DEVICES)}"
            )
        _check_variation(self)
        if self.dtype not in DTYPES:
            raise ParamsError(f"unknown dtype {self.dtype!r}; choose one of: {', '.join(DTYPES)}")
        if self.decode not in DECODES:
            raise ParamsError(
                f"unknown decode {self.decode!r}; choose one of: {', '.join(DECODES)}"
            )
        return self.replace(
            scheduler=scheduler,
            cfg=float(self.cfg),
            strength=float(self.strength),
            variation_strength=float(self.variation_strength),
            extend=tuple(int(v) for v in self.extend),
        )

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready dict of every field (the `studio` PNG chunk)."""
        data = dataclasses.asdict(self)
        if not self.varies:  # older readers and identities stay as they were
            data.pop("variation_seed")
            data.pop("variation_strength")
        data["extend"] = list(self.extend)
        if not data["extra"]:
            del data["extra"]
        return data

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> GenerationParams:
        """Build from a dict (unknown keys go to `extra`; `size` is accepted)."""
        if not isinstance(data, dict):
            raise ParamsError(f"parameters must be a mapping of names to values, got {data!r:.40}")
        known = {f.name for f in dataclasses.fields(cls)}
        values: dict[str, Any] = {}
        extra: dict[str, Any] = dict(data["extra"]) if isinstance(data.get("extra"), dict) else {}
        for key, value in data.items():
            if key == "size" and isinstance(value, str):
                values["width"], values["height"] = parse_size(value)
            elif key == "extend":
                values["extend"] = _extend_from(value)
            elif key in known and key != "extra":
                values[key] = value
            elif key != "extra":
                extra[key] = value
        return cls(**values, extra=extra)


_INT_FIELDS = ("steps", "seed", "width", "height", "count", "mask_blur", "padding")
_NUMBER_FIELDS = ("cfg", "strength")
_TEXT_FIELDS = ("prompt", "negative", "mode", "model", "scheduler", "inpaint_area", "device")


def _check_kinds(params: GenerationParams) -> None:
    """ParamsError for a value of the wrong kind (from JSON metadata or a batch spec)."""
    for name in _INT_FIELDS:
        value = getattr(params, name)
        if isinstance(value, bool) or not isinstance(value, numbers.Integral):
            raise ParamsError(f"{name} must be a whole number, got {value!r:.40}")
    for name in _NUMBER_FIELDS:
        value = getattr(params, name)
        if isinstance(value, bool) or not isinstance(value, numbers.Real):
            raise ParamsError(f"{name} must be a number, got {value!r:.40}")
    for name in (*_TEXT_FIELDS, "dtype"):
        value = getattr(params, name)
        if not isinstance(value, str):
            raise ParamsError(f"{name} must be text, got {value!r:.40}")
    _extend_from(params.extend)


def _extend_from(value: Any) -> tuple[int, int, int, int]:
    if isinstance(value, str):
        return parse_extend(value)
    if (
        not isinstance(value, (list, tuple))
        or len(value) != 4
        or not all(isinstance(v, numbers.Integral) and not isinstance(v, bool) for v in value)
    ):
        raise ParamsError(f"extend must be four whole numbers of pixels, got {value!r:.40}")
    return (int(value[0]), int(value[1]), int(value[2]), int(value[3]))


def _check_variation(params: GenerationParams) -> None:
    seed, strength = params.variation_seed, params.variation_strength
    if seed is not None and (not isinstance(seed, int) or not 0 <= seed <= MAX_SEED):
        raise ParamsError(
            f"variation seed must be a whole number from 0 to {MAX_SEED}, got {seed!r}"
        )
    if not isinstance(strength, (int, float)) or not 0.0 <= float(strength) <= 1.0:
        raise ParamsError(f"variation strength must be between 0 and 1, got {strength!r}")
    if params.varies and params.mode != "txt2img":
        raise ParamsError(
            "a variation seed mixes into text-to-image noise only; for "
            f"{params.mode} set the variation strength to 0 (--variation-strength 0) and "
            "vary the seed or the strength instead"
        )
