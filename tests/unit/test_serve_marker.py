"""serve.json is trusted only when its pid is a live `personagraph serve` of that very folder."""

from __future__ import annotations

import json
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from personagraph.store.embedded import SERVE_MARKER, served_by


@pytest.fixture
def other_process() -> Iterator[int]:
    """A live process that is not a server (its pid is what a stale marker may name after reuse)."""
    proc = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(60)"])
    try:
        yield proc.pid
    finally:
        proc.kill()
        proc.wait()


@pytest.fixture
def fake_server(tmp_path: Path) -> Iterator[int]:
    """A live process whose command line reads like `personagraph ... serve` (it only sleeps)."""
    script = tmp_path / "personagraph"
    script.write_text("import time\ntime.sleep(60)\n")
    proc = subprocess.Popen([sys.executable, str(script), "--store", "x", "serve"])
    cmdline = Path(f"/proc/{proc.pid}/cmdline")
    deadline = time.monotonic() + 30  # on a loaded machine the child may not show its own command line at once
    while cmdline.exists() and b"serve" not in cmdline.read_bytes() and time.monotonic() < deadline:
        time.sleep(0.05)
    try:
        yield proc.pid
    finally:
        proc.kill()
        proc.wait()


def mark(folder: Path, pid: int, recorded: Path | None) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    info: dict[str, object] = {"pid": pid, "url": "bolt://127.0.0.1:7687", "database": "personas"}
    if recorded is not None:
        info["folder"] = str(recorded.resolve())
    (folder / SERVE_MARKER).write_text(json.dumps(info))


def test_a_live_pid_that_is_not_a_server_is_not_trusted(tmp_path: Path, other_process: int) -> None:
    folder = tmp_path / "store"
    mark(folder, other_process, folder)
    assert served_by(folder) is None


def test_a_server_of_that_folder_is_trusted_and_of_another_is_not(tmp_path: Path, fake_server: int) -> None:
    folder, copy = tmp_path / "store", tmp_path / "copy"
    mark(folder, fake_server, folder)
    assert served_by(folder) == {
        "pid": fake_server,
        "url": "bolt://127.0.0.1:7687",
        "database": "personas",
        "folder": str(folder.resolve()),
    }
    mark(copy, fake_server, folder)  # a marker copied along with its folder names the original
    assert served_by(copy) is None


def test_a_dead_pid_or_a_broken_marker_is_not_trusted(tmp_path: Path) -> None:
    proc = subprocess.Popen([sys.executable, "-c", "pass"])
    proc.wait()
    folder = tmp_path / "store"
    mark(folder, proc.pid, folder)
    assert served_by(folder) is None
    (folder / SERVE_MARKER).write_text("{not json")
    assert served_by(folder) is None
