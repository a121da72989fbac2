"""The embedded batch-API load path: same graph as Cypher MERGE, idempotent, Cypher works on it after."""

from __future__ import annotations

import json
import random
from pathlib import Path

from personagraph.config import Settings
from personagraph.ids import persona_id
from personagraph.ingest.importer import import_file
from personagraph.models import Persona, Relation
from personagraph.store import GraphStore, open_store
from personagraph.store.arcade_bulk import index_for
from personagraph.store.bulk import EdgeGroups
from personagraph.vocabulary import DEFAULT_RELATIONS, Vocabulary


def world(n: int = 120, m: int = 400, seed: int = 1) -> tuple[list[str], list[tuple[str, str, str]]]:
    """Random personas and relations; a few relations are self-loops, so imports here allow them."""
    rng = random.Random(seed)
    texts = [
        f"A {rng.choice(['quiet', 'loud', 'tired'])} {rng.choice(['nurse', 'welder', 'coach'])} number {i}"
        for i in range(n)
    ]
    rels = [(texts[rng.randrange(n)], texts[rng.randrange(n)], rng.choice(DEFAULT_RELATIONS)) for _ in range(m)]
    return texts, rels


def write(tmp_path: Path, texts: list[str], rels: list[tuple[str, str, str]]) -> tuple[Path, Path]:
    people, relations = tmp_path / "people.jsonl", tmp_path / "rels.jsonl"
    people.write_text("".join(json.dumps({"persona": t}) + "\n" for t in texts))
    relations.write_text(
        "".join(
            json.dumps({"src": persona_id(a), "dst": persona_id(b), "type": t, "run": "w1"}) + "\n" for a, b, t in rels
        )
    )
    return people, relations


def snapshot(store: GraphStore) -> tuple[list[dict[str, object]], list[dict[str, object]]]:
    people = store.cypher(
        "MATCH (p:Persona) RETURN p.id AS id, p.text AS text, p.origin AS origin, p.hop AS hop, p.uses AS uses ORDER BY id"
    )
    rels = store.cypher(
        "MATCH (a:Persona)-[r]->(b:Persona) RETURN a.id AS a, type(r) AS t, b.id AS b, r.run AS run ORDER BY a, t, b"
    )
    return people, rels


def test_batch_api_builds_the_same_graph_as_cypher_merge(embedded_store: GraphStore, tmp_path: Path) -> None:
    texts, rels = world()
    people, relations = write(tmp_path, texts, rels)
    report_p = import_file(embedded_store, people, batch_size=50)
    report_r = import_file(embedded_store, relations, batch_size=70, self_loops=True)
    assert report_p.write_path == "batch-api"
    distinct = {(persona_id(a), persona_id(b), t) for a, b, t in rels}
    assert (report_r.relations, report_r.relations_new) == (len(rels), len(distinct))

    cypher_store = open_store(str(tmp_path / "cypher"), Settings(store=str(tmp_path / "cypher")))
    try:
        cypher_store.upsert_personas([Persona(text=t) for t in texts], batch_size=50)
        cypher_store.add_relations(
            [Relation(src=persona_id(a), dst=persona_id(b), type=t, props={"run": "w1"}) for a, b, t in rels]
        )
        assert snapshot(embedded_store) == snapshot(cypher_store)
        # Queries that walk edges from either end, use the hop index, or count patterns agree too.
        queries = [
            ("MATCH (p:Persona) WHERE p.hop = 0 RETURN count(p) AS n", {}),
            ("MATCH (p:Persona {id: $id})<-[r]-(q:Persona) RETURN count(r) AS n", {"id": persona_id(texts[3])}),
            (
                "MATCH (p:Persona {id: $id})-[r]-(q:Persona) RETURN q.id AS q, type(r) AS t ORDER BY q, t",
                {"id": persona_id(texts[5])},
            ),
            ("MATCH (p:Persona) RETURN COUNT { (p)<--(:Persona) } AS indeg, count(*) AS n ORDER BY indeg", {}),
            (
                "MATCH p = shortestPath((a:Persona {id: $a})-[*..6]-(b:Persona {id: $b})) RETURN length(p) AS hops",
                {"a": persona_id(texts[0]), "b": persona_id(texts[1])},
            ),
        ]
        for query, params in queries:
            assert embedded_store.cypher(query, params) == cypher_store.cypher(query, params), query
        assert embedded_store.stats() == cypher_store.stats()
    finally:
        cypher_store.close()


