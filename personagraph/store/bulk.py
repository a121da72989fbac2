"""Idempotent batched writes for imports, on either executor.

Embedded ArcadeDB declares the ``bulk_load`` capability: rows go through its batch API (``arcade_bulk``), with
existing ids and edges filtered out first. Any other executor (Bolt: Neo4j, ArcadeDB's server)
gets Cypher ``UNWIND … MERGE`` in chunks of ``CYPHER_CHUNK`` rows, one transaction each.
Either way a node whose content id is already in the graph is left as it is, and an edge
(src, type, dst) is never made twice.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
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


@dataclass
class EdgeGroups:
    """Relation rows grouped by type, equal ``(src, dst)`` of a type folded into one (the first row's
    properties kept): the shape both write paths need. The importer's reading thread builds it row
    by row (``add``), so the writing thread, which holds up the engine, no longer groups anything."""

    by_type: dict[str, dict[tuple[str, str], dict[str, Any]]] = field(default_factory=dict)
    rows: int = 0  # rows added, folded ones included
    repeats: dict[tuple[str, str, str], int] = field(default_factory=dict)  # (type, src, dst) -> rows folded into it
    # Filled by the batch API's loader in the reading thread (``ArcadeBulkLoader.presolve``): per
    # type, the edges whose two RIDs it knew, as id pairs, RID pairs and the rows for the engine,
    # and the edges left for the writing thread; valid while the index's generation is the same.
    presolved: dict[str, tuple[list[tuple[str, str]], list[tuple[str, str]], list[Any], dict[tuple[str, str], Any]]] = (
        field(default_factory=dict)
    )
    presolved_generation: int = -1

    def add(self, src: str, dst: str, rel_type: str, props: dict[str, Any]) -> None:
        self.rows += 1
        pairs = self.by_type.get(rel_type)
        if pairs is None:
            pairs = self.by_type[rel_type] = {}
        if (src, dst) in pairs:
            key = (rel_type, src, dst)
            self.repeats[key] = self.repeats.get(key, 0) + 1
        else:
            pairs[(src, dst)] = props

    def weight(self, rel_type: str, src: str, dst: str) -> int:
        """How many rows ``(src, dst)`` of ``rel_type`` stands for."""
        return 1 + self.repeats.get((rel_type, src, dst), 0) if self.repeats else 1

    def __bool__(self) -> bool:
        return self.rows > 0

    @classmethod
    def of(cls, rows: Iterable[RelationRow]) -> EdgeGroups:
        groups = cls()
        for row in rows:
            groups.add(*row)
        return groups

    def remapped(self, mapping: dict[str, str]) -> EdgeGroups:
        """Ends moved by ``mapping`` (near-duplicate -> canonical id); an edge that becomes a
        self-loop is dropped, and its rows with it."""
        if not mapping:
            return self
        moved = EdgeGroups()
        for rel_type, pairs in self.by_type.items():
            for (src, dst), props in pairs.items():
                a, b = mapping.get(src, src), mapping.get(dst, dst)
                if a != b:
                    for _ in range(self.weight(rel_type, src, dst)):
                        moved.add(a, b, rel_type, props)
        return moved


@dataclass
class TypeColumns:
    """The relation rows of one type in a batch, as columns: the persona ids of the two ends (pyarrow
    string arrays, and their numbers: ``ids.persona_codes``) and each property, a pyarrow string
    array or one value for every row."""

    src: Any = field(repr=False)
    dst: Any = field(repr=False)
    src_codes: Any = field(repr=False)
    dst_codes: Any = field(repr=False)
    props: dict[str, Any] = field(repr=False)

    def subset(self, keep: Any) -> TypeColumns:
        """The rows where the bool array ``keep`` is true."""
        import pyarrow as pa

        mask = pa.array(keep)
        props = {k: v if isinstance(v, str) else v.filter(mask) for k, v in self.props.items()}
        return TypeColumns(
            self.src.filter(mask), self.dst.filter(mask), self.src_codes[keep], self.dst_codes[keep], props
        )

    def rows(self) -> list[tuple[str, str, dict[str, Any]]]:
        """``(src, dst, properties)`` of each row, as Python values."""
        n = len(self.src)
        values = [[v] * n if isinstance(v, str) else v.to_pylist() for v in self.props.values()]
        props = (
            [dict(zip(self.props, row, strict=True)) for row in zip(*values, strict=True)]
            if values
            else [{} for _ in range(n)]
        )
        return list(zip(self.src.to_pylist(), self.dst.to_pylist(), props, strict=True))


@dataclass
class EdgeColumns:
    """A batch of relation rows between persona ids, read as columns (``ingest.relation_columns``),
    no two rows with the same ends and type. The batch API's loader resolves them a whole column at
    a time (``presolved``, in the importer's reading thread); ``groups()`` gives them as
    ``EdgeGroups`` for any other path."""

    rows: int
    by_type: dict[str, TypeColumns]
    presolved: dict[str, Any] = field(default_factory=dict, repr=False)
    presolved_generation: int = -1
    # The rows as EdgeGroups, when the loader could not take them as columns.
    fallback: EdgeGroups | None = field(default=None, repr=False)
    unmatched: int = 0  # rows left out by the presolve: an end not in the graph ...
    missing: set[str] = field(default_factory=set)  # ... these persona ids

    def groups(self) -> EdgeGroups:
        groups = EdgeGroups()
        for rel_type, columns in self.by_type.items():
            for src, dst, props in columns.rows():
                groups.add(src, dst, rel_type, props)
        return groups


class NodeRows(list[Row]):
    """Rows of one label, with what the batch API's loader worked out for them in the importer's
    reading thread (``BulkWriter.presolve_nodes``): their ids and, when every row is ready for
    orjson and no id repeats, the JSON the engine is given. The writing thread then only checks
    that none of the ids is in the graph, and hands the JSON over."""

    def __init__(self, rows: Iterable[Row] = ()) -> None:
        super().__init__(rows)
        self.ids: list[str] = []
        self.encoded: bytes | None = None


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
            if not isinstance(rows, NodeRows):  # presolved rows have it
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

    def warm_up(self) -> None:
        """What the batch API's first write would do first (its types declared, the graph's
        persona and edge counts read), done now: the importer calls it while its first batch is
        read. Nothing on the Cypher path."""
        warm_up = getattr(self.loader, "warm_up", None)
        if warm_up is not None:
            warm_up()

    def presolve_nodes(self, rows: list[Row]) -> list[Row]:
        """``rows`` made ready for the write in the calling thread (the importer's reading thread):
        for the batch API, ``NodeRows`` with their creation time set and their JSON made. The rows
        as they are on other paths."""
        presolve = getattr(self.loader, "presolve_nodes", None)
        if presolve is None or not rows:
            return rows
        now = now_iso()
        for row in rows:
            row.setdefault("created_at", now)
        return presolve(rows)  # type: ignore[no-any-return]

    def presolve(self, groups: EdgeGroups) -> None:
        """Resolve what can be resolved of ``groups`` ahead of the write, in the calling thread
        (the importer's reading thread): the batch API's ends to RIDs. Nothing on other paths."""
        presolve = getattr(self.loader, "presolve", None)
        if presolve is not None:
            presolve(groups)

    @property
    def takes_columns(self) -> bool:
        """Whether this store's path takes relations read as columns (``EdgeColumns``) as they are:
        the batch API's. The importer reads relation lines one by one for any other."""
        return hasattr(self.loader, "presolve_columns")

    def presolve_columns(self, edges: EdgeColumns) -> None:
        """``presolve`` for relations read as columns."""
        presolve = getattr(self.loader, "presolve_columns", None)
        if presolve is not None:
            presolve(edges)

    def relations(self, rows: list[RelationRow] | EdgeGroups | EdgeColumns, run: RunNamed | None = None) -> EdgeCounts:
        """Create the typed edges that are not in the graph yet, between personas given by id
        (``run`` as in ``nodes``). Equal rows are written once and counted as the rows they are."""
        self.store.ensure_schema()
        grouped = rows if isinstance(rows, EdgeGroups | EdgeColumns) else EdgeGroups.of(rows)
        for rel_type in grouped.by_type:
            self.store.vocabulary.check(rel_type)
        if isinstance(grouped, EdgeColumns):
            add_columns = getattr(self.loader, "add_edge_columns", None)
            if add_columns is not None:
                return add_columns(grouped)  # type: ignore[no-any-return]
        groups = grouped.groups() if isinstance(grouped, EdgeColumns) else grouped
        if self.loader is not None:
            add_groups = getattr(self.loader, "add_edge_groups", None)
            if add_groups is not None:
                return add_groups(groups)  # type: ignore[no-any-return]
            rows = [(s, d, t, p) for t, pairs in groups.by_type.items() for (s, d), p in pairs.items()]
            return self.loader.add_edges(rows)
        counts = EdgeCounts()
        # Equal rows were folded: MERGE within one UNWIND would count each as new.
        for rel_type, pairs in groups.by_type.items():
            for chunk in _chunks(list(pairs), CYPHER_CHUNK):
                batch = [{"src": s, "dst": d, "props": pairs[(s, d)]} for s, d in chunk]
                for row in (run or self.store.run)("create_missing_relations", rel_type=rel_type, rows=batch):
                    counts.matched += groups.weight(rel_type, row["src"], row["dst"])
                    counts.created += 1 if row["created"] else 0
                checkpoint("cypher_chunk")
        counts.unmatched = groups.rows - counts.matched
        return counts
