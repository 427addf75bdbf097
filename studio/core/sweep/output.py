"""Writing a sweep: each cell as its own image with metadata the moment it is done, index.json
kept current, and the labelled grid(s) at the end (also after a cancel, blanks for the cells
not rendered).

Files: `0001-cfg-4-prompt-castle.png` ..., `grid.png` (or `grid-z1.png`, `grid-z2.png`, ...
one per Z value) and `index.json` (file -> params; a cell's params carry `extra.sweep`, the
axis values; a grid's entry is the base params with `extra.sweep_grid`: its labels and boxes).
"""

from __future__ import annotations

import io
import os
import threading
from collections.abc import Callable, Mapping
from pathlib import Path

import numpy as np
from PIL import Image

from studio.core.errors import Cancelled
from studio.core.export import ExportFolder, NameTemplate
from studio.core.imagefiles import write_atomic
from studio.core.params import GenerationParams
from studio.core.sweep.axes import format_value
from studio.core.sweep.grid import draw_grid
from studio.core.sweep.plan import Cell, SweepPlan, sweep_values

Render = Callable[[GenerationParams], np.ndarray]
GRID_KEY = "sweep_grid"  # a grid's extra: {"labels": [{"text", "box"}, ...]}


def cell_stem(cell: Cell, plan: SweepPlan) -> str:
    parts = [f"{cell.index + 1:04d}"]
    for axis, position in zip(plan.axes, (cell.x, cell.y, cell.z), strict=True):
        if axis is not None:
            parts.append(f"{axis.kind.name}-{format_value(axis.values[position])}")
    return "-".join(parts)[:120]


class SweepOutput:
    """A folder receiving one sweep's cells, index and grids."""

    def __init__(self, directory: str | os.PathLike[str], plan: SweepPlan) -> None:
        self.plan = plan
        self.folder = ExportFolder(directory, NameTemplate.parse("{index:04d}"))
        self.images: dict[int, np.ndarray] = {}
        self.files: dict[int, Path] = {}
        self.grids: list[Path] = []

    @property
    def directory(self) -> Path:
        return self.folder.directory

    def add(self, cell: Cell, pixels: np.ndarray, params: GenerationParams) -> Path:
        """Write one finished cell (params: the exact params it was made with)."""
        extra = {**params.extra, "sweep": sweep_values(cell, self.plan)}
        name = self.folder.claim(cell_stem(cell, self.plan))
        path = self.folder.write(name, pixels, params.replace(extra=extra))
        self.images[cell.index] = pixels
        self.files[cell.index] = path
        self.folder.write_index()
        return path

    def grid_images(self) -> list[tuple[str, Image.Image, list[dict]]]:
        """[(file name, PIL image, label dicts)] for each Z value."""
        sizes = [(c.params.width, c.params.height) for c in self.plan.cells]
        cell_size = (max(w for w, _ in sizes), max(h for _, h in sizes))
        return sweep_grids(self.plan, self.images, cell_size)

    def finish(self) -> list[Path]:
        """Draw and write the grid(s) and the final index.json."""
        self.grids = []
        for name, image, labels in self.grid_images():
            buffer = io.BytesIO()
            image.save(buffer, format="PNG")
            path = write_atomic(self.directory / name, buffer.getvalue())
            self.folder.record(name, grid_params(self.plan, labels))
            self.grids.append(path)
        self.folder.write_index()
        return self.grids


def grid_params(plan: SweepPlan, labels: list[dict]) -> GenerationParams:
    """A grid's index.json entry: the sweep's base params, with where each label is drawn."""
    return plan.base.replace(extra={**plan.base.extra, GRID_KEY: {"labels": labels}})


def sweep_grids(
    plan: SweepPlan, images: Mapping[int, np.ndarray], cell_size: tuple[int, int]
) -> list[tuple[str, Image.Image, list[dict]]]:
    """The labelled grid of each Z value, [(file name, image, label dicts)]: `images` maps a
    cell's index to its pixels (a cell not there is drawn blank); cells fit into cell_size."""
    x, y, z = plan.axes
    nx, ny, nz = plan.shape
    corner = [f"X: {x.label}" if x else "", f"Y: {y.label}" if y else ""]
    corner = [text for text in corner if text]
    out = []
    for iz in range(nz):
        cells = [images.get(iz * nx * ny + n) for n in range(nx * ny)]
        title = f"Z: {z.value_labels()[iz]}" if z else ""
        image, labels = draw_grid(
            cells,
            nx,
            ny,
            x.value_labels() if x else [],
            y.value_labels() if y else [],
            corner=corner,
            title=title,
            cell_size=cell_size,
        )
        name = "grid.png" if nz == 1 else f"grid-z{iz + 1}.png"
        out.append((name, image, [label.to_dict() for label in labels]))
    return out


def run_sweep(
    plan: SweepPlan,
    render: Render,
    output: SweepOutput,
    *,
    on_cell: Callable[[int, int, Cell], None] | None = None,
    cancel: threading.Event | None = None,
) -> list[Path]:
    """Render every cell (grouped by model), writing each as it finishes. On cancel the
    finished cells, index and a grid with blanks stay, and Cancelled is raised."""
    order = plan.render_order()
    try:
        for done, cell in enumerate(order):
            if cancel is not None and cancel.is_set():
                raise Cancelled()
            if on_cell is not None:
                on_cell(done, len(order), cell)
            pixels = render(cell.params)
            output.add(cell, pixels, cell.params)
    except Cancelled:
        if output.images:
            output.finish()
        raise
    return output.finish()