def test_reimport_in_a_new_process_state_looks_up_then_scans(tmp_path: Path) -> None:
    texts, rels = world(n=200, m=300, seed=2)
    people, relations = write(tmp_path, texts, rels)
    folder = str(tmp_path / "store")
    store = open_store(folder, Settings(store=folder))
    import_file(store, people)
    import_file(store, relations, self_loops=True)
    before = snapshot(store)
    store.close()  # forgets what the bulk loader knew, as a new process would

    store = open_store(folder, Settings(store=folder))
    try:
        index = index_for(store.executor.path)  # type: ignore[attr-defined]
        few = tmp_path / "few.jsonl"
        few.write_text(
            "".join(json.dumps({"src": persona_id(a), "dst": persona_id(b), "type": t}) + "\n" for a, b, t in rels[:3])
        )
        report = import_file(store, few, self_loops=True)  # 3 lookups: below the scan threshold
        assert (report.relations, report.relations_new) == (3, 0)
        assert not index.nodes["Persona"].complete and not any(state.complete for state in index.edges.values())
        report = import_file(store, relations, self_loops=True)  # the whole file: cheaper to scan once
        assert (report.relations, report.relations_new) == (len(rels), 0)
        assert index.nodes["Persona"].complete
        assert import_file(store, people).personas_new == 0
        assert snapshot(store) == before
    finally:
        store.close()


def test_edges_known_as_sorted_arrays_skip_the_same_edges(embedded_store: GraphStore, tmp_path: Path) -> None:
    # The loader's memory of written edges compacts at 1M pairs a type; here at 12, in runs of 5,
    # so most of what it knows is in sorted arrays of RID codes parsed from the engine's own RIDs.
    index_for(embedded_store.executor.path).pair_sizes = (5, 12)  # type: ignore[attr-defined]
    texts, rels = world(n=60, m=500, seed=4)
    rels += rels[::7]  # the same relations again, later in the file
    people, relations = write(tmp_path, texts, rels)
    import_file(embedded_store, people)
    report = import_file(embedded_store, relations, batch_size=40, self_loops=True)
    distinct = {(persona_id(a), persona_id(b), t) for a, b, t in rels}
    assert (report.relations, report.relations_new) == (len(rels), len(distinct))
    index = index_for(embedded_store.executor.path)  # type: ignore[attr-defined]
    assert sum(state.members.nbytes for state in index.edges.values()) > 0  # type: ignore[union-attr]
    assert import_file(embedded_store, relations, batch_size=40, self_loops=True).relations_new == 0
    assert len(snapshot(embedded_store)[1]) == len(distinct)


def test_a_cypher_write_makes_the_loader_forget(embedded_store: GraphStore, tmp_path: Path) -> None:
    texts, rels = world(n=30, m=40, seed=3)
    people, relations = write(tmp_path, texts, rels)
    import_file(embedded_store, people)
    import_file(embedded_store, relations, self_loops=True)
    victim = persona_id(texts[0])
    embedded_store.cypher("MATCH (p:Persona {id: $id}) DETACH DELETE p", {"id": victim}, write=True)
    embedded_store.cypher("MATCH ()-[r:RIVAL]->() DELETE r", write=True)
    assert import_file(embedded_store, people).personas_new == 1
    report = import_file(embedded_store, relations, self_loops=True)
    lost = {
        (persona_id(a), persona_id(b), t)
        for a, b, t in rels
        if t == "RIVAL" or victim in (persona_id(a), persona_id(b))
    }
    assert report.relations_new == len(lost)
    assert len(snapshot(embedded_store)[1]) == len({(persona_id(a), persona_id(b), t) for a, b, t in rels})


