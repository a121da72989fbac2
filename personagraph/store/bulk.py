"""Idempotent batched writes for imports, on either executor.

Embedded ArcadeDB declares the ``bulk_load`` capability: rows go through its batch API (``arcade_bulk``), with
existing ids and edges filtered out first. Any other executor (Bolt: Neo4j, ArcadeDB's server)
gets Cypher ``UNWIND … MERGE`` in chunks of ``CYPHER_CHUNK`` rows, one transaction each.
Either way a node whose content id is already in the graph is left as it is, and an edge
(src, type, dst) is never made twice.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from personagraph.models import now_iso
from personagraph.runtime import checkpoint
from personagraph.store.base import EdgeCounts, Row

if TYPE_CHECKING:
    from personagraph.store.graph import GraphStore

RelationRow = tuple[str, str, str, dict[str, Any]]  # (src persona id, dst persona id, type, edge properties)
RunNamed = Callable[..., list[Row]]  # GraphStore.run, or Transaction.run to write inside one transaction

# Rows per Cypher transaction: ~2,000 kept the Bolt server busiest here (ARCADEDB.md), and a
# chunk of personas stays far below the 16 MB Bolt message limit.
CYPHER_CHUNK = 2000


def _chunks(rows: list[Any], size: int) -> list[list[Any]]:
    return [rows[i : i + size] for i in range(0, len(rows), size)]


class BulkWriter:
    """Writes import batches; ``store.bulk`` holds one per store."""

    def __init__(self, store: GraphStore) -> None:
        self.store = store
        self.loader = store.bulk_loader()

    @property
    def path(self) -> str:
        """Which write path this store uses: ``batch-api`` or ``cypher``."""
        return "batch-api" if self.loader is not None else "cypher"

    def nodes(self, label: str, rows: list[Row], run: RunNamed | None = None) -> int:
        """Create the ``label`` rows (``id`` plus properties) whose id is new; returns how many.
        ``run``: the Cypher path's queries go through it (a transaction's ``run``) when given."""
        self.store.ensure_schema()
        now = now_iso()
        if self.loader is not None:
            for row in rows:
                row.setdefault("created_at", now)
            return self.loader.add_nodes(label, rows)
        query = {"Persona": "merge_personas", "Text": "merge_texts"}[label]
        created = 0
        for chunk in _chunks(rows, CYPHER_CHUNK):
            fresh: dict[str, Row] = {}
            for row in chunk:
                fresh.setdefault(row["id"], row)
            batch = [{"id": i, "props": {k: v for k, v in row.items() if k != "id"}} for i, row in fresh.items()]
            result = (run or self.store.run)(query, rows=batch, now=now)
            checkpoint("cypher_chunk")
            created += int(result[0]["created"] or 0) if result else 0
        return created

    def relations(self, rows: list[RelationRow], run: RunNamed | None = None) -> EdgeCounts:
        """Create the typed edges that are not in the graph yet, between personas given by id
        (``run`` as in ``nodes``)."""
        self.store.ensure_schema()
        for rel_type in dict.fromkeys(row[2] for row in rows):  # a few types, on many rows
            self.store.vocabulary.check(rel_type)
        if self.loader is not None:
            return self.loader.add_edges(rows)
        counts = EdgeCounts()
        by_type: dict[str, dict[tuple[str, str], list[Any]]] = {}
        for src, dst, rel_type, props in rows:
            # Equal rows are merged here: MERGE within one UNWIND would count each as new.
            entry = by_type.setdefault(rel_type, {}).setdefault((src, dst), [0, props])
            entry[0] += 1
        for rel_type, pairs in by_type.items():
            keys = list(pairs)
            for chunk in _chunks(keys, CYPHER_CHUNK):
                batch = [{"src": s, "dst": d, "props": pairs[(s, d)][1]} for s, d in chunk]
                for row in (run or self.store.run)("create_missing_relations", rel_type=rel_type, rows=batch):
                    counts.matched += pairs[(row["src"], row["dst"])][0]
                    counts.created += 1 if row["created"] else 0
                checkpoint("cypher_chunk")
        counts.unmatched = len(rows) - counts.matched
        return counts
