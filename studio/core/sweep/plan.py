"""A sweep plan: the base params crossed with up to three axes, every cell's params validated
before anything renders."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from studio.core.errors import UserError
from studio.core.params import GenerationParams
from studio.core.sweep.axes import MAX_IMAGES, Axis, SweepError, format_value, parse_axis

AXIS_NAMES = ("x", "y", "z")
CONFIRM_ABOVE = 64  # ask before a sweep of more images than this


@dataclass(frozen=True)
class Cell:
    """One image of the sweep; x varies fastest (A1111's order)."""

    index: int
    x: int
    y: int
    z: int
    params: GenerationParams


@dataclass(frozen=True)
class SweepPlan:
    base: GenerationParams
    axes: tuple[Axis | None, Axis | None, Axis | None]
    cells: tuple[Cell, ...]

    @property
    def shape(self) -> tuple[int, int, int]:
        return tuple(len(a.values) if a else 1 for a in self.axes)  # type: ignore[return-value]

    @property
    def count(self) -> int:
        return len(self.cells)

    def render_order(self) -> list[Cell]:
        """Cells in render order: grouped by model, so each model loads once."""
        first_use: dict[str, int] = {}
        for cell in self.cells:
            first_use.setdefault(cell.params.model, len(first_use))
        return sorted(self.cells, key=lambda c: (first_use[c.params.model], c.index))

    def total_steps(self) -> int:
        return sum(_denoise_steps(cell.params) for cell in self.cells)

    def estimate_seconds(self, seconds_per_step_512: float) -> float:
        """A rough time: denoising steps scaled by pixels, at a given 512x512 step time."""
        return self.estimate_by_model(lambda _model: seconds_per_step_512) or 0.0

    def estimate_by_model(
        self, seconds_per_step_512: Callable[[str], float | None]
    ) -> float | None:
        """As estimate_seconds, at each cell's model's step time; None while one is unknown."""
        total = 0.0
        for cell in self.cells:
            seconds = seconds_per_step_512(cell.params.model)
            if seconds is None:
                return None
            pixels = cell.params.width * cell.params.height
            total += _denoise_steps(cell.params) * seconds * pixels / (512 * 512)
        return total

    def describe(self) -> str:
        nx, ny, nz = self.shape
        grids = f"{nz} grids of {nx}x{ny}" if nz > 1 else f"a {nx}x{ny} grid"
        return f"{self.count} images ({grids}, {self.total_steps()} denoising steps)"

    def needs_confirmation(self) -> bool:
        return self.count > CONFIRM_ABOVE


def rough_time(seconds: float) -> str:
    """An estimate as people say it: "under a minute", "about 12 min", "about 3 h 5 min"."""
    minutes = round(seconds / 60)
    if minutes < 1:
        return "under a minute"
    if minutes < 60:
        return f"about {minutes} min"
    return f"about {minutes // 60} h {minutes % 60} min"


def _denoise_steps(params: GenerationParams) -> int:
    if params.mode == "txt2img":
        return params.steps
    return max(1, int(params.steps * params.strength))


def sweep_values(cell: Cell, plan: SweepPlan) -> dict[str, dict[str, str]]:
    """{'x': {'axis': 'CFG scale', 'value': '7'}, ...}: what a cell's metadata records."""
    out: dict[str, dict[str, str]] = {}
    for name, axis, position in zip(AXIS_NAMES, plan.axes, (cell.x, cell.y, cell.z), strict=True):
        if axis is not None:
            out[name] = {"axis": axis.label, "value": format_value(axis.values[position])}
    return out


def plan_sweep(
    base: GenerationParams,
    x: Axis | None,
    y: Axis | None = None,
    z: Axis | None = None,
) -> SweepPlan:
    """Cross base with the axes; raise SweepError for a cell that could not render."""
    axes = (x, y, z)
    if all(a is None for a in axes):
        raise SweepError("a sweep needs at least one axis, e.g. --x cfg=4,7,10")
    nx, ny, nz = (len(a.values) if a else 1 for a in axes)
    if nx * ny * nz > MAX_IMAGES:
        raise SweepError(
            f"the sweep would render {nx}x{ny}x{nz} = {nx * ny * nz} images, more than "
            f"the limit of {MAX_IMAGES}; use fewer values"
        )
    base = base.replace(count=1)
    cells: list[Cell] = []
    draft = SweepPlan(base, axes, ())
    for iz in range(nz):
        for iy in range(ny):
            for ix in range(nx):
                cell = Cell(len(cells), ix, iy, iz, base)
                try:
                    params = base
                    for axis, position in zip(axes, (ix, iy, iz), strict=True):
                        if axis is not None:
                            params = axis.apply(params, position)
                    params = params.validated()
                except SweepError:
                    raise
                except UserError as exc:
                    where = ", ".join(
                        f"{v['axis']} {v['value']}" for v in sweep_values(cell, draft).values()
                    )
                    raise SweepError(f"sweep cell {where}: {exc}") from exc
                extra = {**params.extra, "sweep": sweep_values(cell, draft)}
                cells.append(Cell(cell.index, ix, iy, iz, params.replace(extra=extra)))
    return SweepPlan(base, axes, tuple(cells))


def plan_from_table(base: GenerationParams, table: Mapping[str, Any]) -> SweepPlan:
    """A plan from a batch spec's `sweep = { cfg = [4, 7, 10], steps = "10-30 (+10)" }`:
    the table's keys in order are the X, Y and Z axes."""
    if not isinstance(table, Mapping) or not table:
        raise SweepError("'sweep' must be a table of 1 to 3 axes, e.g. { cfg = [4, 7, 10] }")
    if len(table) > 3:
        raise SweepError(f"'sweep' has {len(table)} axes; a sweep has at most 3 (X, Y, Z)")
    axes: list[Axis | None] = [parse_axis(name, values) for name, values in table.items()]
    axes += [None] * (3 - len(axes))
    return plan_sweep(base, axes[0], axes[1], axes[2])


def plan_from_specs(base: GenerationParams, specs: Sequence[str | None]) -> SweepPlan:
    """A plan from the CLI's `--x NAME=VALUES [--y ...] [--z ...]`."""
    from studio.core.sweep.axes import parse_axis_spec

    axes = [parse_axis_spec(text) if text else None for text in specs]
    axes += [None] * (3 - len(axes))
    return plan_sweep(base, axes[0], axes[1], axes[2])
