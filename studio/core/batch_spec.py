"""Batch specs (TOML): parsed and fully validated before anything renders.

Top-level keys are defaults for every `[[job]]`; a job's keys win. The result is a flat plan:
one PlannedImage per output image, each with concrete params (count 1, its own seed), its input
image/mask paths (relative paths are relative to the spec file) and its output name template.
"""

from __future__ import annotations

import difflib
import hashlib
import sys
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from studio.core.errors import BatchSpecError, UserError
from studio.core.export.formats import DEFAULT_QUALITY, canonical_format
from studio.core.export.names import DEFAULT_TEMPLATE, NameTemplate
from studio.core.params import (
    MAX_SEED,
    MODES,
    GenerationParams,
    floor_to_8,
    parse_extend,
    parse_size,
)
from studio.core.prompts.wildcards import COMBINATIONS_KEY, has_wildcards, plan_images

if TYPE_CHECKING:
    from studio.core.sweep import SweepPlan

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover
    import tomli as tomllib

# Keys a job (or the top level, as a default) may set, with what TOML type each takes.
STRING_KEYS = (
    "prompt",
    "negative",
    "model",
    "scheduler",
    "device",
    "dtype",
    "mode",
    "image",
    "mask",
    "name",
    "inpaint_area",
    "params_from",
)
INT_KEYS = ("seed", "count", "steps", "mask_blur", "padding", "variation_seed")
NUMBER_KEYS = ("cfg", "strength", "variation_strength")
OTHER_KEYS = ("seeds", "variation_seeds", "size", "extend", "combinations", "sweep")
JOB_KEYS = frozenset(STRING_KEYS + INT_KEYS + NUMBER_KEYS + OTHER_KEYS)
TOP_ONLY_KEYS = frozenset({"job", "format", "quality"})
NOT_IN_BATCH = {"preview_dir": "previews are not written in a batch; remove it"}
PARAM_FIELDS = ("prompt", "negative", "model", "scheduler", "device", "dtype", "mode")
PARAM_FIELDS += ("inpaint_area", "seed", "steps", "mask_blur", "padding")
PARAM_FIELDS += ("cfg", "strength", "extend", "variation_seed", "variation_strength")


@dataclass(frozen=True)
class PlannedImage:
    """One image the batch will produce."""

    index: int  # 1-based position in the whole batch
    job: int  # 1-based job number in the spec
    params: GenerationParams  # validated, count 1, concrete seed; extra names the sources
    image: Path | None = None
    mask: Path | None = None
    template: NameTemplate = field(default_factory=lambda: NameTemplate(DEFAULT_TEMPLATE))
    # False: the spec gave no size, so it is the model's native size (the CLI fills it in).
    size_given: bool = True


@dataclass(frozen=True)
class BatchSweep:
    """A job's `sweep` over one of its images: the batch images that are its cells, for the
    labelled grid `studio batch` draws at the end (as `studio sweep` does)."""

    job: int
    plan: SweepPlan
    # the PlannedImage.index of each cell in the plan's order (its first image, when wildcards
    # or `combinations` make a cell several images)
    cells: tuple[int, ...]
    stem: str  # the grid's file name stem: "sweep-job2", or "sweep-job2-1", ... per image


@dataclass(frozen=True)
class BatchSpec:
    path: Path
    images: list[PlannedImage]
    format: str = "png"
    quality: int = DEFAULT_QUALITY
    sweeps: list[BatchSweep] = field(default_factory=list)

    @property
    def models(self) -> list[str]:
        """The distinct models the batch uses, in first-use order."""
        return list(dict.fromkeys(item.params.model for item in self.images))


def _type_name(value: Any) -> str:
    if isinstance(value, bool):
        return "a boolean"
    names = {str: "text", int: "a whole number", float: "a number", list: "an array"}
    return names.get(type(value), "a table" if isinstance(value, dict) else type(value).__name__)


class _Where:
    """Formats errors as `spec.toml: job 2: ...`."""

    def __init__(self, spec: Path, job: int | None) -> None:
        self.prefix = f"{spec.name}: " + (f"job {job}: " if job else "")

    def error(self, message: str) -> BatchSpecError:
        return BatchSpecError(self.prefix + message)

    def wrong_type(self, key: str, wanted: str, value: Any) -> BatchSpecError:
        return self.error(f"key {key!r} must be {wanted}, got {_type_name(value)} ({value!r})")


