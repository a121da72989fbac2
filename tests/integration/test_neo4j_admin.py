"""`export graph --format neo4j-admin`: headers checked against the documented grammar, quoting of
the hard cases, and the files read back into a fresh store with the same nodes, edges and values.

The grammar (Neo4j 5 operations manual, "Import header format"): a field is ``<name>:<field_type>``;
``:ID(space)`` (named or not) in node files, exactly one; ``:START_ID(space)``, ``:END_ID(space)``
and ``:TYPE`` in relationship files; property types are int, long, float, double, boolean, byte,
short, char, string, point, date, localtime, time, localdatetime, datetime, duration, optionally
with ``[]``. The parser below is written from that text alone, apart from the package's reader.
"""

from __future__ import annotations

import csv
import re
import subprocess
from pathlib import Path
from typing import Any

import pytest

from personagraph.export.neo4j_admin import write_neo4j_admin
from personagraph.export.neo4j_admin_read import read_neo4j_admin
from personagraph.store import GraphStore, open_store
from tests.cli_in_process import run_cli
from tests.conftest import ROOT, cli_env
from tests.integration.neo4j_admin_world import NASTY, build_world

TYPES = {"int", "long", "float", "double", "boolean", "byte", "short", "char", "string", "point", "date"}
TYPES |= {"localtime", "time", "localdatetime", "datetime", "duration"}
SPECIAL = re.compile(r"^(?P<name>[A-Za-z_][A-Za-z0-9_]*)?:(?P<kind>ID|START_ID|END_ID)\((?P<space>[A-Za-z]+)\)$")
PROPERTY = re.compile(r"^(?P<name>[A-Za-z_][A-Za-z0-9_]*):(?P<type>[a-z]+)(?P<array>\[\])?$")


def check_header(fields: list[str], node_file: bool) -> dict[str, Any]:
    """Parse one header line by the manual's grammar; fail on anything outside it."""
    found: dict[str, Any] = {"ID": [], "START_ID": [], "END_ID": [], "LABEL": 0, "TYPE": 0, "props": {}}
    for text in fields:
        if text in (":LABEL", ":TYPE"):
            found[text[1:]] += 1
            continue
        special = SPECIAL.match(text)
        if special:
            found[special["kind"]].append(special["space"])
            continue
        prop = PROPERTY.match(text)
        assert prop, f"header field {text!r} is not in the grammar"
        assert prop["type"] in TYPES, f"{text}: unknown type {prop['type']}"
        assert prop["name"] not in found["props"], f"{text}: property twice"
        found["props"][prop["name"]] = prop["type"] + (prop["array"] or "")
    if node_file:
        assert len(found["ID"]) == 1 and not found["START_ID"] and not found["END_ID"] and not found["TYPE"]
    else:
        assert len(found["START_ID"]) == 1 and len(found["END_ID"]) == 1 and found["TYPE"] == 1
        assert not found["ID"] and not found["LABEL"]
    return found


def snapshot(store: GraphStore) -> dict[str, Any]:
    """Every node's properties by label and id, and every edge as (start, type, end, properties)."""
    nodes: dict[str, dict[Any, dict[str, Any]]] = {}
    for label, query, first in [
        ("Persona", "persona", ""),
        ("Text", "text", ""),
        ("Sample", "sample", ""),
        ("Batch", "batch", ""),
        ("DedupRun", "dedup_run", ""),
        ("Cluster", "cluster", None),
    ]:
        rows = store.run(f"export/page_{query}", after=first, limit=1000)
        nodes[label] = {row["id"]: row["props"] for row in rows}
    edges = sorted(
        (r["src"], r["type"], r["dst"], sorted((r.get("props") or {}).items())) for r in store.iter_relations()
    )
    for rel_type in ("DERIVED_FROM", "USED_IN", "GENERATED_BY"):
        # Read whole, not through the export's pages: the state is what the export is checked against.
        rows = store.cypher(f"MATCH (a)-[e:{rel_type}]->(b) RETURN a.id AS src, b.id AS dst, properties(e) AS props")
        edges += sorted((r["src"], rel_type, r["dst"], sorted((r["props"] or {}).items())) for r in rows)
    return {"nodes": nodes, "edges": edges}


@pytest.fixture
def exported(store: GraphStore, tmp_path: Path) -> tuple[GraphStore, Path, Any]:
    build_world(store)
    out = tmp_path / "neo4j"
    return store, out, write_neo4j_admin(store, out)


def read_table(path: Path) -> tuple[list[str], list[list[str]]]:
    with path.open(encoding="utf-8", newline="") as handle:
        rows = list(csv.reader(handle))
    return rows[0], rows[1:]


