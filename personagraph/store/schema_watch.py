"""The schema before and after a user's read query: the read-only guard's last lock.

ArcadeDB's Bolt server does not enforce READ-mode transactions, and it applies some DDL outside
a transaction's rollback: a procedure that drops a constraint from a string argument, or a
CREATE that the engine refuses but whose new label stays (both seen in issue #15's probe). The
token guard refuses such statements before they run; this check catches whatever gets past it:
indexes, constraints, labels and relationship types are read before and after, and a read that
changed any of them is refused and the package's own schema re-applied.

What it costs (benchmarks/read_guard.py, 2,000 personas, machine at load average 22 on 2 cores,
so every figure is inflated): a read through ``GraphStore.cypher`` took 128-171 ms embedded
against 0.1-0.6 ms for the bare executor read, and 82-162 ms over Bolt against 4-6 ms. Most of
it is the eight schema reads; ``SHOW INDEXES`` (38 ms) and ``SHOW CONSTRAINTS`` (24 ms) lead. It
is paid by user queries (``query``, cast and sampling patterns), never by the package's own.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from personagraph.errors import ReadOnlyError
from personagraph.store.base import Row

if TYPE_CHECKING:
    from personagraph.store.graph import GraphStore


@dataclass(frozen=True)
class Schema:
    indexes: frozenset[tuple[Any, ...]]  # (name, type, labels or types, properties)
    constraints: frozenset[tuple[Any, ...]]
    labels: frozenset[str]
    types: frozenset[str]


def _entries(rows: list[Row]) -> frozenset[tuple[Any, ...]]:
    return frozenset(
        (row["name"], row["type"], tuple(row["labelsOrTypes"] or ()), tuple(row["properties"] or ())) for row in rows
    )


def schema_of(store: GraphStore) -> Schema:
    """Indexes, constraints, labels and relationship types, as the store reports them now."""
    return Schema(
        indexes=_entries(store.run("schema_indexes")),
        constraints=_entries(store.run("schema_constraints")),
        labels=frozenset(str(row["label"]) for row in store.run("schema_labels")),
        types=frozenset(str(row["type"]) for row in store.run("schema_relationship_types")),
    )


def schema_changes(before: Schema, after: Schema) -> list[str]:
    """What changed, one phrase each (``constraint persona_id dropped``, ``label Marker added``)."""
    changes = []
    for kind, old, new in (
        ("index", before.indexes, after.indexes),
        ("constraint", before.constraints, after.constraints),
    ):
        changes += [f"{kind} {entry[0]} dropped" for entry in sorted(old - new, key=str)]
        changes += [f"{kind} {entry[0]} added" for entry in sorted(new - old, key=str)]
    for kind, old_names, new_names in (("label", before.labels, after.labels), ("type", before.types, after.types)):
        changes += [f"{kind} {name} dropped" for name in sorted(old_names - new_names)]
        changes += [f"{kind} {name} added" for name in sorted(new_names - old_names)]
    return changes


def watched_read(store: GraphStore, read: Callable[[], list[Row]], label: str) -> list[Row]:
    """Run ``read()``; if the schema changed meanwhile, re-apply the package's and refuse."""
    before = schema_of(store)
    try:
        return read()
    finally:
        refuse_schema_change(store, before, label)


def refuse_schema_change(store: GraphStore, before: Any, label: str) -> None:
    """Refuse (after re-applying the package's schema) when the schema is no longer ``before``."""
    changes = schema_changes(before, schema_of(store))
    if changes:
        store.restore_schema()
        raise ReadOnlyError(
            f"query {label} changed the schema while running read-only ({'; '.join(changes)}); "
            "its rows are withheld and the package's indexes and constraints were re-applied",
            hint="another client may have changed the schema meanwhile; otherwise report this query",
        )
