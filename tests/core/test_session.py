"""The session's results: arrival order, stable ids, stars, removal, what an export takes."""

from __future__ import annotations

import numpy as np

from studio.core.params import GenerationParams
from studio.core.session import Session


def _add(session: Session, seed: int):
    image = np.full((8, 8, 3), seed, np.uint8)
    return session.add(image, GenerationParams(prompt="p", seed=seed), job_id=1)


def test_results_keep_order_ids_images_and_exact_params():
    session = Session()
    results = [_add(session, seed) for seed in (5, 6, 7)]
    assert [r.id for r in results] == [1, 2, 3]
    assert session.results() == results and len(session) == 3
    assert [r.params.seed for r in session] == [5, 6, 7]
    assert session.get(2) is results[1] and session.at(2) is results[2]
    assert int(results[1].image[0, 0, 0]) == 6
    assert results[0].params == GenerationParams(prompt="p", seed=5)
    assert results[0].caption == "seed 5" and results[0].key == results[0].id


def test_star_unstar_and_choose_for_export():
    session = Session()
    a, b, c = (_add(session, seed) for seed in (1, 2, 3))
    assert session.starred() == [] and not a.starred
    assert session.set_starred(c.id, True) and session.set_starred(a.id, True)
    assert not session.set_starred(a.id, True), "no change, so False"
    assert session.starred() == [a, c], "arrival order, not starring order"
    assert session.chosen(starred_only=True) == [a, c]
    assert session.chosen(starred_only=False) == [a, b, c]
    assert session.toggle_star(a.id) is False and session.starred() == [c]
    assert session.toggle_star(999) is False


def test_remove_and_ids_are_never_reused():
    session = Session()
    a, b = _add(session, 1), _add(session, 2)
    assert session.remove(a.id) is a
    assert session.remove(a.id) is None
    assert a not in session and b in session
    assert session.index_of(b.id) == 0 and session.index_of(a.id) == -1
    c = _add(session, 3)
    assert c.id == 3, "a new result never takes a deleted one's id"
    assert session.clear() == [b, c] and len(session) == 0
