"""Ctrl-C and SIGTERM stop every command within 5 s with exit 130 / 143 and one message, also in the
middle of a long engine call, and the store reopens with what was done so far.

Signals come from outside (a real ``kill``) while the process is busy, or from the process itself at a
named checkpoint (``PERSONAGRAPH_KILL_AT=<stage>:<n>:INT|TERM``) so they land at the same place.
Only the run that gets the signal is a process of its own; the set-up, the re-runs and the checks run
the CLI in this process (tests/cli_in_process.py), which saves a JVM start and the imports each.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from personagraph.config import Settings
from personagraph.runtime import INTERRUPTED
from personagraph.store import open_store
from tests.cli_in_process import run_cli
from tests.conftest import cli_env
from tests.dedup_support import settings_with_cache
from tests.e2e.test_kill_harness import _files
from tests.llm_fixtures import TEST_API_KEY
from tests.llm_server import LLMTestServer

CODES = {signal.SIGINT: 130, signal.SIGTERM: 143}
STATIC = ("--embedder", "static")


def env(tmp_path: Path, **extra: str) -> dict[str, str]:
    return cli_env(
        PERSONAGRAPH_STORE=str(tmp_path / "store"),
        PERSONAGRAPH_CACHE_DIR=str(tmp_path / "cache"),
        PERSONAGRAPH_JVM_HEAP="1g",
        CI="1",
        **extra,
    )


def cli(tmp_path: Path, *args: str, **extra: str) -> subprocess.CompletedProcess[str]:
    """A run that signals itself (PERSONAGRAPH_KILL_AT) is a process of its own; any other runs here."""
    if "PERSONAGRAPH_KILL_AT" not in extra:
        return run_cli(args, env=env(tmp_path, **extra), cwd=tmp_path)
    return subprocess.run(
        [sys.executable, "-m", "personagraph", *args],
        env=env(tmp_path, **extra),
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=600,
    )


def interrupted(done: subprocess.CompletedProcess[str], sig: signal.Signals) -> None:
    assert done.returncode == CODES[sig], done.stderr
    assert done.stderr.strip().splitlines()[-1] == INTERRUPTED
    assert "Traceback" not in done.stderr


def counts(tmp_path: Path) -> tuple[int, int]:
    """(personas, relations) of the reopened store, after an engine check that finds nothing."""
    folder = str(tmp_path / "store")
    with open_store(folder, Settings(store=folder)) as store:
        engine = store.engine_check()
        assert engine is not None and engine.clean, engine
        edges = store.cypher("MATCH (:Persona)-[r]->(:Persona) RETURN count(r) AS n")[0]["n"]
        return store.count("Persona"), int(edges)


def holds_files_under(pid: int, folder: Path) -> bool:
    """Whether process ``pid`` has a file under ``folder`` open (Linux: its /proc/<pid>/fd links)."""
    prefix = str(folder.resolve()) + "/"
    try:
        fds = list(Path(f"/proc/{pid}/fd").iterdir())
    except OSError:
        return False
    for fd in fds:
        try:
            if os.readlink(fd).startswith(prefix):
                return True
        except OSError:
            continue  # closed meanwhile
    return False


def signal_when(proc: subprocess.Popen[str], sig: signal.Signals, ready: object) -> float:
    """Send ``sig`` once ``ready()`` holds; returns the seconds from the signal to the exit."""
    deadline = time.monotonic() + 300
    while not ready() and proc.poll() is None and time.monotonic() < deadline:  # type: ignore[operator]
        time.sleep(0.05)
    assert proc.poll() is None, "the command ended before the signal"
    sent = time.monotonic()
    proc.send_signal(sig)
    proc.wait(timeout=60)
    return time.monotonic() - sent


@pytest.mark.parametrize("sig", [signal.SIGINT, signal.SIGTERM])
def test_a_long_query_stops_within_five_seconds(sig: signal.Signals, tmp_path: Path) -> None:
    files = _files(tmp_path)
    assert cli(tmp_path, "import", str(files["personas"])).returncode == 0
    # ~6e9 rows, minutes of engine work; one range may not pass 6,710,886 (arcadedb.queryMaxRangeSize)
    query = "UNWIND range(1, 6000000) AS x UNWIND range(1, 1000) AS y RETURN sum(x + y) AS s"
    proc = subprocess.Popen(
        [sys.executable, "-m", "personagraph", "query", query],
        env=env(tmp_path),
        cwd=tmp_path,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    opened: list[float] = []

    def running() -> bool:
        """Two seconds after the child first holds the store's files open (the JVM is up, the query started).

        Was a fixed 10 s from the start: 2 x ~8 s of a busy child's CPU spent waiting at idle."""
        if not opened and holds_files_under(proc.pid, tmp_path / "store"):
            opened.append(time.monotonic())
        return bool(opened) and time.monotonic() - opened[0] > 2.0

    seconds = signal_when(proc, sig, running)
    interrupted(subprocess.CompletedProcess(proc.args, proc.returncode, "", proc.stderr.read()), sig)  # type: ignore[union-attr]
    assert seconds < 5
    assert counts(tmp_path)[0] == 189


