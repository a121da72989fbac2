"""`export graph` (JSONL, Parquet, GraphML) keeps every property of every node and edge, and
`personagraph import` reads the folder back: export → import → export gives identical files.

The graph is the neo4j-admin test's world (aliases, FinePersonas labels, texts, samples, a batch,
clusters, a dedup run and their edges) plus properties nobody planned for: a source id, a list
attribute, a bool, a float, and a column whose values mix kinds.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from personagraph.config import Settings
from personagraph.export.graph_files import export_graph
from personagraph.export.graph_read import read_graph_export
from personagraph.store import GraphStore, open_store
from tests.cli_in_process import run_cli
from tests.conftest import ROOT, cli_env
from tests.integration.neo4j_admin_world import build_world
from tests.integration.test_neo4j_admin import snapshot

FORMATS = ["jsonl", "parquet", "graphml"]


def build_rich_world(store: GraphStore) -> dict[str, Any]:
    ids = build_world(store)
    people = ids["personas"]
    store.cypher(
        "MATCH (p:Persona {id: $a}) SET p.source_id = 'fp-000123', p.attributes = ['tall', 'left-handed'], "
        "p.verified = true, p.score = 0.75, p.mixed = 1",
        {"a": people[0]},
        write=True,
    )
    store.cypher("MATCH (p:Persona {id: $b}) SET p.mixed = 'one', p.empty = ''", {"b": people[1]}, write=True)
    return ids


def files_of(folder: Path) -> dict[str, bytes]:
    return {path.name: path.read_bytes() for path in sorted(folder.iterdir())}


def fresh_store(path: Path) -> GraphStore:
    return open_store(str(path), Settings(store=str(path)))


@pytest.mark.parametrize("fmt", FORMATS)
def test_export_import_export_gives_identical_files(store: GraphStore, tmp_path: Path, fmt: str) -> None:
    build_rich_world(store)
    before = snapshot(store)
    first = export_graph(store, tmp_path / "first", fmt)
    assert not first["skipped"]
    counts = first["counts"]
    assert counts["personas"] == 6 and counts["relations"] == 4 and counts["texts"] == 2
    assert counts["samples"] == 3 and counts["batches"] == 1 and counts["clusters"] == 2 and counts["dedup_runs"] == 1
    assert counts["derived_from"] == 2 and counts["used_in"] == 3 and counts["generated_by"] == 4
    copy = fresh_store(tmp_path / "copy")
    try:
        report = read_graph_export(copy, tmp_path / "first")
        assert report.nodes["Persona"] == 6 and report.relationships["GENERATED_BY"] == 4
        after = snapshot(copy)
        assert after["nodes"] == before["nodes"]  # same ids, every property, same types
        assert after["edges"] == before["edges"]
        welder = next(p for p in after["nodes"]["Persona"].values() if p.get("source_id"))
        assert welder["attributes"] == ["tall", "left-handed"] and welder["verified"] is True
        assert welder["score"] == 0.75 and welder["mixed"] == 1 and len(welder["aliases"]) == 2
        assert welder["labels"][0] == "Trades" and welder["created_at"]
        assert {p.get("mixed") for p in after["nodes"]["Persona"].values()} == {1, "one", None}
        export_graph(copy, tmp_path / "second", fmt)
        read_graph_export(copy, tmp_path / "first")  # reading it again adds nothing
        assert snapshot(copy) == after
    finally:
        copy.close()
    assert files_of(tmp_path / "first") == files_of(tmp_path / "second")


def test_jsonl_rows_carry_every_property(embedded_store: GraphStore, tmp_path: Path) -> None:
    build_rich_world(embedded_store)
    embedded_store.cypher("CREATE (:Marker {at: 1})", write=True)  # a kind no file holds is said, not hidden
    notes: list[str] = []
    result = export_graph(embedded_store, tmp_path / "out", "jsonl", note=notes.append)
    assert result["skipped"] == ["1 nodes with a label export graph does not write"] and len(notes) == 1
    people = [json.loads(line) for line in (tmp_path / "out" / "personas.jsonl").read_text().splitlines()]
    welder = next(p for p in people if "source_id" in p)
    assert next(iter(welder)) == "id" and {"aliases", "alias_texts", "labels", "created_at", "attributes"} <= set(
        welder
    )
    manifest = json.loads((tmp_path / "out" / "export.json").read_text())
    assert [k["stem"] for k in manifest["kinds"]][:2] == ["personas", "texts"] and manifest["data"] == "jsonl"


def test_parquet_types_and_datasets(embedded_store: GraphStore, tmp_path: Path) -> None:
    import pyarrow.parquet as pq

    build_rich_world(embedded_store)
    export_graph(embedded_store, tmp_path / "out", "parquet")
    table = pq.read_table(tmp_path / "out" / "personas.parquet")
    types = {field.name: str(field.type) for field in table.schema}
    assert (
        types["hop"] == "int64"
        and types["labels"].startswith("list<")
        and "string" in types["labels"]
        and types["verified"] == "bool"
    )
    assert types["score"] == "double" and types["mixed"] == "string"  # mixed kinds: JSON text, named in the metadata
    assert json.loads(table.schema.metadata[b"personagraph"])["json_columns"] == ["mixed"]


def test_graphml_parses_with_networkx(embedded_store: GraphStore, tmp_path: Path) -> None:
    import networkx as nx

    ids = build_rich_world(embedded_store)
    export_graph(embedded_store, tmp_path / "out", "graphml")
    graph = nx.read_graphml(tmp_path / "out" / "graph.graphml", force_multigraph=True)
    welder = graph.nodes[ids["personas"][0]]
    assert welder[":label"] == "Persona" and welder["verified"] is True and welder["score"] == 0.75
    assert json.loads(welder["labels"])[0] == "Trades"  # lists as JSON text
    assert graph.nodes["Cluster:1"]["label"] == "cluster 1"
    types = sorted(d["type"] for _, _, d in graph.edges(data=True))
    assert types.count("GENERATED_BY") == 4 and types.count("COLLEAGUE") == 2
    assert "\r\n" in next(d["text"] for _, d in graph.nodes(data=True) if "CRLF" in d.get("text", ""))


def test_xml_forbidden_characters_dropped(embedded_store: GraphStore, tmp_path: Path) -> None:
    import networkx as nx

    from personagraph.models import Persona

    nasty = "A hacker \x1b[31mred\x1b[0m with a NUL\x00 and \x0b vertical tab\ufffe"
    embedded_store.upsert_personas([Persona(text=nasty)])
    export_graph(embedded_store, tmp_path / "out", "graphml")
    graph = nx.read_graphml(tmp_path / "out" / "graph.graphml")
    (text,) = [d["text"] for _, d in graph.nodes(data=True)]
    assert text == "A hacker [31mred[0m with a NUL and  vertical tab"


def test_cli_round_trip_through_import(tmp_path: Path) -> None:
    """`personagraph export graph` then `personagraph import FOLDER` on another store."""
    store = fresh_store(tmp_path / "store")
    try:
        build_rich_world(store)
        before = snapshot(store)
    finally:
        store.close()
    env = cli_env(PERSONAGRAPH_JVM_HEAP="1g")
    # In process (tests/cli_in_process.py): the same command line, without a JVM start per command.
    done = run_cli(
        ["--store", str(tmp_path / "store"), "export", "graph", str(tmp_path / "out"), "--format", "parquet"],
        env=env,
        cwd=ROOT,
    )
    assert done.returncode == 0, done.stderr
    assert "wrote 6 personas and 4 relations (2 texts, 3 samples" in done.stdout
    done = run_cli(["--store", str(tmp_path / "copy"), "import", str(tmp_path / "out")], env=env, cwd=ROOT)
    assert done.returncode == 0, done.stderr
    assert "nodes" in done.stdout and "from a graph export" in done.stdout
    copy = fresh_store(tmp_path / "copy")
    try:
        assert snapshot(copy) == before
    finally:
        copy.close()


def test_a_folder_of_other_files_is_refused(embedded_store: GraphStore, tmp_path: Path) -> None:
    from personagraph.errors import ConfigError

    (tmp_path / "mine").mkdir()
    (tmp_path / "mine" / "thesis.tex").write_text("keep me")
    with pytest.raises(ConfigError, match="not a PersonaGraph export"):
        export_graph(embedded_store, tmp_path / "mine", "jsonl")
    assert (tmp_path / "mine" / "thesis.tex").read_text() == "keep me"
    export_graph(embedded_store, tmp_path / "old", "jsonl")
    (tmp_path / "old" / "stale.jsonl").write_text("from an older export\n")
    export_graph(embedded_store, tmp_path / "old", "parquet")  # a previous export is replaced whole
    assert sorted(p.name for p in (tmp_path / "old").iterdir()) == [
        "export.json",
        "personas.parquet",
        "relations.parquet",
    ]
    assert not [p for p in tmp_path.iterdir() if p.name.startswith(".")]


def _export_args(store: Path, out: Path, fmt: str) -> list[str]:
    return ["--store", str(store), "export", "graph", str(out), "--format", fmt]


@pytest.mark.subprocess  # a CLI process killed mid-export
@pytest.mark.parametrize("fmt", ["jsonl", "neo4j-admin"])
def test_a_killed_export_leaves_the_previous_one_intact(tmp_path: Path, fmt: str) -> None:
    """SIGKILL the child while it writes its hidden folder: the previous export stays byte for byte."""
    import signal

    from personagraph.ids import persona_id
    from personagraph.runtime import KILL_ENV

    path = tmp_path / "store"
    store = fresh_store(path)
    try:
        build_rich_world(store)
    finally:
        store.close()
    env = cli_env(PERSONAGRAPH_JVM_HEAP="1g")
    out = tmp_path / "out"
    # Only the export to kill is a process of its own; the two around it run in this process.
    done = run_cli(_export_args(path, out, fmt), env=env, cwd=ROOT)
    assert done.returncode == 0, done.stderr
    previous = files_of(out)
    store = fresh_store(path)
    try:  # new personas, so the export after the kill differs from the first
        texts = [f"A generated persona number {n} who keeps bees" for n in range(50)]
        store.bulk_upsert_personas(
            [{"id": persona_id(t), "text": t, "origin": "import", "hop": 0, "uses": 0} for t in texts]
        )
    finally:
        store.close()
    # Killed by the crash harness's kill point at its third page read, at the same place every run (a timed
    # kill needed 8,000 more personas, ~37 s of CPU a case, to be sure to land): the hidden folder then holds
    # part of an export (JSONL: personas and texts written, samples begun; neo4j-admin: three node files begun).
    child = subprocess.run(
        [sys.executable, "-m", "personagraph", *_export_args(path, out, fmt)],
        capture_output=True,
        env={**env, KILL_ENV: "read_page:3"},
        cwd=ROOT,
        timeout=300,
    )
    assert child.returncode == -signal.SIGKILL, child.stderr
    work = [p for p in tmp_path.iterdir() if p.name.startswith(".out.tmp-")]
    assert len(work) == 1 and any(work[0].iterdir()), "the export was killed before it wrote anything"
    assert files_of(out) == previous  # nothing half-written, nothing mixed
    done = run_cli(_export_args(path, out, fmt), env=env, cwd=ROOT)
    assert done.returncode == 0, done.stderr
    assert not work[0].exists()  # the next export removes a dead export's folder
    assert files_of(out) != previous and not [p for p in tmp_path.iterdir() if p.name.startswith(".out.")]
