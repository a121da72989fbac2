"""What every executor provides (the read-only guard is in guard.py)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Protocol

Row = dict[str, Any]

# Capabilities an executor may declare; the package takes another path where one is missing.
BULK_LOAD = "bulk_load"  # ArcadeDB's graph_batch API (no MERGE, very fast)
VECTOR_INDEX = "vector_index"  # Neo4j 5 `db.index.vector.queryNodes`


class Executor(Protocol):
    """Runs Cypher against one database and returns plain-Python rows."""

    kind: str
    capabilities: frozenset[str]
    location: str

    def read(self, cypher: str, params: dict[str, Any], *, name: str) -> list[Row]: ...

    def write(self, cypher: str, params: dict[str, Any], *, name: str) -> list[Row]: ...

    def transaction(self, work: Callable[[Callable[[str, dict[str, Any]], list[Row]]], Any], *, name: str) -> Any:
        """Run ``work(run)`` in one write transaction; ``run(cypher, params)`` returns rows."""
        ...

    def close(self) -> None: ...


def short(cypher: str, width: int = 60) -> str:
    """One line naming an inline query in an error message."""
    flat = " ".join(cypher.split())
    return repr(flat if len(flat) <= width else flat[: width - 1] + "…")


@dataclass
class EdgeCounts:
    """What a batch of relation rows did."""

    matched: int = 0  # rows whose two ends exist: edge created now, or there already
    created: int = 0
    unmatched: int = 0  # rows with an end that is not in the graph


class BulkLoader(Protocol):
    """What an executor with ``BULK_LOAD`` offers: idempotent node and edge batches, no Cypher per row."""

    def add_nodes(self, label: str, rows: list[Row]) -> int: ...

    def add_edges(self, rows: list[tuple[str, str, str, dict[str, Any]]]) -> EdgeCounts: ...