@pytest.mark.parametrize(
    ("args", "point"),
    [
        (("import", "{personas}", "--batch-size", "40"), "import_batch:2:INT"),
        (("import", "{personas}", "--batch-size", "40"), "bulk_nodes:3:TERM"),
        (("import", "{relations}", "--batch-size", "100"), "bulk_edges:2:INT"),
        (("import", "{relations}", "--batch-size", "100"), "import_batch:3:TERM"),
    ],
)
def test_import_stops_at_a_checkpoint_and_a_rerun_completes(args: tuple[str, ...], point: str, tmp_path: Path) -> None:
    files = _files(tmp_path)
    if args[1] == "{relations}":
        assert cli(tmp_path, "import", str(files["personas"])).returncode == 0
    argv = [a.format(personas=files["personas"], relations=files["relations"]) for a in args]
    interrupted(cli(tmp_path, *argv, PERSONAGRAPH_KILL_AT=point), signal.Signals["SIG" + point.rsplit(":", 1)[1]])
    assert counts(tmp_path)[0] <= 189  # reopens, engine check clean
    assert cli(tmp_path, *argv).returncode == 0
    if args[1] == "{relations}":
        triples = {
            (r["src"], r["type"], r["dst"]) for r in map(json.loads, files["relations"].read_text().splitlines())
        }
        assert counts(tmp_path) == (189, len(triples))
    else:
        assert counts(tmp_path)[0] == 189


def test_dedup_interrupted_mid_merge_leaves_no_half_group_and_is_finished_next(tmp_path: Path) -> None:
    files = _files(tmp_path)
    assert cli(tmp_path, "import", str(files["personas"]), str(files["relations"])).returncode == 0
    interrupted(cli(tmp_path, "dedup", "--stage", "minhash", PERSONAGRAPH_KILL_AT="dedup_merge:1:INT"), signal.SIGINT)
    folder = str(tmp_path / "store")
    with open_store(folder, Settings(store=folder)) as store:
        assert store.count("Persona") == 189  # the batch's transaction was rolled back whole
        assert store.run("check_alias_nodes") == []
        assert len(store.run("dedup_unfinished_runs")) == 1
    found = cli(tmp_path, "check", "--format", "json")
    assert found.returncode == 1
    assert {f["check"]: f["found"] for f in json.loads(found.stdout)["findings"]}["dedup runs left unfinished"] == 1
    again = cli(tmp_path, "dedup", "--stage", "minhash", "--jaccard", "0.99")
    assert again.returncode == 0, again.stderr
    assert "was cut short; finishing its 15 groups first" in again.stderr
    assert counts(tmp_path)[0] == 189 - 15
    assert cli(tmp_path, "check").returncode == 0


def test_embed_interrupted_keeps_the_shards_it_finished(tmp_path: Path) -> None:
    files = _files(tmp_path)
    assert cli(tmp_path, "import", str(files["personas"])).returncode == 0
    # The static embedder (shared distilled model): with MiniLM the signalled child imported torch and
    # sentence-transformers first (~13-18 s of CPU); the shards and their checkpoint are the same code.
    settings_with_cache(tmp_path / "cache")
    interrupted(cli(tmp_path, "embed", *STATIC, PERSONAGRAPH_KILL_AT="embed_shard:1:TERM"), signal.SIGTERM)
    import numpy as np

    kept = sum(len(np.load(part)) for part in (tmp_path / "store").rglob("part-*.ids.npy"))
    assert kept == 189  # the one shard finished before the signal was kept
    again = cli(tmp_path, "embed", *STATIC, "--format", "json")
    assert again.returncode == 0, again.stderr
    assert json.loads(again.stdout)["personas"] == 189


@pytest.mark.parametrize("sig", [signal.SIGINT, signal.SIGTERM])
def test_expand_stops_within_five_seconds_and_gives_claims_back(
    sig: signal.Signals, llm_server: LLMTestServer, tmp_path: Path
) -> None:
    files = _files(tmp_path)
    assert cli(tmp_path, "import", str(files["personas"])).returncode == 0
    llm_server.brain.latency = 0.2
    extra = {"OPENAI_BASE_URL": llm_server.base_url, "OPENAI_API_KEY": TEST_API_KEY, "PERSONAGRAPH_MODEL": "test-model"}
    proc = subprocess.Popen(
        [sys.executable, "-m", "personagraph", "expand", "--hops", "2", "--concurrency", "4"],
        env=env(tmp_path, **extra),
        cwd=tmp_path,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    seconds = signal_when(proc, sig, lambda: llm_server.count >= 8)
    interrupted(subprocess.CompletedProcess(proc.args, proc.returncode, "", proc.stderr.read()), sig)  # type: ignore[union-attr]
    assert seconds < 5
    checked = cli(tmp_path, "check", "--format", "json")
    findings = {f["check"]: f for f in json.loads(checked.stdout)["findings"]}
    assert findings["engine: unreachable edge records"]["found"] == 0
    assert counts(tmp_path)[0] >= 189