def test_headers_follow_the_documented_grammar(exported: tuple[GraphStore, Path, Any]) -> None:
    _, out, result = exported
    spaces: dict[str, str] = {}
    for name in result.nodes:
        header, rows = read_table(out / name)
        found = check_header(header, node_file=True)
        label = found["ID"][0]
        assert name == f"nodes-{label}.csv" and found["LABEL"] == 1
        assert all(row[1] == label for row in rows)  # the :LABEL column
        spaces[label] = name
    assert set(spaces) == {"Persona", "Text", "Sample", "Batch", "DedupRun", "Cluster"}
    persona = check_header(read_table(out / "nodes-Persona.csv")[0], node_file=True)["props"]
    assert persona["hop"] == "int" and persona["uses"] == "long" and persona["cluster"] == "long"
    assert persona["labels"] == "string[]" and persona["aliases"] == "string[]" and persona["text"] == "string"
    assert "id" not in persona  # the id is the named ID column, id:ID(Persona)
    assert read_table(out / "nodes-Persona.csv")[0][0] == "id:ID(Persona)"
    assert check_header(read_table(out / "nodes-Cluster.csv")[0], node_file=True)["props"]["id"] == "long"
    kinds = {}
    for name in result.relationships:
        header, rows = read_table(out / name)
        found = check_header(header, node_file=False)
        kinds[name] = (found["START_ID"][0], found["END_ID"][0], {row[2] for row in rows})
        assert found["START_ID"][0] in spaces and found["END_ID"][0] in spaces  # every reference has its ID space
    assert kinds["rels-DERIVED_FROM.csv"] == ("Persona", "Text", {"DERIVED_FROM"})
    assert kinds["rels-GENERATED_BY.csv"] == ("Sample", "Persona", {"GENERATED_BY"})
    assert kinds["rels-USED_IN.csv"] == ("Persona", "Batch", {"USED_IN"})
    assert kinds["rels-COLLEAGUE.csv"] == ("Persona", "Persona", {"COLLEAGUE"})
    assert check_header(read_table(out / "rels-MENTOR_OF.csv")[0], node_file=False)["props"]["score"] == "double"


def test_import_command_names_every_file_and_the_flags(exported: tuple[GraphStore, Path, Any]) -> None:
    _, out, result = exported
    script = (out / "import.sh").read_text(encoding="utf-8")
    for name in result.nodes:
        assert f"--nodes={name.removeprefix('nodes-').removesuffix('.csv')}={name}" in script
    for name in result.relationships:
        assert f"--relationships={name.removeprefix('rels-').removesuffix('.csv')}={name}" in script
    for flag in ("--array-delimiter=U+001F", "--multiline-fields=true", "--quote='\"'", "--ignore-empty-strings=false"):
        assert flag in script and flag in (out / "IMPORT.md").read_text(encoding="utf-8")
    assert 'database import full "$DATABASE"' in script  # the database before --nodes, which is greedy
    # The script is valid sh and runs neo4j-admin with these arguments (a stand-in prints them).
    fake = out.parent / "bin"
    fake.mkdir()
    (fake / "neo4j-admin").write_text('#!/bin/sh\nprintf "%s\\n" "$@"\n')
    (fake / "neo4j-admin").chmod(0o755)
    ran = subprocess.run(
        ["sh", str(out / "import.sh"), "personas"],
        capture_output=True,
        text=True,
        env={"PATH": f"{fake}:/usr/bin:/bin"},
    )
    assert ran.returncode == 0, ran.stderr
    args = ran.stdout.splitlines()
    assert args[:4] == ["database", "import", "full", "personas"] and '--quote="' in args
    assert sorted(a for a in args if a.startswith("--nodes=")) == sorted(f"--nodes={n[6:-4]}={n}" for n in result.nodes)


def test_quoting_of_hard_values(exported: tuple[GraphStore, Path, Any]) -> None:
    store, out, _ = exported
    text = (out / "nodes-Persona.csv").read_text(encoding="utf-8")
    header, rows = read_table(out / "nodes-Persona.csv")
    col = {name.split(":")[0] or name: i for i, name in enumerate(header)}
    stored = {pid: props["text"] for pid, props in snapshot(store)["nodes"]["Persona"].items()}
    assert {row[0]: row[col["text"]] for row in rows} == stored  # every text parses back as stored
    assert '"A welder, ""the quiet one"", who reads Pascal; at night"' in text  # quotes doubled, commas inside
    assert '\\slashes \\""' in text  # a backslash stays literal; the quote after it is doubled
    assert "化学者 👩‍🔬" in text  # UTF-8, not escaped
    welder = next(row for row in rows if row[col["text"]].startswith("A welder"))
    assert welder[col["labels"]].split("\x1f") == ["Trades", "Night shift; late", 'Quote "label"']
    assert welder[col["alias_texts"]].split("\x1f") == ['a, "b"', "c\nd"]
    # null vs empty string: an unset property is an empty unquoted field, an empty string is "".
    rival = (out / "rels-RIVAL.csv").read_text(encoding="utf-8").splitlines()[1]
    assert ',"",' in rival  # evidence = ""
    colleague = (out / "rels-COLLEAGUE.csv").read_text(encoding="utf-8").splitlines()
    assert any(',"COLLEAGUE",,' in line for line in colleague[1:])  # evidence unset: nothing between commas


