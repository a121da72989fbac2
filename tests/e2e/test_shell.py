"""`personagraph shell` driven through stdin (no TTY): statements over several lines, parameters,
a refused write, the lint, and the exit code; on both stores."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from personagraph.models import Persona
from personagraph.store import GraphStore
from tests.conftest import CliTarget

SESSION = """MATCH (p:Persona)
RETURN count(p) AS personas;
:param who => "{pid}"
MATCH (p:Persona {{id: $who}}) RETURN p.id AS me; RETURN 'a;b' AS
  s;
:params
CREATE (:Marker);
MATCH (p:Persona) WHERE exists(p.id) RETURN count(p) AS counted;
MATCH (m:Marker) RETURN count(m) AS markers;
:exit
RETURN 'after exit' AS never;
"""


def _people(store: GraphStore) -> list[Persona]:
    people = [Persona(text=f"A ferry engineer number {i}") for i in range(4)]
    store.upsert_personas(people)
    return people


@pytest.fixture
def target(cli_target: CliTarget) -> tuple[list[str], dict[str, str], list[Persona]]:
    return cli_target.args, cli_target.env, cli_target.prepare(_people)


def _shell(target: tuple, text: str, tmp_path: Path, *args: str) -> subprocess.CompletedProcess[str]:
    store_args, env, _ = target
    return subprocess.run(
        [sys.executable, "-m", "personagraph", *store_args, "shell", *args],
        input=text,
        env={**env, "PERSONAGRAPH_CACHE_DIR": str(tmp_path / "cache")},
        capture_output=True,
        text=True,
        timeout=180,
    )


def test_a_session_through_stdin(target: tuple, tmp_path: Path) -> None:
    people = target[2]
    result = _shell(target, SESSION.format(pid=people[2].id), tmp_path)
    out = result.stdout
    assert "personas" in out and "│ 4 " in out  # the two-line statement
    assert people[2].id in out and "a;b" in out  # the parameter, and a ';' in a string
    assert f'{{"who": "{people[2].id}"}}' in out
    assert "counted" in out and "markers" in out and "│ 0 " in out.split("markers")[1]  # the write never ran
    assert "after exit" not in out
    errors = [line for line in result.stderr.splitlines() if line.startswith("error:")]
    assert len(errors) == 1 and "CREATE" in errors[0] and "--write" in errors[0]
    assert any("exists(p.id)" in line and "IS NOT NULL" in line for line in result.stderr.splitlines())
    assert result.returncode == 4  # the code of the last error, as a script expects


def test_write_allows_writes_and_a_clean_session_exits_0(target: tuple, tmp_path: Path) -> None:
    result = _shell(target, "CREATE (:Marker {n: 1});\nMATCH (m:Marker) RETURN m.n AS n;\n", tmp_path, "--write")
    assert result.returncode == 0, result.stderr
    assert "│ 1 " in result.stdout
