"""The results of one app session: every generated image with the exact params that made it,
in arrival order, each with a star. The variations strip and grid are views of it, and
"Export variations" exports its starred (or all) results. Plain Python: no Qt."""

from __future__ import annotations

import itertools
from collections.abc import Iterator
from dataclasses import dataclass

import numpy as np

from studio.core.family import with_id
from studio.core.params import GenerationParams


@dataclass(eq=False)
class Result:
    """One generated image. `params` are the exact params of this image (its own seed, count 1).
    Identity is the object (and its unique `id`); only the session changes `starred`."""

    id: int
    image: np.ndarray
    params: GenerationParams
    job_id: int = 0
    starred: bool = False

    @property
    def key(self) -> int:
        """The id under the variations strip's older name."""
        return self.id

    @property
    def caption(self) -> str:
        return f"seed {self.params.seed}"


class Session:
    """Ordered results with stable ids; add, remove, star, and choose what to export."""

    def __init__(self) -> None:
        self._results: dict[int, Result] = {}
        self._ids = itertools.count(1)

    def add(self, image: np.ndarray, params: GenerationParams, job_id: int = 0) -> Result:
        result = Result(next(self._ids), image, with_id(params, image), job_id)
        self._results[result.id] = result
        return result

    def get(self, result_id: int) -> Result | None:
        return self._results.get(result_id)

    def remove(self, result_id: int) -> Result | None:
        """Remove a result; returns it, or None when it is not (or no longer) here."""
        return self._results.pop(result_id, None)

    def set_starred(self, result_id: int, starred: bool) -> bool:
        """Star or unstar; True when that changed anything."""
        result = self._results.get(result_id)
        if result is None or result.starred == bool(starred):
            return False
        result.starred = bool(starred)
        return True

    def toggle_star(self, result_id: int) -> bool:
        """Flip the star; returns the new state (False for an unknown id)."""
        result = self._results.get(result_id)
        if result is None:
            return False
        self.set_starred(result_id, not result.starred)
        return result.starred

    def index_of(self, result_id: int) -> int:
        """Position in arrival order, or -1."""
        for row, key in enumerate(self._results):
            if key == result_id:
                return row
        return -1

    def at(self, row: int) -> Result:
        return list(self._results.values())[row]

    def results(self) -> list[Result]:
        return list(self._results.values())

    def starred(self) -> list[Result]:
        return [r for r in self._results.values() if r.starred]

    def chosen(self, starred_only: bool) -> list[Result]:
        """What an export takes: the starred results, or all of them, in arrival order."""
        return self.starred() if starred_only else self.results()

    def clear(self) -> list[Result]:
        removed = self.results()
        self._results.clear()
        return removed

    def __len__(self) -> int:
        return len(self._results)

    def __iter__(self) -> Iterator[Result]:
        return iter(self.results())

    def __contains__(self, result: object) -> bool:
        return isinstance(result, Result) and self._results.get(result.id) is result


__all__ = ["Result", "Session"]
