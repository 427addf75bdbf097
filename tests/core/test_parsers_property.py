"""Property tests: arbitrary text, bytes and values fed to every parser of user input give a
result or a documented error (a UserError subclass), never anything else."""

from __future__ import annotations

import io
import json
import math
from pathlib import Path

import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st
from PIL import Image, PngImagePlugin

from studio.core.batch_spec import JOB_KEYS, TOP_ONLY_KEYS, parse_spec
from studio.core.errors import UserError
from studio.core.imagefiles import read_image
from studio.core.metadata import (
    PARAMETERS_KEY,
    STUDIO_KEY,
    params_from_infotext,
    params_from_text_chunks,
    parse_infotext,
)
from studio.core.params import (
    GenerationParams,
    canonical_scheduler,
    parse_extend,
    parse_size,
)

FAST = settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])

json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=20),
    lambda inner: (
        st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=8), inner, max_size=4)
    ),
    max_leaves=12,
)
# Text shaped like infotext: a prompt, maybe a negative, a line of `Key: value` pairs.
INFOTEXT_KEYS = [
    "Steps", "Sampler", "CFG scale", "Seed", "Size", "Model", "Denoising strength",
    "Mask blur", "Masked area padding", "Mode", "Inpaint area", "Extend", "Version",
]  # fmt: skip
infotext = st.builds(
    lambda prompt, negative, pairs: "\n".join(
        [prompt]
        + ([f"Negative prompt: {negative}"] if negative is not None else [])
        + [", ".join(f"{k}: {v}" for k, v in pairs)]
    ),
    st.text(max_size=40),
    st.none() | st.text(max_size=20),
    st.lists(
        st.tuples(
            st.sampled_from(INFOTEXT_KEYS) | st.text(max_size=10),
            st.text(max_size=12) | st.integers().map(str) | st.floats().map(str),
        ),
        min_size=3,
        max_size=8,
    ),
)


def _only_user_errors(call):
    try:
        return call()
    except UserError as exc:
        assert str(exc).strip(), "a UserError must say what is wrong"
        return None


@FAST
@given(st.text())
def test_parse_infotext_takes_any_text(text):
    fields = parse_infotext(text)
    assert isinstance(fields["Prompt"], str) and isinstance(fields["Negative prompt"], str)


@FAST
@given(st.text() | infotext)
def test_params_from_infotext_gives_params_or_a_user_error(text):
    params = _only_user_errors(lambda: params_from_infotext(text))
    if params is not None:
        _only_user_errors(params.validated)


@FAST
@given(st.sampled_from([STUDIO_KEY, PARAMETERS_KEY, "Comment"]), st.text() | infotext)
def test_text_chunks_with_any_text(key, text):
    _only_user_errors(lambda: params_from_text_chunks({key: text}))


@FAST
@given(json_values)
def test_studio_chunk_with_any_json(value):
    def read():
        params = params_from_text_chunks({STUDIO_KEY: json.dumps(value)})
        return params.validated() if params is not None else None

    _only_user_errors(read)


@FAST
@given(
    st.dictionaries(st.sampled_from([*sorted(GenerationParams().to_dict()), "size"]), json_values)
)
def test_params_from_any_field_values(values):
    _only_user_errors(lambda: GenerationParams.from_dict(values).validated())


@FAST
@given(st.text())
@example("2\u00b2x8")  # "²".isdigit() is True, but int() refuses it
@example("1,2,3,4\u00b2")
def test_size_extend_scheduler_parsers(text):
    for parse in (parse_size, parse_extend, canonical_scheduler):
        _only_user_errors(lambda parse=parse: parse(text))


@FAST
@given(st.integers(0, 10**6), st.integers(0, 10**6))
def test_parse_size_reads_what_it_should(width, height):
    assert parse_size(f"{width}x{height}") == (width, height)
    assert parse_size(f" {width} X {height} ") == (width, height)


# --- files: arbitrary bytes as an image, PNG text chunks with arbitrary content -------------


@pytest.fixture(scope="module")
def folder(tmp_path_factory) -> Path:
    return tmp_path_factory.mktemp("property-images")


@FAST
@given(st.binary(max_size=2048), st.sampled_from([".png", ".jpg", ".webp", ".gif", ".bmp"]))
def test_any_bytes_as_an_image_file(folder, data, suffix):
    path = folder / f"any{suffix}"
    path.write_bytes(data)
    _only_user_errors(lambda: read_image(path))


def _png_header(data: bytes) -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (8, 8), (1, 2, 3)).save(buffer, format="PNG")
    return buffer.getvalue()


@FAST
@given(st.binary(min_size=1, max_size=600), st.integers(0, 400))
def test_png_damaged_anywhere(folder, garbage, at):
    good = _png_header(b"")
    path = folder / "damaged.png"
    at = min(at, len(good))
    path.write_bytes(good[:at] + garbage + good[at + len(garbage) :])
    _only_user_errors(lambda: read_image(path))


@FAST
@given(
    st.dictionaries(
        st.sampled_from([PARAMETERS_KEY, STUDIO_KEY]) | st.text(min_size=1, max_size=20),
        st.text() | infotext | json_values.map(json.dumps),
        max_size=3,
    )
)
def test_png_text_chunks_with_any_content(folder, chunks):
    info = PngImagePlugin.PngInfo()
    for key, value in chunks.items():
        latin = key.encode("latin-1", "ignore").decode("latin-1").strip()[:79] or "k"
        info.add_text(latin, value, zip=len(value) > 50)
    path = folder / "chunks.png"
    Image.new("RGB", (8, 8)).save(path, pnginfo=info)

    def read():
        _, found = read_image(path)
        params = params_from_text_chunks(found)
        return params.validated() if params is not None else None

    _only_user_errors(read)


# --- batch specs: arbitrary TOML text and arbitrary values for every key --------------------


def _toml(value) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        return (
            "nan"
            if math.isnan(value)
            else ("inf" if value > 0 else "-inf")
            if math.isinf(value)
            else repr(value)
        )
    if isinstance(value, str):
        return json.dumps(value)
    return "[" + ", ".join(_toml(v) for v in value) + "]"


toml_values = st.recursive(
    st.booleans() | st.integers(-(2**63), 2**63 - 1) | st.floats() | st.text(max_size=20),
    lambda inner: st.lists(inner, max_size=3),
    max_leaves=6,
)
keys = st.sampled_from(sorted(JOB_KEYS | TOP_ONLY_KEYS - {"job"})) | st.from_regex(
    r"[a-z_]{1,8}", fullmatch=True
)


def _reader(path: Path, key: str) -> tuple[int, int]:
    return 64, 64


@FAST
@given(st.text())
def test_batch_spec_any_text(folder, text):
    _only_user_errors(lambda: parse_spec(text, folder / "spec.toml", reader=_reader))


@FAST
@given(
    st.dictionaries(keys, toml_values, max_size=4),
    st.lists(st.dictionaries(keys, toml_values, max_size=5), max_size=3),
)
def test_batch_spec_any_values(folder, top, jobs):
    lines = [f"{k} = {_toml(v)}" for k, v in top.items()]
    for job in jobs:
        lines.append("[[job]]")
        lines += [f"{k} = {_toml(v)}" for k, v in job.items()]
    _only_user_errors(lambda: parse_spec("\n".join(lines), folder / "spec.toml", reader=_reader))