def test_files_read_back_into_a_fresh_store_unchanged(exported: tuple[GraphStore, Path, Any], tmp_path: Path) -> None:
    store, out, result = exported
    assert not result.skipped
    before = snapshot(store)
    (out / "rels-STALE.csv").write_text("left by an older export, not named in import.sh\n", encoding="utf-8")
    fresh = open_store(str(tmp_path / "fresh"))
    try:
        report = read_neo4j_admin(fresh, out)
        after = snapshot(fresh)
        assert report.nodes == {label: len(nodes) for label, nodes in before["nodes"].items()}
        assert after["nodes"] == before["nodes"]  # same ids, same properties, same types
        assert after["edges"] == before["edges"]
        welder = after["nodes"]["Persona"][build_world_ids(before)[0]]
        assert welder["labels"] == ["Trades", "Night shift; late", 'Quote "label"'] and welder["uses"] == 1
        assert welder["aliases"] == ["p_00000000000000aa", "p_00000000000000bb"] and welder["hop"] == 0
        assert after["nodes"]["Text"] and any(t["source"] == "" for t in after["nodes"]["Text"].values())
        assert {c["words"][1] for c in after["nodes"]["Cluster"].values()} == {"w0", "w1"}
        # Reading the same export again adds nothing.
        read_neo4j_admin(fresh, out)
        assert snapshot(fresh) == after
    finally:
        fresh.close()


def build_world_ids(snap: dict[str, Any]) -> list[str]:
    """Persona ids in the order of NASTY (the welder first)."""
    by_text = {props["text"]: pid for pid, props in snap["nodes"]["Persona"].items()}
    return [by_text[t] for t in NASTY if t in by_text]


def test_list_elements_holding_the_array_delimiter_are_refused(tmp_path: Path) -> None:
    from personagraph.errors import InputError
    from personagraph.export.neo4j_csv import Table

    table = Table(tmp_path / "nodes-Persona.csv", ["id:ID(Persona)", ":LABEL"], ["labels"])
    with pytest.raises(InputError, match="U\\+001F"):
        table.add([['"p_1"'], ['"Persona"']], [{"labels": ["ok", "bad\x1fvalue"]}])
    table.discard()


def test_cli_export_prints_the_command_and_import_reads_the_folder(tmp_path: Path) -> None:
    source = open_store(str(tmp_path / "source"))
    try:
        build_world(source)
        before = snapshot(source)
    finally:
        source.close()
    env = cli_env()
    out = tmp_path / "out"
    exported = run_cli(
        ["--store", str(tmp_path / "source"), "export", "graph", str(out), "--format", "neo4j-admin"], env=env, cwd=ROOT
    )
    assert exported.returncode == 0, exported.stderr
    assert (
        "neo4j-admin database import full neo4j" in exported.stdout
        and "--nodes=Persona=nodes-Persona.csv" in exported.stdout
    )
    assert "wrote 15 nodes and 13 relationships" in exported.stdout
    imported = run_cli(["--store", str(tmp_path / "copy"), "import", str(out)], env=env, cwd=ROOT)
    assert imported.returncode == 0, imported.stderr
    assert "15 nodes" in imported.stdout and "13 relationships" in imported.stdout
    copy = open_store(str(tmp_path / "copy"))
    try:
        assert snapshot(copy) == before
    finally:
        copy.close()


def test_reader_reports_a_bad_value_with_file_and_row(tmp_path: Path) -> None:
    from personagraph.errors import MalformedInputError

    out = tmp_path / "bad"
    out.mkdir()
    (out / "import.sh").write_text(
        "#!/bin/sh\nneo4j-admin database import full neo4j --nodes=Persona=nodes-Persona.csv\n"
    )
    (out / "nodes-Persona.csv").write_text(
        'id:ID(Persona),:LABEL,hop:int,text:string\n"p_1","Persona",1,"a"\n"p_2","Persona",x,"b"\n'
    )
    store = open_store(str(tmp_path / "s"))
    try:
        with pytest.raises(MalformedInputError, match=r"nodes-Persona.csv:3:"):
            read_neo4j_admin(store, out)
    finally:
        store.close()