def test_bulk_api_on_the_store(store: GraphStore) -> None:
    rows = [
        {"id": persona_id(t), "text": t, "origin": "import", "hop": 0, "uses": 0}
        for t in ("A diver", "A pilot", "A diver")
    ]
    assert store.bulk_upsert_personas(rows) == 2
    assert store.bulk_upsert_personas(rows[:1]) == 0
    edge = (persona_id("A diver"), persona_id("A pilot"), "FRIEND_OF", {"run": "api"})
    counts = store.bulk_add_relations(
        [edge, edge, (persona_id("A diver"), persona_id("nobody"), "RIVAL", {"run": "api"})]
    )
    assert (counts.matched, counts.created, counts.unmatched) == (2, 1, 1)
    assert store.bulk_add_relations([edge]).created == 0
    row = store.cypher("MATCH (:Persona)-[r:FRIEND_OF]->(:Persona) RETURN r.run AS run, count(r) AS n")
    assert row == [{"run": "api", "n": 1}]
    assert store.persona(persona_id("A diver"))["text"] == "A diver"  # type: ignore[index]


def test_the_installed_binding_takes_the_bridge(embedded_store: GraphStore) -> None:
    """The bridge leans on private names of arcadedb-embedded: on the pinned binding they are there
    (an upgrade that drops them falls back to the wrapper's slower path, and fails this test)."""
    from personagraph.store.arcade_json import bridge

    a, b = persona_id("A bridge keeper"), persona_id("A bridge builder")
    texts = ((a, "A bridge keeper"), (b, "A bridge builder"))
    before = dict(bridge.calls)
    assert (
        embedded_store.bulk_upsert_personas([{"id": i, "text": t, "origin": "import", "hop": 0} for i, t in texts]) == 2
    )
    assert embedded_store.bulk_add_relations([(a, b, "RIVAL", {"run": "bridge"})]).created == 1
    assert bridge.calls["bridge"] >= before["bridge"] + 2  # a vertex chunk and an edge chunk
    assert bridge.calls["wrapper"] == before["wrapper"]
    assert embedded_store.cypher("MATCH (:Persona {id: $a})-[r:RIVAL]->(b) RETURN b.id AS b", {"a": a}) == [{"b": b}]


def test_rows_orjson_cannot_carry_take_the_wrappers_path(embedded_store: GraphStore) -> None:
    """The bridge path (orjson) and the wrapper's path, in one batch, store every value as given:
    a list, a non-finite float, and an edge property named like the bridge's keys."""
    plain, listed, odd = (persona_id(t) for t in ("A plain baker", "A listed baker", "An odd baker"))
    rows = [
        {"id": plain, "text": "A plain baker é", "origin": "import", "hop": 2, "uses": 0, "score": 0.5, "big": 2**62},
        {"id": listed, "text": "A listed baker", "origin": "import", "hop": 0, "uses": 0, "labels": ["a", "b"]},
        {"id": odd, "text": "An odd baker", "origin": "import", "hop": 0, "uses": 0, "score": float("inf")},
    ]
    assert embedded_store.bulk_upsert_personas(rows) == 3
    counts = embedded_store.bulk_add_relations(
        [
            (plain, listed, "RIVAL", {"run": "r", "w": 2.5, "n": 3, "ok": True}),
            (listed, odd, "RIVAL", {"_src": "a property", "run": "r"}),
            (odd, plain, "RIVAL", {"run": "r", "w": float("nan")}),
        ]
    )
    assert (counts.matched, counts.created, counts.unmatched) == (3, 3, 0)
    got = {
        row["id"]: row
        for row in embedded_store.cypher(
            "MATCH (p:Persona) RETURN p.id AS id, p.text AS text, p.hop AS hop, p.score AS score, p.big AS big, "
            "p.labels AS labels"
        )
    }
    assert (got[plain]["text"], got[plain]["hop"], got[plain]["score"], got[plain]["big"]) == (
        "A plain baker é",
        2,
        0.5,
        2**62,
    )
    assert list(got[listed]["labels"]) == ["a", "b"]  # type: ignore[call-overload]
    assert got[odd]["score"] == float("inf")
    edges = embedded_store.cypher("MATCH (a)-[e:RIVAL]->(b) RETURN a.id AS a, properties(e) AS p")
    props = {row["a"]: row["p"] for row in edges}
    assert props[plain] == {"run": "r", "w": 2.5, "n": 3, "ok": True}
    assert props[listed] == {"_src": "a property", "run": "r"}
    assert props[odd]["run"] == "r" and props[odd]["w"] != props[odd]["w"]  # type: ignore[index]  # NaN, not null


