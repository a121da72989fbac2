"""The neo4j-admin CSV table on its own: types from values, quoting, and the reader's parse of it."""

from __future__ import annotations

import math
from pathlib import Path
from typing import Any

import pytest

from personagraph.errors import InputError, MalformedInputError
from personagraph.export.neo4j_admin_read import _records, parse_header
from personagraph.export.neo4j_csv import add_nodes, column_type, node_table

ROWS: list[dict[str, Any]] = [
    {
        "id": "p_1",
        "props": {
            "text": 'commas, "quotes", ;semicolons;\nnew line\r\nand CRLF',
            "empty": "",
            "score": 1.5,
            "mixed_num": 1,
            "flag": True,
            "tags": ["a;b", "c,d", 'e"f', "g\nh"],
            "ints": [1, 2, 3],
            "floats": [0.5, 2],
            "meta": {"k": [1, 2]},
            "kind": "x",
            "hop": 2,
            "uni": "Zürich 化学者 👩‍🔬",
        },
    },
    {
        "id": "p_2",
        "props": {
            "text": "  spaces kept  ",
            "empty": None,
            "score": float("nan"),
            "mixed_num": 2.25,
            "flag": False,
            "tags": [],
            "ints": None,
            "floats": [float("inf"), -1.0],
            "meta": None,
            "kind": 7,
            "hop": 0,
            "uni": "\\ back\\slash \\",
        },
    },
]


def write(tmp_path: Path, rows: list[dict[str, Any]]) -> Path:
    keys = sorted({k for row in rows for k in row["props"]})
    table = node_table(tmp_path, "Persona", keys)
    add_nodes(table, rows)
    table.finish()
    return table.path


def test_column_types_follow_the_values(tmp_path: Path) -> None:
    path = write(tmp_path, ROWS)
    header = path.read_text(encoding="utf-8").splitlines()[0].split(",")
    assert header[:2] == ["id:ID(Persona)", ":LABEL"]
    types = dict(field.split(":") for field in header[2:])
    assert types == {
        "empty": "string",
        "flag": "boolean",
        "floats": "double[]",
        "hop": "int",
        "ints": "long[]",
        "kind": "string",  # a str and an int: kept as text
        "meta": "string",  # a map: JSON
        "mixed_num": "double",
        "score": "double",
        "tags": "string[]",
        "text": "string",
        "uni": "string",
    }
    assert column_type("x", set()) == "string"  # a column of nulls only


def test_values_parse_back_as_written(tmp_path: Path) -> None:
    path = write(tmp_path, ROWS)
    columns = parse_header(path)
    records = {props["id"]: props for _, _, props in _records(path, columns)}
    first, second = records["p_1"], records["p_2"]
    assert first["text"] == ROWS[0]["props"]["text"] and first["uni"] == ROWS[0]["props"]["uni"]
    assert first["empty"] == "" and "empty" not in second  # "" vs null
    assert first["tags"] == ["a;b", "c,d", 'e"f', "g\nh"] and "tags" not in second  # empty list: null
    assert first["ints"] == [1, 2, 3] and first["floats"] == [0.5, 2.0]
    assert second["floats"] == [math.inf, -1.0] and math.isnan(second["score"])
    assert first["flag"] is True and second["flag"] is False
    assert first["mixed_num"] == 1.0 and second["mixed_num"] == 2.25
    assert first["meta"] == '{"k": [1, 2]}' and first["kind"] == "x" and second["kind"] == "7"
    assert second["text"] == "  spaces kept  " and second["uni"] == "\\ back\\slash \\"
    assert first["hop"] == 2 and second["hop"] == 0


def test_a_list_element_with_the_array_delimiter_is_refused(tmp_path: Path) -> None:
    table = node_table(tmp_path, "Persona", ["tags"])
    with pytest.raises(InputError, match="U\\+001F"):
        add_nodes(table, [{"id": "p_1", "props": {"tags": ["fine", "not\x1ffine"]}}])
    table.discard()


def test_a_header_outside_the_grammar_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "nodes-Persona.csv"
    path.write_text("id:ID(Persona),:LABEL,bad:field:extra\n", encoding="utf-8")
    with pytest.raises(MalformedInputError, match=r"nodes-Persona\.csv:1:"):
        parse_header(path)
