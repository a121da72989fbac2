"""`personagraph serve`: a store folder served over Bolt, then reopened embedded."""

from __future__ import annotations

import shlex
import subprocess
import sys
from pathlib import Path

import pytest

from personagraph.config import Secret, Settings
from personagraph.store import open_store
from tests.cli_in_process import run_cli
from tests.conftest import cli_env
from tests.serve_process import free_port, serve_process, wait_for_port


def _cli(*args: str, **env: str) -> subprocess.CompletedProcess[str]:
    """The CLI in this process (tests/cli_in_process.py); the server, and the printed command a user
    would paste, are processes of their own."""
    return run_cli(args, env=cli_env(**env))


@pytest.mark.bolt
def test_serve_shares_an_embedded_store_and_hands_it_back(tmp_path: Path) -> None:
    folder = tmp_path / "store"
    people = tmp_path / "people.jsonl"
    people.write_text(
        '{"persona": "A harbour master who keeps bees"}\n{"persona": "A ferry engineer with a fear of heights"}\n'
    )
    assert _cli("--store", str(folder), "import", str(people)).returncode == 0

    port = free_port()
    proc = serve_process(
        folder, port, cli_env(PERSONAGRAPH_PASSWORD="serve-pass-99"), stdout=subprocess.PIPE, text=True
    )
    try:
        wait_for_port(port, proc)
        # A command that opens the folder directly is told where the server is.
        held = _cli("--store", str(folder), "stats")
        assert held.returncode == 4
        assert f"bolt://127.0.0.1:{port}" in held.stderr and held.stderr.count("\n") == 1
        # The neo4j driver reads the same data over Bolt.
        settings = Settings(store=f"bolt://127.0.0.1:{port}", user="root", password=Secret("serve-pass-99"))
        with open_store(settings.store, settings) as store:
            assert store.count("Persona") == 2
        over_bolt = _cli(
            "--store",
            f"bolt://127.0.0.1:{port}",
            "query",
            "MATCH (p:Persona) RETURN count(p) AS n",
            "--format",
            "json",
            PERSONAGRAPH_USER="root",
            PERSONAGRAPH_PASSWORD="serve-pass-99",
        )
        assert over_bolt.returncode == 0, over_bolt.stderr
        assert '"n": 2' in over_bolt.stdout
        wrong = _cli(
            "--store", f"bolt://127.0.0.1:{port}", "stats", PERSONAGRAPH_USER="root", PERSONAGRAPH_PASSWORD="wrong-pass"
        )
        assert wrong.returncode == 4 and "authentication failed" in wrong.stderr
    finally:
        proc.terminate()
        out, _ = proc.communicate(timeout=60)
    assert "serve-pass-99" not in out  # the password is never printed when it came from the environment
    assert not (folder / "serve.json").exists()
    reopened = _cli("--store", str(folder), "stats", "--format", "json")
    assert reopened.returncode == 0, reopened.stderr
    assert '"Persona": 2' in reopened.stdout


def test_serve_refuses_a_short_password(tmp_path: Path) -> None:
    result = _cli("--store", str(tmp_path / "s"), "serve", "--port", str(free_port()), PERSONAGRAPH_PASSWORD="short")
    assert result.returncode == 2
    assert result.stderr.startswith("error: ") and "at least 8" in result.stderr


def test_unreachable_bolt_server_is_one_clear_line() -> None:
    result = _cli("--store", f"bolt://127.0.0.1:{free_port()}", "stats", PERSONAGRAPH_PASSWORD="whatever1")
    assert result.returncode == 4
    assert result.stderr.strip().startswith("error: ") and "unreachable" in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1


def _start_serve(folder: Path, port: int, **env: str) -> tuple[subprocess.Popen[str], list[str]]:
    """Start `personagraph serve` and read what it prints up to ``ready``."""
    proc = serve_process(folder, port, cli_env(PERSONAGRAPH_JVM_HEAP="1g", **env), stdout=subprocess.PIPE, text=True)
    lines: list[str] = []
    assert proc.stdout is not None
    for line in proc.stdout:
        lines.append(line.rstrip("\n"))
        if line.strip() == "ready":
            break
    wait_for_port(port, proc)
    return proc, lines


