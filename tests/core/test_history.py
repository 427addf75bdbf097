"""The lasting history: kept on disk, found again, searched, pruned oldest-unstarred first."""

from __future__ import annotations

from studio.core.history import History
from studio.core.metadata import params_from_text_chunks
from studio.core.params import GenerationParams
from tests.helpers import noise_image

DAY = 1_764_633_600.0  # 2025-12-02 00:00 UTC


def add(history, prompt, when, seed=1, **extra):
    params = GenerationParams(prompt=prompt, seed=seed, width=32, height=32, extra=extra)
    return history.add(noise_image(32, 32, seed=seed), params, when=when)


def test_results_are_kept_with_params_and_found_by_a_new_store(tmp_path):
    history = History(tmp_path)
    first = add(history, "a castle on a cliff", DAY + 10)
    child = add(history, "a castle on a cliff", DAY + 20, seed=2, parent=first.params.extra["id"])
    add(history, "a lighthouse at dusk", DAY + 86_400 + 5, seed=3)
    again = History(tmp_path)  # another run of the app
    assert [e.file for e in again.entries()] == [e.file for e in history.entries()]
    assert len(again.by_day()) == 2
    assert again.children_of(again.get(first.file)) == [again.get(child.file)]
    from PIL import Image

    with Image.open(again.path(first)) as image:
        params = params_from_text_chunks(dict(image.text))
    assert params.prompt == "a castle on a cliff" and params.extra["id"] == first.params.extra["id"]


def test_search_by_words_of_the_prompt_and_star(tmp_path):
    history = History(tmp_path)
    castle = add(history, "a castle on a cliff, concept art", DAY)
    add(history, "a lighthouse at dusk", DAY + 1, seed=2)
    assert [e.file for e in history.search("CASTLE")] == [castle.file]
    assert [e.file for e in history.search("cliff castle")] == [castle.file]
    assert history.search("temple") == []
    assert len(history.search("")) == 2
    history.set_starred(castle, True)
    assert [e.file for e in History(tmp_path).search("", starred_only=True)] == [castle.file]


def test_pruning_removes_the_oldest_unstarred_first(tmp_path):
    history = History(tmp_path, cap_bytes=10**9)
    entries = [add(history, f"image {i}", DAY + i, seed=i) for i in range(5)]
    history.set_starred(entries[0], True)  # the oldest, but starred
    size = history.path(entries[0]).stat().st_size
    history.cap_bytes = int(size * 3.5)
    removed = history.prune()
    assert removed == [entries[1].file, entries[2].file]
    left = {e.file for e in History(tmp_path).entries()}
    assert left == {entries[0].file, entries[3].file, entries[4].file}
    assert not history.path(entries[1]).exists() and history.path(entries[0]).exists()
    add(history, "image 5", DAY + 5, seed=5)  # adding prunes too
    assert entries[3].file not in {e.file for e in history.entries()}
    assert entries[0].file in {e.file for e in history.entries()}
