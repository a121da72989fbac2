"""The store suite, run on embedded ArcadeDB and over Bolt with the neo4j driver."""

from __future__ import annotations

import pytest

from personagraph.errors import QueryError, ReadOnlyError, VocabularyError
from personagraph.models import Persona, Relation, SourceText
from personagraph.store import GraphStore


def _personas(n: int) -> list[Persona]:
    return [Persona(text=f"A ship welder number {i} on the night shift") for i in range(n)]


def test_upsert_is_idempotent(store: GraphStore) -> None:
    people = _personas(25)
    assert store.upsert_personas(people, batch_size=10) == 25
    assert store.upsert_personas(people, batch_size=7) == 0
    assert store.count("Persona") == 25
    row = store.persona(people[3].id)
    assert row is not None and row["text"] == people[3].text and row["hop"] == 0 and row["uses"] == 0


def test_relations_merge_and_stats(store: GraphStore) -> None:
    people = _personas(6)
    store.upsert_personas(people)
    rels = [Relation(src=people[i].id, dst=people[i + 1].id, type="COLLEAGUE", props={"run": "t"}) for i in range(5)]
    rels.append(Relation(src=people[0].id, dst=people[5].id, type="RIVAL"))
    assert store.add_relations(rels) == 6
    assert store.add_relations(rels) == 6  # matched again, created nothing
    stats = store.stats()
    assert stats["relations"] == {"COLLEAGUE": 5, "RIVAL": 1}
    assert stats["labels"]["Persona"] == 6
    assert sum(stats["degree"].values()) == 6
    assert stats["degree"] == {"2": 6}
    edges = list(store.iter_relations(batch_size=4))
    assert len(edges) == 6 and {e["type"] for e in edges} == {"COLLEAGUE", "RIVAL"}
    assert all(e["props"].get("run") == "t" for e in edges if e["type"] == "COLLEAGUE")


def test_unknown_relation_type_is_refused(store: GraphStore) -> None:
    people = _personas(2)
    store.upsert_personas(people)
    with pytest.raises(VocabularyError):
        store.add_relations([Relation(src=people[0].id, dst=people[1].id, type="ARCH_NEMESIS")])
    with pytest.raises(VocabularyError):
        store.add_relations([Relation(src=people[0].id, dst=people[1].id, type="RIVAL]->() DETACH DELETE (x")])
    assert store.stats()["relations"] == {}


def test_read_only_refuses_writes_and_changes_nothing(store: GraphStore) -> None:
    store.upsert_personas(_personas(3))
    with pytest.raises(ReadOnlyError):
        store.cypher("MATCH (p:Persona) DETACH DELETE p")
    with pytest.raises(ReadOnlyError):
        store.cypher("CREATE (:Persona {id: 'x', text: 'y'})")
    assert store.count("Persona") == 3
    # A write clause hidden in a string literal is not a write.
    rows = store.cypher("MATCH (p:Persona) WHERE p.text <> 'CREATE' RETURN count(p) AS n")
    assert rows == [{"n": 3}]


def test_syntax_error_names_query_and_position(store: GraphStore) -> None:
    with pytest.raises(QueryError) as info:
        store.cypher("MATCH (p:Persona RETURN p")
    assert "MATCH (p:Persona RETURN p" in str(info.value)
    assert "1:17" in str(info.value) or "line 1" in str(info.value).lower()


def test_constraint_violation_is_a_query_error(store: GraphStore) -> None:
    person = _personas(1)[0]
    store.upsert_personas([person])
    with pytest.raises(QueryError):
        store.cypher("CREATE (p:Persona {id: $id, text: 'dup'})", {"id": person.id}, write=True)
    assert store.count("Persona") == 1


def test_values_are_plain_python(store: GraphStore) -> None:
    people = _personas(2)
    store.upsert_personas(people)
    store.add_relations([Relation(src=people[0].id, dst=people[1].id, type="MENTOR_OF", props={"hop": 1})])
    store.cypher(
        "MATCH (p:Persona {id: $id}) SET p.embedding = $v", {"id": people[0].id, "v": [0.25] * 384}, write=True
    )
    rows = store.cypher("MATCH (a:Persona)-[r]->(b) RETURN a, r, b, a.embedding AS v")
    assert len(rows) == 1
    row = rows[0]
    assert row["a"]["_labels"] == ["Persona"] and row["a"]["id"] == people[0].id
    assert row["r"]["_type"] == "MENTOR_OF" and row["r"]["_start"] == people[0].id and row["r"]["_end"] == people[1].id
    assert row["r"]["hop"] == 1 and isinstance(row["r"]["hop"], int)
    assert isinstance(row["v"], list) and len(row["v"]) == 384 and all(isinstance(x, float) for x in row["v"])


def test_texts_and_provenance(store: GraphStore) -> None:
    text = SourceText(text="The night shift at the shipyard starts at ten.", source="examples")
    person = Persona(text="A shipyard welder who works nights", origin="text")
    assert store.upsert_texts([text]) == 1
    assert store.upsert_texts([text]) == 0
    store.upsert_personas([person])
    store.link_derived_from([{"persona": person.id, "text": text.id, "props": {"model": "m", "run": "r1"}}])
    rows = store.cypher("MATCH (p:Persona)-[d:DERIVED_FROM]->(t:Text) RETURN p.id AS p, t.id AS t, d.model AS model")
    assert rows == [{"p": person.id, "t": text.id, "model": "m"}]