def _stop(proc: subprocess.Popen[str]) -> None:
    proc.terminate()
    proc.communicate(timeout=60)
    assert proc.returncode is not None


def _can_log_in(port: int, password: str) -> bool:
    import neo4j

    with neo4j.GraphDatabase.driver(f"bolt://127.0.0.1:{port}", auth=("root", password)) as driver:
        try:
            driver.verify_connectivity()
        except neo4j.exceptions.AuthError:
            return False
        records, _, _ = driver.execute_query("MATCH (p:Persona) RETURN count(p) AS n", database_="personas")
        return records[0]["n"] == 1


def _printed_command(lines: list[str]) -> str:
    return next(line for line in lines if line.startswith("connect with: ")).removeprefix("connect with: ")


def _run_printed(command: str, port: int, **env: str) -> subprocess.CompletedProcess[str]:
    """The printed command, run by a shell as a user would (this checkout's personagraph)."""
    assert f"personagraph --store bolt://127.0.0.1:{port} stats" in command
    shell = command.replace("personagraph --store", f"{shlex.quote(sys.executable)} -m personagraph --store")
    return subprocess.run(["bash", "-c", shell], env=cli_env(**env), capture_output=True, text=True, timeout=120)


@pytest.mark.bolt
def test_each_serve_uses_the_password_it_is_given(tmp_path: Path) -> None:
    """Two runs with different passwords, then one with a random password: each run accepts its
    own password only, prints a command that connects, and leaves no users file in the store."""
    folder = tmp_path / "store"
    people = tmp_path / "people.jsonl"
    people.write_text('{"persona": "A lock keeper who counts barges"}\n')
    assert _cli("--store", str(folder), "import", str(people)).returncode == 0
    port = free_port()
    scratch = tmp_path / "tmp"  # where serve makes its private users folder (TMPDIR)
    scratch.mkdir()

    proc, lines = _start_serve(folder, port, PERSONAGRAPH_PASSWORD="first-pass-1", TMPDIR=str(scratch))
    try:
        assert [path.name for path in scratch.glob("personagraph-serve-*/server-users.jsonl")]
        assert _can_log_in(port, "first-pass-1")
        command = _printed_command(lines)
        assert command.startswith('PERSONAGRAPH_USER=root PERSONAGRAPH_PASSWORD="$PERSONAGRAPH_PASSWORD" ')
        printed = _run_printed(command, port, PERSONAGRAPH_PASSWORD="first-pass-1")
        assert printed.returncode == 0, printed.stderr
    finally:
        _stop(proc)
    assert "first-pass-1" not in "\n".join(lines)
    assert not list(folder.rglob("server-users.jsonl"))
    assert not list(scratch.iterdir())  # removed at exit

    proc, _ = _start_serve(folder, port, PERSONAGRAPH_PASSWORD="second-pass-2")
    try:
        assert _can_log_in(port, "second-pass-2")
        assert not _can_log_in(port, "first-pass-1")
    finally:
        _stop(proc)
    assert not list(folder.rglob("server-users.jsonl"))

    proc, lines = _start_serve(folder, port)
    try:
        password = next(line for line in lines if line.startswith("password for this run")).split(": ", 1)[1]
        assert len(password) >= 8
        assert _can_log_in(port, password)
        assert not _can_log_in(port, "second-pass-2")
        command = _printed_command(lines)
        assert command.startswith(f"PERSONAGRAPH_USER=root PERSONAGRAPH_PASSWORD={password} ")
        printed = _run_printed(command, port)
        assert printed.returncode == 0, printed.stderr
    finally:
        _stop(proc)
    assert not list(folder.rglob("server-users.jsonl"))
    assert not any(password in path.read_bytes().decode("latin-1") for path in folder.rglob("*") if path.is_file())


def test_serve_help_names_the_password_rules() -> None:
    result = _cli("serve", "--help")
    assert result.returncode == 0
    assert "at least 8 characters" in " ".join(result.stdout.split())
