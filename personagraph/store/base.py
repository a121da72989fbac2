"""What every executor provides (the read-only guard is in guard.py)."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Protocol

Row = dict[str, Any]
Run = Callable[[str, dict[str, Any]], list[Row]]  # (cypher, params) -> rows, inside one transaction


@dataclass(frozen=True)
class Capabilities:
    """What an executor can do beyond running Cypher; callers take another path where one is missing.

    Declared by the executor; read through ``GraphStore.capabilities``, never from its ``kind`` name.
    """

    single_process: bool = False  # only this process opens the store: a claim we did not make is stale
    bulk_load: bool = False  # ``bulk_loader()``: ArcadeDB's graph_batch API (no MERGE, very fast)
    droppable_indexes: bool = False  # persona property indexes may be dropped for a large merge and re-made
    side_folder: bool = False  # ``side_folder()``: a folder of its own for side files (embeddings)
    columnar_reads: bool = False  # ``read_columns`` serialises a result as columns in bulk
    engine_check: bool = False  # ``engine_check(fix)``: the engine's own integrity check (CHECK DATABASE)
    vector_index: bool = False  # Neo4j 5 ``db.index.vector.queryNodes``


class Executor(Protocol):
    """Runs Cypher against one database and returns plain-Python rows.

    Write conflicts (a concurrent transaction, a unique id taken) raise ``StoreConflictError``;
    any other refusal ``QueryError``.
    """

    kind: str  # a display name ("embedded", "bolt"), not a capability
    capabilities: Capabilities
    location: str
    database: str

    def read(self, cypher: str, params: dict[str, Any], *, name: str) -> list[Row]: ...

    def read_columns(self, cypher: str, params: dict[str, Any], *, name: str) -> dict[str, list[Any]] | None:
        """The result as columns, or None where the executor has no bulk path (the caller converts rows)."""
        ...

    def write(self, cypher: str, params: dict[str, Any], *, name: str) -> list[Row]: ...

    def stream(self, cypher: str, params: dict[str, Any], *, name: str) -> Iterator[Row]:
        """A read query's rows one at a time (constant memory on the caller's side)."""
        ...

    def plan(self, cypher: str, params: dict[str, Any], *, write: bool, name: str) -> str:
        """The plan of an ``EXPLAIN``/``PROFILE`` statement as text (store/plans.py)."""
        ...

    def transaction(self, work: Callable[[Run], Any], *, name: str) -> Any:
        """Run ``work(run)`` in one write transaction; ``run(cypher, params)`` returns rows."""
        ...

    def bulk_loader(self) -> BulkLoader | None:
        """The batch loader where ``capabilities.bulk_load``, else None."""
        ...

    def side_folder(self) -> Path | None:
        """The store's own folder for side files where ``capabilities.side_folder``, else None."""
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
    """What an executor with ``capabilities.bulk_load`` offers: idempotent node and edge batches, no Cypher per row."""

    def add_nodes(self, label: str, rows: list[Row]) -> int: ...

    def add_edges(self, rows: list[tuple[str, str, str, dict[str, Any]]]) -> EdgeCounts: ...
