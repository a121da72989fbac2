"""`query -f` with several statements, the Neo4j 5 lint and plans through the CLI, on both stores."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from personagraph.models import Persona, Relation
from personagraph.store import GraphStore
from tests.conftest import CliTarget

SCRIPT = """// two header lines, counted in the
// positions an error reports
MATCH (p:Persona) RETURN p.id AS id ORDER BY id; // a ; in a comment
RETURN 'a;b' AS s;
MATCH (p:Persona) WHERE exists(p.id)
RETURN count(p) AS n;
"""


def _world(store: GraphStore) -> list[Persona]:
    people = [Persona(text=f"A lighthouse keeper number {i}") for i in range(3)]
    store.upsert_personas(people)
    store.add_relations([Relation(src=people[0].id, dst=people[1].id, type="FRIEND_OF")])
    return people


@pytest.fixture
def target(cli_target: CliTarget) -> tuple[list[str], dict[str, str], list[Persona]]:
    """(--store arguments, environment, personas) of a store holding three personas."""
    return cli_target.args, cli_target.env, cli_target.prepare(_world)


def _run(target: tuple[list[str], dict[str, str], list[Persona]], *args: str) -> subprocess.CompletedProcess[str]:
    store_args, env, _ = target
    return subprocess.run(
        [sys.executable, "-m", "personagraph", *store_args, *args],
        env=env,
        capture_output=True,
        text=True,
        timeout=180,
    )


def test_a_file_of_statements_runs_in_order_with_the_lint(target: tuple, tmp_path: Path) -> None:
    path = tmp_path / "three.cypher"
    path.write_text(SCRIPT)
    result = _run(target, "query", "-f", str(path), "--format", "jsonl")
    assert result.returncode == 0, result.stderr
    rows = [json.loads(line) for line in result.stdout.splitlines()]
    ids = sorted(p.id for p in target[2])
    assert rows == [
        *({"_statement": f"{path}:3", "id": i} for i in ids),
        {"_statement": f"{path}:4", "s": "a;b"},
        {"_statement": f"{path}:5", "n": 3},
    ]
    warning = [line for line in result.stderr.splitlines() if line.startswith("warning:")]
    assert warning == [f"warning: {path}:5:25: exists(p.id) is rejected by Neo4j 5; write p.id IS NOT NULL"]


def test_an_error_names_the_files_own_line_and_stops_there(target: tuple, tmp_path: Path) -> None:
    path = tmp_path / "bad.cypher"
    path.write_text("// header\n// header\nRETURN 1 AS one;\nMATCH (p:Persona)\nRETURN p.id AS id,, p;\nRETURN 2;\n")
    result = _run(target, "query", "-f", str(path), "--format", "jsonl")
    assert result.returncode == 4
    assert json.loads(result.stdout.splitlines()[0]) == {"_statement": f"{path}:3", "one": 1}
    assert len(result.stdout.splitlines()) == 1  # the statement after the bad one did not run
    error = result.stderr.strip().splitlines()[-1]
    assert error.startswith(f"error: query {path}:4: ") and "line 5" in error, error


def test_a_write_in_the_file_refuses_it_whole(target: tuple, tmp_path: Path) -> None:
    path = tmp_path / "write.cypher"
    path.write_text("RETURN 1;\n// then\nCREATE (:Marker);\n")
    result = _run(target, "query", "-f", str(path))
    assert result.returncode == 4 and "CREATE at 3:1" in result.stderr and "--write" in result.stderr
    assert result.stdout == ""  # the first statement did not run either
    assert "0" in _run(target, "query", "MATCH (m:Marker) RETURN count(m) AS n", "--format", "csv").stdout


def test_a_path_prints_with_its_relationships_in_csv_and_table(target: tuple) -> None:
    a, b = target[2][0], target[2][1]
    query = "MATCH path = (x:Persona {id: $a})-[:FRIEND_OF]-(y) RETURN path"
    csv = _run(target, "query", query, "-p", f"a={a.id}", "--format", "csv")
    assert csv.returncode == 0, csv.stderr
    assert f"({a.id})-[:FRIEND_OF]->({b.id})" in csv.stdout and '""_start"": ""' + a.id in csv.stdout
    table = _run(target, "query", query, "-p", f"a={a.id}")
    assert "-[:FRIEND_OF]->" in table.stdout.replace("\n", "").replace("│", "").replace(" ", "")


def test_explain_prints_a_plan_and_vector_procedures_name_explore_similar(target: tuple) -> None:
    plan = _run(target, "query", "EXPLAIN MATCH (p:Persona) RETURN p.id", "--format", "jsonl")
    assert plan.returncode == 0, plan.stderr
    lines = [json.loads(line)["plan"] for line in plan.stdout.splitlines()]
    assert any("Persona" in line for line in lines) and not any("java" in line for line in lines)
    vector = _run(target, "query", "CALL db.index.vector.queryNodes('personas', 3, [0.1, 0.2]) YIELD node RETURN node")
    assert vector.returncode == 4 and "explore similar" in vector.stderr
