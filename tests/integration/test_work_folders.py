"""A run's work folder of shards does not outlive the run: removed on success, on an exception and on
SIGTERM; after SIGKILL, the next run removes it, and never the folder of a run that is still alive.

Real processes throughout: owners are child processes holding a folder (``hold`` below) or the CLI
itself (``personagraph dedup --engine local``), killed for real; liveness is the owner's lock, which
the kernel drops when the process ends.
"""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from personagraph.config import Settings
from personagraph.engine.shards import OWNER_NAME, sweep_stale_work_folders, work_folder
from personagraph.store import open_store
from tests.cli_in_process import run_cli
from tests.conftest import ROOT, cli_env
from tests.dedup_support import settings_with_cache
from tests.e2e.test_kill_harness import PLANTED, _files

# Each script first takes Python's own SIGINT handler and the default SIGTERM: a child inherits an
# ignored signal, and once in CI the SIGINT of this test's child was ignored (30 s timeout).
HOLD = """
import signal, sys, time
signal.signal(signal.SIGINT, signal.default_int_handler)
signal.signal(signal.SIGTERM, signal.SIG_DFL)
from pathlib import Path
from personagraph.config import Settings
from personagraph.engine.shards import work_folder
with work_folder(None, sys.argv[1]) as folder:
    (folder / "personas").mkdir()
    print(folder, flush=True)
    time.sleep(600)
"""

# A main thread that does not end on an interrupt (as one stuck in a long engine call): the watchdog
# ends the process, and removes the folder first.
HOLD_STUCK = """
import signal, sys, time
signal.signal(signal.SIGINT, signal.default_int_handler)
from personagraph.engine.shards import work_folder
from personagraph.runtime import interrupts_end_the_process
# The folder is announced inside the ``try``: a signal sent as soon as the parent reads it cannot land
# between the announcement and the loop that swallows it.
with interrupts_end_the_process(grace=0.5), work_folder(None, sys.argv[1]) as folder:
    announced = False
    while True:
        try:
            if not announced:
                announced = True
                print(folder, flush=True)
            time.sleep(600)
        except KeyboardInterrupt:
            pass
"""


def hold(base: Path, script: str = HOLD) -> tuple[subprocess.Popen[str], Path]:
    """A child process that makes a work folder under ``base`` and keeps it (sleeping) until killed."""
    proc = subprocess.Popen(
        [sys.executable, "-c", script, str(base)], env=cli_env(), cwd=ROOT, stdout=subprocess.PIPE, text=True
    )
    assert proc.stdout is not None
    folder = Path(proc.stdout.readline().strip())
    assert folder.is_dir() and (folder / OWNER_NAME).exists()
    return proc, folder


def runs_in(base: Path) -> list[str]:
    return sorted(p.name for p in base.iterdir()) if base.exists() else []


def test_a_dead_runs_folder_is_swept_and_a_live_runs_is_not(tmp_path: Path) -> None:
    dead, dead_folder = hold(tmp_path)
    live, live_folder = hold(tmp_path)
    try:
        dead.send_signal(signal.SIGKILL)
        dead.wait(timeout=30)
        assert dead_folder.exists()  # SIGKILL: nothing of the run removed it
        assert sweep_stale_work_folders(tmp_path) == [dead_folder]
        assert runs_in(tmp_path) == [live_folder.name]
        # A new run in the same place sweeps too, and leaves the live run's folder alone.
        with work_folder(None, tmp_path) as mine:
            assert sorted(runs_in(tmp_path)) == sorted([live_folder.name, mine.name])
        assert runs_in(tmp_path) == [live_folder.name]
    finally:
        live.kill()
        live.wait(timeout=30)
    assert sweep_stale_work_folders(tmp_path) == [live_folder]


