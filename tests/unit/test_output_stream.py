"""`output.stream`: rows printed as they come (json, jsonl, csv), a table capped with a count of the rest."""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterator

import pytest

from personagraph.cli.output import stream


def _rows(n: int, capsys: pytest.CaptureFixture[str], seen: list[str]) -> Iterator[dict[str, object]]:
    for i in range(n):
        if i:  # before handing over a row, the one before it is already printed
            seen.append(capsys.readouterr().out)
        yield {"i": i, "text": f"row, {i}", "path": {"_path": "(a)-[:R]->(b)"}}


@pytest.mark.parametrize("fmt", ["jsonl", "csv", "json"])
def test_rows_print_one_at_a_time_and_parse(fmt: str, capsys: pytest.CaptureFixture[str]) -> None:
    seen: list[str] = []
    stream(_rows(5, capsys, seen), fmt)
    text = "".join(seen) + capsys.readouterr().out
    assert all(part.strip() for part in seen)  # every row reached stdout before the next was made
    if fmt == "jsonl":
        rows = [json.loads(line) for line in text.splitlines()]
    elif fmt == "json":
        rows = json.loads(text)
    else:
        rows = list(csv.DictReader(io.StringIO(text)))
        rows = [{**r, "i": int(r["i"]), "path": json.loads(r["path"])} for r in rows]
    assert [r["i"] for r in rows] == [0, 1, 2, 3, 4] and rows[1]["text"] == "row, 1"
    assert rows[0]["path"] == {"_path": "(a)-[:R]->(b)"}


def test_an_empty_result_is_valid_json(capsys: pytest.CaptureFixture[str]) -> None:
    stream(iter([]), "json")
    assert json.loads(capsys.readouterr().out) == []


def test_a_table_shows_the_first_rows_and_counts_the_rest(capsys: pytest.CaptureFixture[str]) -> None:
    stream(({"i": i} for i in range(25)), "table", table_rows=10)
    captured = capsys.readouterr()
    assert "(25 rows)" in captured.out and "│ 9 " in captured.out and "│ 10 " not in captured.out
    assert "15 more rows not shown" in captured.err and "--format jsonl or csv" in captured.err
