"""A1111 hashes: values, the (path, size, mtime) cache, metadata, --params-from by hash."""

from __future__ import annotations

import hashlib
import os
import shutil
import struct

import numpy as np
import pytest
from PIL import Image

from studio.cli.main import main
from studio.core.imagefiles import read_image
from studio.core.metadata import parse_infotext
from studio.core.models import hashes
from studio.core.models.hashes import HashCache, lora_hash, model_hash, old_model_hash


@pytest.fixture
def blob(tmp_path):
    """A 1.2 MB .safetensors-framed file (8-byte length, JSON header, data)."""
    header = b'{"w":{"dtype":"U8","shape":[1200000],"data_offsets":[0,1200000]}}'
    data = np.random.default_rng(4).integers(0, 255, 1_200_000, dtype=np.uint8).tobytes()
    path = tmp_path / "style.safetensors"
    path.write_bytes(struct.pack("<Q", len(header)) + header + data)
    return path, header, data


def test_hashes_match_a1111s_definitions(blob, tmp_path):
    path, _, data = blob
    cache = HashCache(tmp_path / "h.json")
    whole = path.read_bytes()
    assert model_hash(path, cache) == hashlib.sha256(whole).hexdigest()[:10]
    assert lora_hash(path, cache) == hashlib.sha256(data).hexdigest()[:12]
    assert old_model_hash(path) == hashlib.sha256(whole[0x100000:0x110000]).hexdigest()[:8]
    assert hashes.hash_matches(path, hashlib.sha256(whole).hexdigest()[:10], cache)
    assert hashes.hash_matches(path, old_model_hash(path), cache)
    assert not hashes.hash_matches(path, "0123456789", cache)


def test_an_unchanged_file_is_not_read_again(blob, tmp_path, monkeypatch):
    path, _, _ = blob
    opened = []
    real_open = open

    def counting_open(file, *args, **kwargs):
        opened.append(str(file))
        return real_open(file, *args, **kwargs)

    monkeypatch.setattr(hashes, "open", counting_open, raising=False)
    cache_file = tmp_path / "cache" / "hashes.json"
    first = model_hash(path, HashCache(cache_file))
    assert opened.count(str(path)) == 1
    # a new cache object (as in the next run) reads the JSON, not the model file
    assert model_hash(path, HashCache(cache_file)) == first
    assert opened.count(str(path)) == 1
    assert hashes.cached_short_hash(path, "checkpoint", HashCache(cache_file)) == first
    with open(path, "r+b") as handle:  # same size, new content and mtime
        handle.seek(100)
        handle.write(b"changed!")
    os.utime(path, (1, 1))
    assert model_hash(path, HashCache(cache_file)) != first
    assert opened.count(str(path)) == 2


def _text(path):
    return parse_infotext(read_image(path)[1]["parameters"])


def test_model_hash_is_written_and_params_from_finds_a_renamed_checkpoint(
    tiny_files, offline, tmp_path, monkeypatch
):
    checkpoint = tmp_path / "original.safetensors"
    shutil.copy(tiny_files / "tiny-ldm.safetensors", checkpoint)
    first = tmp_path / "first.png"
    args = ["generate", "-p", "dunes", "--steps", "2", "--size", "64x64", "--seed", "5"]
    assert main([*args, "--model", str(checkpoint), "-o", str(first)]) == 0
    written = _text(first)
    assert written["Model hash"] == hashlib.sha256(checkpoint.read_bytes()).hexdigest()[:10]

    library = tmp_path / "library"
    library.mkdir()
    checkpoint.rename(library / "renamed-dunes.safetensors")  # the image's name is gone
    monkeypatch.setenv("STUDIO_MODEL_DIRS", str(library))
    again = tmp_path / "again.png"
    assert main(["generate", "--params-from", str(first), "-o", str(again)]) == 0
    reused = _text(again)
    assert reused["Model"] == "renamed-dunes.safetensors"
    assert reused["Model hash"] == written["Model hash"]
    assert np.array_equal(np.asarray(Image.open(first)), np.asarray(Image.open(again)))


def test_params_from_with_an_unknown_hash_is_a_clear_error(tiny_files, offline, tmp_path, capsys):
    first = tmp_path / "first.png"
    checkpoint = tiny_files / "tiny-ldm.safetensors"
    args = ["generate", "-p", "x", "--steps", "2", "--size", "64x64", "--model", str(checkpoint)]
    assert main([*args, "-o", str(first)]) == 0
    moved = tmp_path / "moved.png"
    image = Image.open(first)
    text = image.text["parameters"].replace(str(checkpoint), "gone.safetensors")
    text = text.replace(_text(first)["Model hash"], "0123456789")
    from PIL.PngImagePlugin import PngInfo

    info = PngInfo()
    info.add_text("parameters", text)
    image.save(moved, pnginfo=info)
    assert main(["generate", "--params-from", str(moved), "-o", str(tmp_path / "o.png")]) == 2
    assert "no checkpoint here has its hash 0123456789" in capsys.readouterr().err
