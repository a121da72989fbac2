"""`personagraph explore` through Click's runner: list the catalogue, run a query, refuse bad input."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

from click.testing import CliRunner

from personagraph import queries
from personagraph.cli import main
from personagraph.ids import persona_id

WORLD = Path(__file__).resolve().parents[2] / "examples" / "world"


def test_explore_lists_every_query_without_opening_a_store(tmp_path: Path) -> None:
    store = tmp_path / "never-created"
    result = CliRunner().invoke(main, ["--store", str(store), "explore", "--format", "json"])
    assert result.exit_code == 0, result.output
    rows = json.loads(result.stdout)
    files = [n.removeprefix("explore/") for n in queries.names("explore")]
    assert [r["name"] for r in rows] == sorted([*files, "similar"])  # similar runs in Python, not from a file
    by_name = {r["name"]: r for r in rows}
    assert by_name["neighbourhood"]["params"] == "id, limit=50"
    assert by_name["relation_types"]["params"] == "" and by_name["relation_types"]["description"]
    assert not store.exists()


def test_explore_runs_a_query_on_the_example_world(tmp_path: Path) -> None:
    runner = CliRunner()
    store = ["--store", str(tmp_path / "store")]
    result = runner.invoke(main, [*store, "import", str(WORLD / "personas.jsonl"), str(WORLD / "relations.jsonl")])
    assert result.exit_code == 0, result.output
    assert "422 relations" in result.stdout

    result = runner.invoke(main, [*store, "explore", "search", "-p", "q=shipyard welder", "--format", "json"])
    assert result.exit_code == 0, result.output
    rows = json.loads(result.stdout)
    welder = persona_id(
        "A 45-year-old shipyard welder on the night shift with burn scars on both forearms, a bad back and a dry sense of humour about both."
    )
    assert [r["id"] for r in rows] == [welder] and rows[0]["degree"] == 14

    result = runner.invoke(main, [*store, "explore", "relations_of", "-p", f"id={welder}", "--format", "csv"])
    assert result.exit_code == 0, result.output
    table = list(csv.DictReader(io.StringIO(result.stdout)))
    assert len(table) == 14 and {"type", "direction", "other_id", "evidence", "other"} == set(table[0])
    assert {"out", "in"} == {row["direction"] for row in table}

    result = runner.invoke(main, [*store, "explore", "top_hubs", "-p", "limit=3"])
    assert result.exit_code == 0, result.output
    assert welder in result.stdout and "(3 rows)" in result.stdout


def test_explore_refuses_a_missing_parameter_and_an_unknown_query(tmp_path: Path) -> None:
    runner = CliRunner()
    store = ["--store", str(tmp_path / "store")]
    result = runner.invoke(main, [*store, "explore", "neighbourhood"])
    assert result.exit_code == 2
    assert "error: explore query neighbourhood needs id" in result.stderr
    result = runner.invoke(main, [*store, "explore", "everything"])
    assert result.exit_code == 2 and "no explore query named 'everything'" in result.stderr
    assert not (tmp_path / "store").exists()  # refused before the store was opened