def _is_int(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def _normalise_keys(table: Mapping[str, Any], allowed: frozenset[str], where: _Where) -> dict:
    out: dict[str, Any] = {}
    for raw, value in table.items():
        key = raw.replace("-", "_")
        if key in NOT_IN_BATCH:
            raise where.error(f"key {raw!r} is not used in a batch spec: {NOT_IN_BATCH[key]}")
        if key not in allowed:
            close = difflib.get_close_matches(key, sorted(allowed), n=1)
            hint = f" (did you mean {close[0]!r}?)" if close else ""
            raise where.error(f"unknown key {raw!r}{hint}")
        if key in out:
            raise where.error(f"key {raw!r} is given twice (as - and _ spellings)")
        out[key] = value
    return out


def _check_types(values: Mapping[str, Any], where: _Where) -> None:
    for key, value in values.items():
        if key in STRING_KEYS and not isinstance(value, str):
            raise where.wrong_type(key, "text", value)
        if key in (*INT_KEYS, "quality") and not _is_int(value):
            raise where.wrong_type(key, "a whole number", value)
        if key in NUMBER_KEYS and not (_is_int(value) or isinstance(value, float)):
            raise where.wrong_type(key, "a number", value)
        if key in ("seeds", "variation_seeds"):
            if not isinstance(value, list) or not value or not all(_is_int(s) for s in value):
                raise where.wrong_type(key, "a non-empty array of whole numbers", value)
            bad = [s for s in value if not 0 <= s <= MAX_SEED]
            if bad:
                raise where.error(f"key {key!r}: seed {bad[0]} is not from 0 to {MAX_SEED}")
        if key == "size" and not (isinstance(value, str) or _is_int(value)):
            raise where.wrong_type(key, 'text like "512x512"', value)
        if key == "extend" and not (
            isinstance(value, str)
            or _is_int(value)
            or (isinstance(value, list) and len(value) == 4 and all(_is_int(v) for v in value))
        ):
            raise where.wrong_type(key, 'text like "0,0,128,0" or an array of 4', value)
        if key == "combinations" and not isinstance(value, bool):
            raise where.wrong_type(key, "true or false", value)
        if key == "format" and not isinstance(value, str):
            raise where.wrong_type(key, 'text ("png", "jpeg" or "webp")', value)
    given = [k for k in ("seeds", "count", "variation_seeds") if k in values]
    if len(given) > 1:
        raise where.error(f"give either {given[0]!r} or {given[1]!r}, not both")


def _to_fields(values: Mapping[str, Any], where: _Where) -> dict[str, Any]:
    """GenerationParams fields from spec values (size and extend parsed)."""
    out = {k: values[k] for k in PARAM_FIELDS if k in values}
    try:
        if "size" in values:
            size = values["size"]
            out["width"], out["height"] = (size, size) if _is_int(size) else parse_size(size)
        if "extend" in values and not isinstance(values["extend"], list):
            out["extend"] = parse_extend(str(values["extend"]))
        elif "extend" in values:
            out["extend"] = tuple(values["extend"])
    except UserError as exc:
        key = "size" if "size" in str(exc) else "extend"
        raise where.error(f"key {key!r}: {exc}") from exc
    return out


class _Inputs:
    """Resolves, checks (once) and fingerprints input image and mask files."""

    def __init__(self, base: Path, reader: Callable[[Path, str], tuple[int, int]]) -> None:
        self.base = base
        self.reader = reader
        self._seen: dict[tuple[Path, str], tuple[tuple[int, int], str]] = {}

    def resolve(self, key: str, text: str, where: _Where) -> tuple[Path, tuple[int, int], str]:
        path = (self.base / Path(text).expanduser()).resolve()
        if not path.is_file():
            raise where.error(f"key {key!r}: file {text!r} not found (looked for {str(path)!r})")
        if (path, key) not in self._seen:
            try:
                shape = self.reader(path, key)
            except UserError as exc:
                raise where.error(f"key {key!r}: {exc}") from exc
            digest = hashlib.sha256(path.read_bytes()).hexdigest()
            self._seen[(path, key)] = (shape, digest)
        shape, digest = self._seen[(path, key)]
        return path, shape, digest


def _default_reader(path: Path, key: str) -> tuple[int, int]:
    """Open an input fully (catching damaged files now); return (width, height)."""
    from studio.core.imagefiles import read_image, read_mask

    if key == "mask":
        mask = read_mask(path)
        if not mask.any():
            raise BatchSpecError("the mask is all black; paint white where to repaint")
        return mask.shape[1], mask.shape[0]
    pixels, _ = read_image(path)
    return pixels.shape[1], pixels.shape[0]


def _params_from(text: str, inputs: _Inputs, where: _Where) -> dict[str, Any]:
    from studio.core.imagefiles import read_image
    from studio.core.metadata import params_from_text_chunks

    path, _, _ = inputs.resolve("params_from", text, where)
    try:
        params = params_from_text_chunks(read_image(path)[1])
    except UserError as exc:
        raise where.error(f"key 'params_from': {exc}") from exc
    if params is None:
        raise where.error(f"key 'params_from': {text!r} holds no generation parameters")
    data = params.to_dict()
    return {k: data[k] for k in (*PARAM_FIELDS, "width", "height") if k in data}


def _wildcard_folders() -> list[Path]:
    from studio.core.prompts.library import wildcard_folders
    from studio.core.settings import Settings

    return wildcard_folders(Settings.load())


def _plan_job(
    number: int,
    wildcards: Callable[[], list[Path]],
    top: dict[str, Any],
    job: dict[str, Any],
    inputs: _Inputs,
    spec: Path,
    first_index: int,
) -> tuple[list[PlannedImage], list[BatchSweep]]:
    where = _Where(spec, number)
    layers: list[dict[str, Any]] = []
    for table in (top, job):
        if "params_from" in table:
            layers.append(_params_from(table["params_from"], inputs, where))
        layers.append(_to_fields(table, where))
    fields: dict[str, Any] = {}
    for layer in layers:
        fields.update(layer)
    merged = {**top, **job}
    for key in ("seeds", "count", "variation_seeds"):
        if key in job:  # a job's own choice replaces the top level's
            for other in {"seeds", "count", "variation_seeds"} - {key}:
                merged.pop(other, None)
    if not merged.get("prompt") and not fields.get("prompt"):
        raise where.error("missing key 'prompt' (what to render)")
    if not fields.get("model"):
        raise where.error("missing key 'model' (e.g. model = \"tiny\"; see `studio models`)")
    if "mode" not in merged and "image" in merged:
        fields["mode"] = "inpaint" if "mask" in merged else "img2img"
    mode = fields.get("mode", "txt2img")
    if mode not in MODES:
        raise where.error(f"key 'mode': unknown mode {mode!r}; choose one of: {', '.join(MODES)}")
    extra: dict[str, Any] = {}
    paths: dict[str, Path | None] = {"image": None, "mask": None}
    shapes: dict[str, tuple[int, int]] = {}
    needs = {"txt2img": (), "img2img": ("image",), "outpaint": ("image",)}
    for key in ("image", "mask"):
        if key in merged and key not in needs.get(mode, ("image", "mask")):
            raise where.error(f"key {key!r} is set but mode is {mode!r}, which does not use it")
        if key not in merged and key in needs.get(mode, ("image", "mask")):
            raise where.error(f"missing key {key!r}: mode {mode!r} needs an input {key}")
        if key in merged:
            path, shapes[key], digest = inputs.resolve(key, merged[key], where)
            paths[key] = path
            extra[f"source_{key}"] = Path(merged[key]).name
            extra[f"source_{key}_sha256"] = digest
    if "image" in shapes and "mask" in shapes and shapes["image"] != shapes["mask"]:
        (iw, ih), (mw, mh) = shapes["image"], shapes["mask"]
        raise where.error(f"key 'mask': the mask is {mw}x{mh} but the image is {iw}x{ih}")
    try:
        template = NameTemplate.parse(merged.get("name", DEFAULT_TEMPLATE))
    except UserError as exc:
        raise where.error(f"key 'name': {exc}") from exc
    count = merged.get("count", 1)
    size_given = "width" in fields and "height" in fields
    if not size_given and mode == "img2img":
        width, height = shapes["image"]
        fields["width"], fields["height"] = floor_to_8(width, height)
        size_given = True
    if mode == "inpaint" and "strength" not in fields:
        fields["strength"] = 1.0  # as `studio inpaint`
    try:
        params = GenerationParams(**fields, count=count, extra=extra).validated()
    except (UserError, TypeError, ValueError) as exc:
        message = str(exc)
        if message.startswith(("width", "height")) and "size" in merged:
            message = f"key 'size': {message}"
        raise where.error(message) from exc
    if mode == "outpaint" and not any(params.extend):
        raise where.error(
            "key 'extend': outpaint needs at least one side above 0, e.g. '0,0,128,0'"
        )
    if "variation_seeds" in merged:
        ones = [params.replace(variation_seed=v, count=1) for v in merged["variation_seeds"]]
        if not ones[0].varies:
            raise where.error("key 'variation_seeds' needs variation_strength above 0")
    elif "seeds" in merged:
        ones = [params.replace(seed=seed, count=1) for seed in merged["seeds"]]
    else:
        ones = params.per_image()
    plans: list[SweepPlan] = []
    if "sweep" in merged:
        plans = _sweep_plans(merged["sweep"], ones, where)
        ones = [cell.params for plan in plans for cell in plan.cells]
        # a size axis gives each cell its size: the model's native size must not replace it
        size_given = size_given or any(
            axis is not None and axis.kind.name == "size" for axis in plans[0].axes
        )
    if merged.get("combinations"):
        ones = [one.replace(extra={**one.extra, COMBINATIONS_KEY: True}) for one in ones]
    try:  # wildcards resolve here, so the plan (and skipping done images) sees the real prompts
        wild = has_wildcards(params.prompt) or has_wildcards(params.negative)
        folders = wildcards() if wild else []
        expanded = [plan_images(one, folders) for one in ones]
    except UserError as exc:
        raise where.error(f"key 'prompt': {exc}") from exc
    planned = [image for images in expanded for image in images]
    firsts, position = [], first_index  # the batch index of each one's first image
    for images in expanded:
        firsts.append(position)
        position += len(images)
    sweeps, start = [], 0
    for n, plan in enumerate(plans, start=1):
        stem = f"sweep-job{number}" + (f"-{n}" if len(plans) > 1 else "")
        cells = tuple(firsts[start : start + plan.count])
        sweeps.append(BatchSweep(number, plan, cells, stem))
        start += plan.count
    return [
        PlannedImage(
            index=first_index + n,
            job=number,
            params=image,
            image=paths["image"],
            mask=paths["mask"],
            template=template,
            size_given=size_given,
        )
        for n, image in enumerate(planned)
    ], sweeps


def parse_spec(
    text: str,
    spec_path: str | Path,
    reader: Callable[[Path, str], tuple[int, int]] | None = None,
    wildcard_folders: list[Path] | None = None,
) -> BatchSpec:
    """Validate a spec's TOML text (paths relative to spec_path's folder) into a plan."""
    path = Path(spec_path)
    where = _Where(path, None)
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise where.error(f"not valid TOML: {exc}") from exc
    top = _normalise_keys(data, JOB_KEYS | TOP_ONLY_KEYS, where)
    _check_types(top, where)
    jobs = top.pop("job", None)
    if jobs is None:
        raise where.error("no [[job]] tables; add one with at least a prompt")
    if not isinstance(jobs, list) or not all(isinstance(j, dict) for j in jobs):
        raise where.wrong_type("job", "an array of tables ([[job]])", jobs)
    try:
        fmt = canonical_format(top.pop("format", "png"))
    except UserError as exc:
        raise where.error(f"key 'format': {exc}") from exc
    quality = top.pop("quality", DEFAULT_QUALITY)
    if not 1 <= quality <= 100:
        raise where.error(f"key 'quality' must be from 1 to 100, got {quality}")
    inputs = _Inputs(path.resolve().parent, reader or _default_reader)
    found: list[list[Path]] = [] if wildcard_folders is None else [wildcard_folders]

    def folders() -> list[Path]:  # settings are read only when a prompt has wildcards
        if not found:
            found.append(_wildcard_folders())
        return found[0]

    images: list[PlannedImage] = []
    sweeps: list[BatchSweep] = []
    for number, raw in enumerate(jobs, start=1):
        job_where = _Where(path, number)
        job = _normalise_keys(raw, JOB_KEYS, job_where)
        _check_types(job, job_where)
        planned, swept = _plan_job(number, folders, top, job, inputs, path, len(images) + 1)
        images += planned
        sweeps += swept
    return BatchSpec(path=path, images=images, format=fmt, quality=quality, sweeps=sweeps)


def load_spec(spec_path: str | Path) -> BatchSpec:
    """Read and validate a batch spec file."""
    path = Path(spec_path)
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError as exc:
        raise BatchSpecError(f"batch spec {str(path)!r} does not exist; check the path") from exc
    except (OSError, UnicodeDecodeError) as exc:
        raise BatchSpecError(f"cannot read batch spec {str(path)!r}: {exc}") from exc
    return parse_spec(text, path)


def _sweep_plans(table: Any, bases: list[GenerationParams], where: _Where) -> list[SweepPlan]:
    """A job's `sweep = { cfg = [4, 7, 10], steps = "10-30 (+10)" }`: a sweep over each of the
    job's images (each cell's axis values in its extra['sweep'])."""
    from studio.core.sweep import MAX_IMAGES, plan_from_table

    plans: list[SweepPlan] = []
    for base in bases:
        try:
            plans.append(plan_from_table(base, table))
        except UserError as exc:
            raise where.error(f"key 'sweep': {exc}") from exc
        if sum(plan.count for plan in plans) > MAX_IMAGES:
            raise where.error(f"key 'sweep': the job would render more than {MAX_IMAGES} images")
    return plans