def test_sigterm_and_sigint_remove_the_folder(tmp_path: Path) -> None:
    """The owner here has Python's default handlers: SIGINT unwinds through the ``finally``; SIGTERM
    ends it at once like SIGKILL (the CLI turns SIGTERM into an unwind: tested below), and the next
    run sweeps."""
    proc, folder = hold(tmp_path)
    proc.send_signal(signal.SIGINT)
    assert proc.wait(timeout=30) != 0
    assert not folder.exists()
    proc, folder = hold(tmp_path)
    proc.send_signal(signal.SIGTERM)
    proc.wait(timeout=30)
    assert sweep_stale_work_folders(tmp_path) == [folder]


def test_the_interrupt_watchdog_removes_the_folder_before_it_ends_the_process(tmp_path: Path) -> None:
    proc, folder = hold(tmp_path, HOLD_STUCK)
    proc.send_signal(signal.SIGTERM)
    assert proc.wait(timeout=60) == 143
    assert not folder.exists()


def test_an_exception_removes_the_folder_and_keep_is_never_swept(tmp_path: Path) -> None:
    with pytest.raises(RuntimeError), work_folder(None, tmp_path) as folder:
        (folder / "personas").mkdir()
        raise RuntimeError("a shard function failed")
    assert not folder.exists()
    with work_folder(None, tmp_path, keep=True) as kept:
        pass
    assert kept.exists()
    assert sweep_stale_work_folders(tmp_path) == []
    assert kept.exists()


def test_a_folder_without_a_lock_is_swept_only_when_old(tmp_path: Path) -> None:
    """Folders made before owners were locked (or by a run that died between mkdir and lock)."""
    old, young = tmp_path / "run-20260101T000000-aaaaaa", tmp_path / "run-20260101T000000-bbbbbb"
    for folder in (old, young):
        (folder / "personas").mkdir(parents=True)
    hour_ago = time.time() - 3600
    os.utime(old, (hour_ago, hour_ago))
    assert sweep_stale_work_folders(tmp_path) == [old]
    assert young.exists()
    other = tmp_path / "not-a-run"
    other.mkdir()
    os.utime(other, (hour_ago, hour_ago))
    assert sweep_stale_work_folders(tmp_path) == []
    assert other.exists()


# -- the CLI, killed mid-run ------------------------------------------------------------------------


@pytest.fixture(scope="module")
def imported_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The example world plus PLANTED near-copies imported once for the module: a closed store each test copies.
    Importing it again for each of the five tests cost ~1.9 s of CPU each (and the reference run's once more)."""
    root = tmp_path_factory.mktemp("work-folders-template")
    files = _files(root)
    env = cli_env(PERSONAGRAPH_STORE=str(root / "store"), PERSONAGRAPH_JVM_HEAP="1g", CI="1")
    done = run_cli(["import", str(files["personas"]), str(files["relations"])], env=env, cwd=root)
    assert done.returncode == 0, done.stderr
    return root / "store"


def copy_of(template: Path, folder: Path) -> Path:
    shutil.copytree(template, folder / "store")
    return folder / "store"


@pytest.fixture
def imported(imported_template: Path, tmp_path: Path) -> dict[str, str]:
    """A store with the example world plus PLANTED near-copies, and the environment to run the CLI on it."""
    settings = settings_with_cache(tmp_path / "cache")
    return cli_env(
        PERSONAGRAPH_STORE=str(copy_of(imported_template, tmp_path)),
        PERSONAGRAPH_CACHE_DIR=str(settings.cache_dir),
        PERSONAGRAPH_JVM_HEAP="1g",
        CI="1",
    )


DEDUP = ("dedup", "--engine", "local", "--embedder", "static", "--format", "json")


def killed_run(env: dict[str, str], tmp_path: Path, kill_at: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "personagraph", *DEDUP],
        env={**env, "PERSONAGRAPH_KILL_AT": kill_at},
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=600,
    )


def personas_after(store: Path) -> list[tuple[str, str]]:
    """(text, aliases) of every persona left, in text order."""
    with open_store(str(store), Settings(store=str(store))) as graph:
        rows = graph.cypher("MATCH (p:Persona) RETURN p.text AS text, p.alias_texts AS aliases")
        return sorted((str(r["text"]), json.dumps(sorted(r["aliases"] or []))) for r in rows)


