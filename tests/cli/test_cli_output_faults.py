"""Output problems: a file in the way, a read-only folder, a full disk. Clear one-line errors,
nothing half-written, and the files already made are kept."""

from __future__ import annotations

import errno
import json
import os
import subprocess
import sys
import tempfile
from pathlib import Path

import pytest

from studio.cli.main import main
from studio.core.imagefiles import write_atomic
from studio.core.write_errors import OutputError, check_writable

TINY = ["-p", "x", "--model", "tiny", "--steps", "2", "--size", "64x64", "--seed", "1"]


def _refuse_writes_in(monkeypatch, folder: Path, code: int = errno.EACCES) -> None:
    """Creating files in `folder` fails as on a read-only folder (tests may run as root, for
    whom chmod does not stop writes)."""
    real = tempfile.mkstemp

    def mkstemp(*args, **kwargs):
        if Path(kwargs.get("dir") or args[2]).resolve() == folder.resolve():
            raise OSError(code, os.strerror(code), str(folder / "x"))
        return real(*args, **kwargs)

    monkeypatch.setattr(tempfile, "mkstemp", mkstemp)


def _disk_full_for(monkeypatch, prefix: str) -> None:
    """fsync of any temp file whose name starts with `prefix` fails with ENOSPC."""
    real = os.fsync

    def fsync(fd):
        name = Path(os.readlink(f"/proc/self/fd/{fd}")).name
        if name.startswith(prefix):
            raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))
        return real(fd)

    monkeypatch.setattr(os, "fsync", fsync)


def _one_line(capsys, start: str) -> str:
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and err[0].startswith(start), err
    return err[0]


needs_proc = pytest.mark.skipif(not Path("/proc/self/fd").is_dir(), reason="needs /proc")


# --- the atomic writer itself ---------------------------------------------------------------


@needs_proc
def test_disk_full_leaves_the_old_file_and_no_temp(tmp_path, monkeypatch):
    target = tmp_path / "out.png"
    target.write_bytes(b"the picture from before")
    _disk_full_for(monkeypatch, ".out.png.")
    with pytest.raises(OSError) as caught:
        write_atomic(target, b"new bytes" * 1000)
    assert caught.value.errno == errno.ENOSPC and caught.value.filename == str(target)
    assert target.read_bytes() == b"the picture from before"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["out.png"]


def test_check_writable_names_the_problem(tmp_path, monkeypatch):
    (tmp_path / "file").write_text("x")
    with pytest.raises(OutputError, match="is a file in the way"):
        check_writable(tmp_path / "file" / "sub")
    _refuse_writes_in(monkeypatch, tmp_path, errno.EROFS)
    with pytest.raises(OutputError, match="read-only disk"):
        check_writable(tmp_path / "new-folder")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["file"]


# --- studio generate ------------------------------------------------------------------------


def test_file_in_the_way_is_a_usage_error(tmp_path, capsys):
    (tmp_path / "notes.txt").write_text("mine")
    out = tmp_path / "notes.txt" / "out.png"
    assert main(["generate", *TINY, "-o", str(out)]) == 2
    line = _one_line(capsys, "error: ")
    assert "notes.txt" in line and "file in the way" in line
    assert (tmp_path / "notes.txt").read_text() == "mine"


def test_read_only_folder_is_refused_before_any_work(tmp_path, monkeypatch, capsys):
    folder = tmp_path / "ro"
    folder.mkdir()
    _refuse_writes_in(monkeypatch, folder)
    assert main(["generate", *TINY, "-o", str(folder / "out.png")]) == 2
    line = _one_line(capsys, "error: ")
    assert "permission denied" in line and str(folder) in line
    assert list(folder.iterdir()) == []


@pytest.mark.skipif(os.name != "posix" or os.geteuid() == 0, reason="root ignores permissions")
def test_read_only_folder_in_a_real_process(tmp_path):
    folder = tmp_path / "ro"
    folder.mkdir()
    folder.chmod(0o555)
    try:
        done = subprocess.run(
            [sys.executable, "-m", "studio", "generate", *TINY, "-o", str(folder / "o.png")],
            capture_output=True,
            text=True,
            timeout=300,
        )
    finally:
        folder.chmod(0o755)
    assert done.returncode == 2 and done.stderr.startswith("error: ")
    assert "permission denied" in done.stderr and list(folder.iterdir()) == []


@needs_proc
def test_disk_full_while_saving_is_one_clear_line_and_no_file(tmp_path, monkeypatch, capsys):
    out = tmp_path / "out.png"
    _disk_full_for(monkeypatch, ".out.png.")
    assert main(["generate", *TINY, "-o", str(out)]) == 1
    err = capsys.readouterr().err
    line = err.strip().splitlines()[-1]  # after the progress lines
    assert line.startswith("failed: ") and "Traceback" not in err
    assert f"could not write {str(out)!r}: the disk is full" in line
    assert list(tmp_path.iterdir()) == []


# --- studio batch ---------------------------------------------------------------------------


@needs_proc
def test_batch_disk_full_keeps_the_finished_images(tmp_path, monkeypatch, capsys):
    spec = tmp_path / "spec.toml"
    spec.write_text(
        'model = "tiny"\nsteps = 2\nsize = "64x64"\nname = "{index:04d}-{seed}"\n'
        '[[job]]\nprompt = "x"\nseeds = [1, 2, 3]\n'
    )
    out = tmp_path / "out"
    _disk_full_for(monkeypatch, ".0002-")
    assert main(["batch", str(spec), "-o", str(out)]) == 1
    err = capsys.readouterr().err
    assert "the disk is full" in err and "Traceback" not in err
    assert sorted(p.name for p in out.iterdir()) == ["0001-1.png", "index.json"]
    index = json.loads((out / "index.json").read_text())
    assert list(index) == ["0001-1.png"] and index["0001-1.png"]["seed"] == 1

    monkeypatch.undo()  # space freed: running again finishes the rest and keeps the first
    first = (out / "0001-1.png").read_bytes()
    assert main(["batch", str(spec), "-o", str(out)]) == 0
    assert (out / "0001-1.png").read_bytes() == first
    assert {"0002-2.png", "0003-3.png"} <= {p.name for p in out.iterdir()}


def test_upscale_into_a_file_in_the_way_is_a_usage_error(tmp_path, capsys):
    from tests.helpers import noise_image, save

    source = save(tmp_path / "in.png", noise_image(16, 16))
    (tmp_path / "notes.txt").write_text("mine")
    out = tmp_path / "notes.txt" / "big.png"
    assert main(["upscale", "-i", str(source), "--scale", "2", "-o", str(out)]) == 2
    assert "file in the way" in _one_line(capsys, "error: ")
