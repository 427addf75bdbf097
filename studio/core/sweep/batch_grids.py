"""The labelled grids of the sweeps in a batch spec (`sweep = { cfg = [4, 7, 10] }` in a job):
drawn by `studio sweep`'s grid code from the cells `studio batch` wrote, once every image is
there. Files: `sweep-job2-grid.png` (`sweep-job2-1-grid.png`, ... when the job sweeps several
images; `...-grid-z1.png`, ... per Z value), each listed in index.json with its labels."""

from __future__ import annotations

import io
from collections.abc import Mapping, Sequence
from pathlib import Path

from studio.core.batch_spec import BatchSweep
from studio.core.export import ExportFolder
from studio.core.imagefiles import read_image
from studio.core.sweep.output import grid_params, sweep_grids


def write_batch_grids(
    folder: ExportFolder, sweeps: Sequence[BatchSweep], files: Mapping[int, str]
) -> list[Path]:
    """Write each sweep's grid(s); `files` maps a batch image's index to its file name."""
    written: list[Path] = []
    for sweep in sweeps:
        images = {
            cell: read_image(folder.directory / files[index])[0]
            for cell, index in enumerate(sweep.cells)
            if index in files
        }
        if not images:
            continue
        cell_size = (
            max(pixels.shape[1] for pixels in images.values()),
            max(pixels.shape[0] for pixels in images.values()),
        )
        for name, image, labels in sweep_grids(sweep.plan, images, cell_size):
            buffer = io.BytesIO()
            image.save(buffer, format="PNG")
            stem = f"{sweep.stem}-{Path(name).stem}"
            params = grid_params(sweep.plan, labels)
            written.append(folder.write_derived(stem, buffer.getvalue(), params))
    return written