def test_personas_presolved_ahead_are_written_from_their_json(embedded_store: GraphStore) -> None:
    """The importer's reading thread encodes a batch of personas (``presolve_nodes``); the writer
    hands that JSON over when every id is new, text beyond ASCII included (it crosses as bytes), and
    takes the row-by-row path when an id is in the graph, repeats, or a value needs the wrapper."""
    from personagraph.store.arcade_json import bridge

    texts = ["A baker é", "A tea master 茶道", "A nurse 🧑‍⚕️", 'A "quoted" back\\slash', "Line\u2028separator"]
    rows = [{"id": persona_id(t), "text": t, "origin": "import", "hop": 0, "uses": 0} for t in texts]
    ready = embedded_store.bulk.presolve_nodes([dict(r) for r in rows])
    assert getattr(ready, "encoded", None) is not None and all("created_at" in r for r in ready)
    before = bridge.calls["bridge"]
    assert embedded_store.bulk.nodes("Persona", ready) == len(texts)
    assert bridge.calls["bridge"] == before + 1
    got = embedded_store.cypher("MATCH (p:Persona) RETURN p.id AS id, p.text AS text, p.created_at AS at")
    assert {r["id"]: r["text"] for r in got} == {r["id"]: r["text"] for r in rows}
    assert all(r["at"] for r in got)

    # One id already in the graph: the others are written, that one is left as it is.
    fresh = {"id": persona_id("A cooper"), "text": "A cooper", "origin": "import", "hop": 0, "uses": 0}
    again = embedded_store.bulk.presolve_nodes([dict(rows[0], text="changed"), fresh])
    assert embedded_store.bulk.nodes("Persona", again) == 1
    # An id twice in one batch (the first row wins), and a list value (the wrapper's path).
    twice = [
        {"id": persona_id("A mason"), "text": "A mason", "origin": "import", "hop": 0, "uses": 0},
        {"id": persona_id("A mason"), "text": "A mason, again", "origin": "import", "hop": 0, "uses": 0},
        {"id": persona_id("A smith"), "text": "A smith", "origin": "import", "hop": 0, "uses": 0, "labels": ["x"]},
    ]
    presolved = embedded_store.bulk.presolve_nodes(twice)
    assert getattr(presolved, "encoded", "none") is None
    assert embedded_store.bulk.nodes("Persona", presolved) == 2
    got = {
        r["id"]: (r["text"], r["labels"])
        for r in embedded_store.cypher("MATCH (p:Persona) RETURN p.id AS id, p.text AS text, p.labels AS labels")
    }
    assert len(got) == len(texts) + 3
    assert got[rows[0]["id"]][0] == "A baker é" and got[persona_id("A mason")][0] == "A mason"
    assert list(got[persona_id("A smith")][1]) == ["x"]  # type: ignore[call-overload]


def test_ends_resolved_ahead_are_not_used_after_a_cypher_write(embedded_store: GraphStore) -> None:
    """The reading thread resolves ends to RIDs ahead of the write (``presolve``); a Cypher write
    in between (here: a persona deleted) voids that, so the edge to it is unmatched, not made."""
    a, b, c = (persona_id(t) for t in ("A farrier", "A cooper", "A chandler"))
    rows = [
        {"id": i, "text": t, "origin": "import", "hop": 0, "uses": 0}
        for i, t in zip((a, b, c), ("A farrier", "A cooper", "A chandler"), strict=True)
    ]
    assert embedded_store.bulk_upsert_personas(rows) == 3
    groups = EdgeGroups.of(
        [(a, b, "RIVAL", {"run": "r"}), (a, c, "RIVAL", {"run": "r"}), (a, b, "RIVAL", {"run": "s"})]
    )
    embedded_store.bulk.presolve(groups)
    assert sum(len(rids) for _, rids, _, _ in groups.presolved.values()) == 2  # both edges resolved ahead
    embedded_store.cypher("MATCH (p:Persona {id: $id}) DETACH DELETE p", params={"id": c}, write=True)
    counts = embedded_store.bulk.relations(groups)
    assert (counts.matched, counts.created, counts.unmatched) == (2, 1, 1)
    assert embedded_store.cypher("MATCH (:Persona)-[r:RIVAL]->(q:Persona) RETURN q.id AS q, r.run AS run") == [
        {"q": b, "run": "r"}
    ]


