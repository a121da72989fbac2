"""Read-only queries on both stores: nothing a read-only query does may change data or schema."""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from personagraph.errors import QueryError, ReadOnlyError
from personagraph.models import Persona, Relation
from personagraph.store import GraphStore
from personagraph.store.schema_watch import schema_changes, schema_of
from tests.cypher_strategies import WRITES, disguised_writes, harmless_reads

ON_STORE = settings(
    max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow]
)


def _world(store: GraphStore) -> None:
    people = [Persona(text=f"A lighthouse keeper number {i} who paints gulls") for i in range(4)]
    store.upsert_personas(people)
    store.add_relations([Relation(src=people[i].id, dst=people[i + 1].id, type="COLLEAGUE") for i in range(3)])


def _state(store: GraphStore) -> dict[str, Any]:
    """Data and schema, read with the package's own queries and plain reads."""
    schema = schema_of(store)
    return {
        "nodes": store.cypher("MATCH (n) RETURN count(n) AS n")[0]["n"],
        "edges": store.cypher("MATCH ()-[r]->() RETURN count(r) AS n")[0]["n"],
        "texts": sorted(row["t"] for row in store.cypher("MATCH (p:Persona) RETURN p.text AS t")),
        "labels": schema.labels,
        "types": schema.types,
        "indexes": schema.indexes,
        "constraints": schema.constraints,
    }


# The probe of issue #15, verbatim, and the write procedures it named.
PROBE = [
    "CALL do.when(true, 'DROP CONSTRAINT persona_id', '', {}) YIELD value RETURN value",
    "WITH '//' AS a CREATE (:Marker)",
    "WITH '//' AS a LOAD CSV FROM 'file:///etc/hostname' AS row RETURN row",
    "MATCH (p:Persona) WITH collect(p) AS ps CALL refactor.mergeNodes(ps, {}) YIELD node RETURN node",
    "CALL do.when(true, 'DROP INDEX persona_hop', '', {}) YIELD value RETURN value",
    "CALL do.when(true, 'CREATE CONSTRAINT probe_x FOR (m:Marker) REQUIRE m.x IS UNIQUE', '', {}) YIELD value RETURN value",
]


@pytest.mark.parametrize("cypher", PROBE)
def test_the_probe_is_refused_and_changes_nothing(store: GraphStore, cypher: str) -> None:
    _world(store)
    before = _state(store)
    assert "persona_id" in {entry[0] for entry in before["constraints"]}
    with pytest.raises(ReadOnlyError, match="nothing was changed"):
        store.cypher(cypher)
    assert _state(store) == before  # data, labels, types, indexes and constraints


@pytest.mark.parametrize("cypher", WRITES)
def test_every_write_runs_with_write_and_is_refused_without(store: GraphStore, cypher: str) -> None:
    """The statements the property tests disguise are refused plain, and the guard names what it found."""
    with pytest.raises(ReadOnlyError) as info:
        store.cypher(cypher)
    assert "write=True" in str(info.value)


@ON_STORE
@given(cypher=disguised_writes())
def test_disguised_writes_change_nothing(store: GraphStore, cypher: str) -> None:
    if store.count("Persona") == 0:
        _world(store)
    before = _state(store)
    with pytest.raises(ReadOnlyError):
        store.cypher(cypher)
    assert _state(store) == before


@ON_STORE
@given(cypher=harmless_reads())
def test_write_text_in_strings_comments_and_names_is_a_harmless_read(store: GraphStore, cypher: str) -> None:
    if store.count("Persona") == 0:
        _world(store)
    before = _state(store)
    rows = store.cypher(cypher)
    assert len(rows) == 1
    assert _state(store) == before


@ON_STORE
@given(text=st.text(max_size=60))
def test_any_string_comes_back_as_it_went_in(store: GraphStore, text: str) -> None:
    """The guard and the server split strings the same way: the literal's value is the text."""
    escaped = text.replace("\\", "\\\\").replace("'", "\\'")
    try:
        rows = store.cypher(f"RETURN '{escaped}' AS t")
    except QueryError:  # a character the server's lexer refuses (a lone surrogate, …) is not the guard's concern
        return
    assert rows == [{"t": text}]


@pytest.mark.parametrize(
    "cypher",
    [
        "CALL db.labels() YIELD label RETURN label",
        "CALL db.relationshipTypes() YIELD relationshipType RETURN relationshipType",
        "CALL db.schema.visualization()",
        "SHOW INDEXES YIELD name RETURN name",
        "MATCH (p:Persona) RETURN p.set AS s, p.`delete` AS d, $create AS c",
        "MATCH path = (start:Persona)-[:COLLEAGUE]->(stop) RETURN count(path) AS n",
    ],
)
def test_read_procedures_and_names_that_look_like_keywords_run(store: GraphStore, cypher: str) -> None:
    _world(store)
    rows = store.cypher(cypher, {"create": 1})
    assert rows


def test_the_server_reads_escapes_as_the_guard_does(store: GraphStore) -> None:
    """What the guard takes for one string or one name, the server does too."""
    rows = store.cypher("RETURN 'a\\' CREATE (n) //' AS s, \"b\\\" x\" AS d, 1 AS `c``d`")
    assert rows == [{"s": "a' CREATE (n) //", "d": 'b" x', "c`d": 1}]


def test_a_schema_change_is_seen_and_the_schema_restored(store: GraphStore) -> None:
    """The last lock, seen working: a change made meanwhile is named, and restore_schema re-applies."""
    before = schema_of(store)
    store.cypher("DROP INDEX persona_hop", write=True)
    # Its own label: a label stays in ArcadeDB's schema once made, and the probes above, on the same
    # Bolt server in whatever order the workers run them, compare schemas that must not hold it.
    store.cypher("CREATE (:SchemaWatchProbe)", write=True)
    changes = schema_changes(before, schema_of(store))
    assert "index persona_hop dropped" in changes and "label SchemaWatchProbe added" in changes
    store.restore_schema()
    after = schema_of(store)
    assert after.indexes == before.indexes and after.constraints == before.constraints