@pytest.mark.slow
@pytest.mark.subprocess
def test_dedup_killed_with_sigkill_then_run_again(
    imported: dict[str, str], imported_template: Path, tmp_path: Path
) -> None:
    work = tmp_path / "store" / "work"
    # persona_shard:1 - the first shard is written: the folder is full of the run's files.
    killed = killed_run(imported, tmp_path, "persona_shard:1")
    assert killed.returncode == -signal.SIGKILL, killed.stderr
    stale = runs_in(work)
    assert len(stale) == 1 and (work / stale[0] / "personas" / "shard-00000.parquet").exists()

    again = run_cli(list(DEDUP), env=imported, cwd=tmp_path)
    assert again.returncode == 0, again.stderr
    assert json.loads(again.stdout)["duplicates"] == PLANTED
    assert runs_in(work) == []  # the dead run's folder and this run's own

    # The same graph as a run never interrupted, on a fresh copy of the same input.
    fresh = tmp_path / "fresh"
    fresh.mkdir()
    reference_env = {**imported, "PERSONAGRAPH_STORE": str(copy_of(imported_template, fresh))}
    reference = run_cli(list(DEDUP), env=reference_env, cwd=fresh)
    assert reference.returncode == 0, reference.stderr
    assert json.loads(reference.stdout)["members"] == json.loads(again.stdout)["members"]
    after = personas_after(tmp_path / "store")
    assert after == personas_after(fresh / "store")
    assert sum(len(json.loads(aliases)) for _, aliases in after) == PLANTED


@pytest.mark.slow
@pytest.mark.subprocess
@pytest.mark.parametrize("sig", ["TERM", "INT"])
def test_dedup_interrupted_removes_its_work_folder(imported: dict[str, str], tmp_path: Path, sig: str) -> None:
    done = killed_run(imported, tmp_path, f"persona_shard:1:{sig}")
    assert done.returncode == {"TERM": 143, "INT": 130}[sig], done.stderr
    assert "Traceback" not in done.stderr
    assert runs_in(tmp_path / "store" / "work") == []


def processes_with(marker: str) -> list[int]:
    """Pids of live processes whose environment holds ``marker`` (the run and anything it started)."""
    found = []
    for environ in Path("/proc").glob("[0-9]*/environ"):
        try:
            if marker.encode() in environ.read_bytes():
                found.append(int(environ.parent.name))
        except OSError:
            continue
    return found


@pytest.mark.slow
@pytest.mark.subprocess
@pytest.mark.dask
@pytest.mark.parametrize("kill_at", ["persona_shard:1:TERM", "persona_shard:1"])
def test_dedup_on_a_local_cluster_leaves_no_worker_and_no_folder(
    imported: dict[str, str], tmp_path: Path, kill_at: str
) -> None:
    """SIGTERM: the run closes its LocalCluster and removes its folder; SIGKILL: the workers end with
    their driver (Dask's worker processes watch their parent) and the next run sweeps the folder."""
    pytest.importorskip("distributed", reason="the [dask] extra is not installed")
    marker = f"PG_WORK_FOLDER_TEST={tmp_path.name}-{kill_at}"
    key, value = marker.split("=")
    done = subprocess.run(
        [sys.executable, "-m", "personagraph", *DEDUP[:2], "dask", *DEDUP[3:]],
        env={**imported, "PERSONAGRAPH_KILL_AT": kill_at, key: value},
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert done.returncode == (143 if kill_at.endswith("TERM") else -signal.SIGKILL), done.stderr
    deadline = time.monotonic() + 60
    while processes_with(marker) and time.monotonic() < deadline:
        time.sleep(0.5)
    assert processes_with(marker) == []
    work = tmp_path / "store" / "work"
    if kill_at.endswith("TERM"):
        assert runs_in(work) == []
    else:
        assert len(runs_in(work)) == 1
        assert len(sweep_stale_work_folders(work)) == 1