def test_edge_groups_fold_count_and_remap() -> None:
    groups = EdgeGroups.of([("a", "b", "RIVAL", {"n": 1}), ("a", "b", "RIVAL", {"n": 2}), ("b", "a", "RIVAL", {})])
    assert groups.rows == 3 and groups.by_type == {"RIVAL": {("a", "b"): {"n": 1}, ("b", "a"): {}}}
    assert (groups.weight("RIVAL", "a", "b"), groups.weight("RIVAL", "b", "a")) == (2, 1)
    moved = groups.remapped({"b": "a"})  # both edges become self-loops: dropped with their rows
    assert not moved and moved.rows == 0
    moved = groups.remapped({"b": "c"})
    assert moved.rows == 3 and moved.weight("RIVAL", "a", "c") == 2 and ("c", "a") in moved.by_type["RIVAL"]


def test_relations_read_as_columns_make_the_line_by_line_graph(tmp_path: Path) -> None:
    """A relations file read in blocks of columns (``relation_columns``) gives the graph and the
    figures that the same rows read line by line give (a JSON array file is read that way): with
    blocks the columns decline (a persona named by text), a block naming that new persona and one
    not in the graph, a block of edges already written, and an inverse name."""
    from personagraph.ingest.relation_columns import relation_columns

    texts, _ = world(n=60)
    ids = [persona_id(t) for t in texts]
    rng = random.Random(3)
    block = 40
    pairs = list(dict.fromkeys((a, b) for a, b in ((rng.choice(ids), rng.choice(ids)) for _ in range(400)) if a != b))
    plain = [{"src": a, "dst": b, "type": "COLLEAGUE", "run": "r1"} for a, b in pairs[:block]]
    with_text = [{"src": a, "dst": "A lamplighter who keeps odd hours", "type": "RIVAL", "run": "r1"} for a in ids[:3]]
    with_text += [{"src": a, "dst": b, "type": "RIVAL", "run": "r1"} for a, b in pairs[block : 2 * block - 3]]
    new_id = persona_id("A lamplighter who keeps odd hours")
    mixed = [{"src": new_id, "dst": ids[5], "type": "MENTOR_OF", "run": "r2"}]
    mixed += [{"src": "p_0123456789abcdef", "dst": ids[6], "type": "MENTOR_OF", "run": "r2"}]  # not in the graph
    mixed += [{"src": a, "dst": b, "type": "FRIEND", "run": "r2"} for a, b in pairs[2 * block : 3 * block - 2]]
    again = [dict(row, run="r3") for row in plain[: block // 2]] + [
        {"src": a, "dst": b, "type": "CARES_FOR", "run": "r3"} for a, b in pairs[3 * block : 3 * block + block // 2]
    ]
    rows = plain + with_text + mixed + again
    lines = [json.dumps(row) + "\n" for row in rows]
    people = tmp_path / "people.jsonl"
    people.write_text("".join(json.dumps({"persona": t}) + "\n" for t in texts))
    as_lines, as_array = tmp_path / "rels.jsonl", tmp_path / "rels.json"
    as_lines.write_text("".join(lines))
    as_array.write_text(json.dumps(rows, indent=1))
    read = Vocabulary().read
    taken = [
        relation_columns("".join(lines[i : i + block]).encode(), len(lines[i : i + block]), read) is not None
        for i in range(0, len(lines), block)
    ]
    assert taken == [True, False, True, True]

    results = []
    for name, path in (("columns", as_lines), ("lines", as_array)):
        store = open_store(str(tmp_path / name), Settings(store=str(tmp_path / name)))
        try:
            import_file(store, people)
            first = import_file(store, path, batch_size=block).as_dict()
            second = import_file(store, path, batch_size=block).as_dict()
            results.append((first, second, snapshot(store)))
        finally:
            store.close()
    (first, second, graph), (first_lines, second_lines, graph_lines) = results
    figures = ("records", "personas_new", "relations", "relations_new", "relations_unmatched")
    assert [first[k] for k in figures] == [first_lines[k] for k in figures]
    assert [second[k] for k in figures] == [second_lines[k] for k in figures]
    assert first["relations_unmatched"] == 1 and first["personas_new"] == 1 and second["relations_new"] == 0
    assert graph == graph_lines
    assert {"a": new_id, "t": "MENTOR_OF", "b": ids[5], "run": "r2"} in graph[1]
    swapped = pairs[3 * block]
    assert {"a": swapped[1], "t": "PATIENT_OF", "b": swapped[0], "run": "r3"} in graph[1]
