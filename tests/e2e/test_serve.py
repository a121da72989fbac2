"""`personagraph serve`: a store folder served over Bolt, then reopened embedded."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from personagraph.config import Secret, Settings
from personagraph.store import open_store
from tests.conftest import cli_env, free_port, wait_for_port


def _cli(*args: str, **env: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "personagraph", *args], env=cli_env(**env), capture_output=True, text=True, timeout=180
    )


@pytest.mark.bolt
def test_serve_shares_an_embedded_store_and_hands_it_back(tmp_path: Path) -> None:
    folder = tmp_path / "store"
    people = tmp_path / "people.jsonl"
    people.write_text(
        '{"persona": "A harbour master who keeps bees"}\n{"persona": "A ferry engineer with a fear of heights"}\n'
    )
    assert _cli("--store", str(folder), "import", str(people)).returncode == 0

    port, http_port = free_port(), free_port()
    proc = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "personagraph",
            "--store",
            str(folder),
            "serve",
            "--port",
            str(port),
            "--http-port",
            str(http_port),
        ],
        env=cli_env(PERSONAGRAPH_PASSWORD="serve-pass-99"),
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
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
