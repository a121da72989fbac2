"""GraphStore: the one object that reads and writes the persona graph, through either executor."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from itertools import islice, pairwise
from typing import TYPE_CHECKING, Any, TypeVar

from personagraph import queries
from personagraph.errors import QueryError, ReadOnlyError, VocabularyError
from personagraph.models import Persona, Relation, SourceText, now_iso
from personagraph.runtime import checkpoint
from personagraph.store.base import BulkLoader, Capabilities, EdgeCounts, Executor, Row, Run, short
from personagraph.store.guard import refuse_writes
from personagraph.store.plans import plan_kind, plan_rows
from personagraph.store.schema_watch import refuse_schema_change, schema_of, watched_read
from personagraph.vocabulary import STRUCTURAL, Vocabulary

if TYPE_CHECKING:
    from pathlib import Path

    from personagraph.queries import Query
    from personagraph.store.bulk import BulkWriter, RelationRow
    from personagraph.store.integrity import EngineCheck

T = TypeVar("T")
Progress = Callable[[int], None]

LABELS = ("Persona", "Text", "Sample", "Batch", "DedupRun")


def chunked(items: Iterable[T], size: int) -> Iterator[list[T]]:
    iterator = iter(items)
    while chunk := list(islice(iterator, size)):
        yield chunk


def sorted_columns(columns: dict[str, Any], key: str) -> dict[str, Any]:
    """Columns (name -> list or array, one row across them) with their rows in the order of the
    column ``key`` (stable: rows with the same key keep their order); unchanged where already so."""
    values = list(columns.get(key, ()))
    if all(a <= b for a, b in pairwise(values)):
        return columns
    return taken_rows(columns, sorted(range(len(values)), key=values.__getitem__))


def taken_rows(columns: dict[str, Any], rows: list[int]) -> dict[str, Any]:
    """The given rows of every column (lists or arrays; a None column stays None)."""
    return {
        name: None if column is None else (column[rows] if hasattr(column, "shape") else [column[i] for i in rows])
        for name, column in columns.items()
    }


class GraphStore:
    """Persona graph operations over one executor (embedded ArcadeDB or Bolt)."""

    def __init__(self, executor: Executor, vocabulary: Vocabulary | None = None) -> None:
        self.executor = executor
        self.vocabulary = vocabulary or Vocabulary()
        self._schema_ready = False
        self._bulk: BulkWriter | None = None

    # -- plumbing -------------------------------------------------------------------------
    @property
    def kind(self) -> str:
        """A display name ("embedded", "bolt"); ask ``capabilities`` what the store can do."""
        return self.executor.kind

    @property
    def location(self) -> str:
        return self.executor.location

    @property
    def database(self) -> str:
        return self.executor.database

    @property
    def capabilities(self) -> Capabilities:
        return self.executor.capabilities

    def side_folder(self) -> Path | None:
        """The store's own folder for side files (embeddings), or None: the caller picks one elsewhere."""
        return self.executor.side_folder() if self.capabilities.side_folder else None

    def bulk_loader(self) -> BulkLoader | None:
        """The executor's batch loader where ``capabilities.bulk_load``, else None."""
        return self.executor.bulk_loader() if self.capabilities.bulk_load else None

    def query(self, name: str, rel_type: str | None = None, *, structural: bool = False) -> Query:
        """The named query from ``cypher/`` with its slots filled: ``__TYPE__`` by ``rel_type`` (checked
        against the vocabulary, plus the structural types where ``structural``), ``__RELATIONS__`` by
        the vocabulary's types. The one place where types go into Cypher text."""
        query = queries.load(name)
        if rel_type is not None:
            if structural and rel_type not in STRUCTURAL and rel_type not in self.vocabulary.types:
                raise VocabularyError(
                    f"edge type {rel_type!r} is not in the vocabulary", hint="add it to relations", param="relations"
                )
            query = query.with_type(rel_type if structural else self.vocabulary.check(rel_type))
        if queries.RELATIONS_SLOT in query.text:
            query = query.with_relations(self.vocabulary.types)
        return query

    def run(self, name: str, rel_type: str | None = None, **params: Any) -> list[Row]:
        """Run the named query from ``cypher/``; ``rel_type`` fills its relation-type slot."""
        query = self.query(name, rel_type)
        run = self.executor.write if query.write else self.executor.read
        return run(query.text, params, name=f"{name}.cypher")

    def run_typed(self, name: str, rel_type: str, **params: Any) -> list[Row]:
        """Like ``run``, where ``rel_type`` may also be a structural type (DERIVED_FROM, MERGED_INTO, …)."""
        query = self.query(name, rel_type, structural=True)
        run = self.executor.write if query.write else self.executor.read
        return run(query.text, params, name=f"{name}.cypher")

    def drain(self, name: str, limit: int, **params: Any) -> int:
        """Run a bounded write (the named query changes at most ``$limit`` records and returns how many
        as ``n``) until a run changes fewer than ``limit``: one transaction per run. Returns the total."""
        total = 0
        while True:
            rows = self.run(name, limit=limit, **params)
            done = int(rows[0]["n"]) if rows else 0
            total += done
            if done < limit:
                return total

    def run_script(self, name: str) -> None:
        """Run a multi-statement file of ``cypher/`` (schema changes), one statement per ``;``."""
        text = queries.load(name).text
        code = "\n".join(line for line in text.splitlines() if not line.strip().startswith("//"))
        for statement in filter(None, (part.strip() for part in code.split(";"))):
            self.executor.write(statement, {}, name=f"{name}.cypher")

    @contextmanager
    def indexes_dropped(self, script: str, drop: bool = True) -> Iterator[None]:
        """Run the body without the indexes the ``cypher/`` file ``script`` drops, where ``drop`` and the
        store can drop them (``capabilities.droppable_indexes``); ``schema`` re-creates them after,
        also when the body fails (and at the next open, after a crash)."""
        drop = drop and self.capabilities.droppable_indexes
        if drop:
            self.run_script(script)
        try:
            yield
        finally:
            if drop:
                self.run_script("schema")

    def run_columns(self, name: str, **params: Any) -> dict[str, list[Any]]:
        """Run a read query from ``cypher/`` and return its result as columns (name -> list of values).

        For large results: an executor with ``columnar_reads`` serialises them in bulk; others convert
        rows. Integer columns with nulls come back as floats with NaN (as numpy does).
        """
        query = self.query(name)
        if query.write:
            raise ReadOnlyError(f"query {name} writes; run_columns is for reads")
        columns = None
        if self.capabilities.columnar_reads:
            columns = self.executor.read_columns(query.text, params, name=f"{name}.cypher")
        if columns is None:
            rows = self.executor.read(query.text, params, name=f"{name}.cypher")
            keys = list(rows[0]) if rows else []
            return {key: [row[key] for row in rows] for key in keys}
        return {key: list(value) if not isinstance(value, list) else value for key, value in columns.items()}

    def cypher(
        self, text: str, params: dict[str, Any] | None = None, *, write: bool = False, name: str | None = None
    ) -> list[Row]:
        """Run a user's query. Read-only unless ``write``: what could write is refused before it runs
        (store/guard.py), and a read that changed the schema anyway is refused after (schema_watch.py)."""
        label = name or short(text)
        if plan_kind(text):
            return self.plan(text, params, write=write, name=label)
        if write:
            return self.executor.write(text, params or {}, name=label)
        refuse_writes(text, label)
        try:
            return watched_read(self, lambda: self.executor.read(text, params or {}, name=label), label)
        except QueryError as exc:
            self._vector_hint(exc, text)
            raise

    def _vector_hint(self, exc: QueryError, text: str) -> None:
        """Name ``explore similar`` where a store without vector procedures refused a call to one."""
        if exc.hint is None and not self.capabilities.vector_index and "db.index.vector" in text.lower():
            exc.hint = (
                f"this {self.kind} store has no db.index.vector procedures; "
                "`personagraph explore similar -p q=TEXT` finds the nearest personas"
            )

    def cypher_stream(
        self, text: str, params: dict[str, Any] | None = None, *, write: bool = False, name: str | None = None
    ) -> Iterator[Row]:
        """``cypher`` with the rows of a read handed over one at a time (writes and plans come whole)."""
        label = name or short(text)
        if write or plan_kind(text):
            yield from self.cypher(text, params, write=write, name=label)
            return
        refuse_writes(text, label)
        before = schema_of(self)
        try:
            yield from self.executor.stream(text, params or {}, name=label)
        except QueryError as exc:
            self._vector_hint(exc, text)
            raise
        refuse_schema_change(self, before, label)

    def plan(
        self, text: str, params: dict[str, Any] | None = None, *, write: bool = False, name: str | None = None
    ) -> list[Row]:
        """The plan of an ``EXPLAIN``/``PROFILE`` statement as rows of one ``plan`` column (one line each).
        PROFILE runs the query (its rows are counted in the plan, not returned); the read-only rule applies."""
        label = name or short(text)
        if not write:
            refuse_writes(text, label)
        if write:
            return plan_rows(self.executor.plan(text, params or {}, write=True, name=label))
        return watched_read(
            self, lambda: plan_rows(self.executor.plan(text, params or {}, write=False, name=label)), label
        )

    def transaction(self, work: Callable[[Transaction], T], *, name: str = "transaction") -> T:
        """Run several named queries in ONE write transaction: ``work(tx)`` calls ``tx.run(...)``.

        Either all of it is committed or none. The store may run ``work`` again after a
        transient conflict, so it must not have side effects outside the graph. A conflict that
        outlasts the store's retries raises ``StoreConflictError``.
        """

        def body(run: Run) -> T:
            return work(Transaction(self, run))

        return self.executor.transaction(body, name=name)  # type: ignore[no-any-return]

    def engine_check(self, fix: bool = False) -> EngineCheck | None:
        """The engine's integrity check where the store has one (``capabilities.engine_check``), else None."""
        if not self.capabilities.engine_check:
            return None
        return self.executor.engine_check(fix)  # type: ignore[attr-defined,no-any-return]

    def close(self) -> None:
        self.executor.close()

    def __enter__(self) -> GraphStore:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # -- schema ---------------------------------------------------------------------------
    def ensure_schema(self) -> None:
        """Unique ids and indexes, idempotent (``IF NOT EXISTS``)."""
        if self._schema_ready:
            return
        self.run_script("schema")
        self._schema_ready = True

    def restore_schema(self) -> None:
        """Re-apply the package's schema, after something outside the package changed it."""
        self._schema_ready = False
        self.ensure_schema()

    # -- writes ---------------------------------------------------------------------------
    def _existing(self, label_query: str, ids: list[str]) -> set[str]:
        return {row["id"] for row in self.run(label_query, ids=ids)}

    def _create_missing(
        self, label: str, rows: Iterable[dict[str, Any]], batch_size: int, progress: Progress | None
    ) -> int:
        """Create the ``{id, props}`` rows whose id is not in the graph yet; returns how many were new."""
        self.ensure_schema()
        created = 0
        now = now_iso()
        for chunk in chunked(rows, batch_size):
            by_id = {row["id"]: row for row in chunk}
            existing = self._existing(f"existing_{label}", list(by_id))
            fresh = [row for row_id, row in by_id.items() if row_id not in existing]
            if fresh:
                self.run(f"upsert_{label}", rows=fresh, now=now)
            created += len(fresh)
            if progress:
                progress(len(chunk))
        return created

    def upsert_personas(
        self, personas: Iterable[Persona], batch_size: int = 5000, progress: Progress | None = None
    ) -> int:
        """Add personas not yet in the graph (by content id); returns how many were new."""
        rows = ({"id": p.id, "props": p.props()} for p in personas)
        return self._create_missing("personas", rows, batch_size, progress)

    def upsert_texts(
        self, texts: Iterable[SourceText], batch_size: int = 2000, progress: Progress | None = None
    ) -> int:
        """Add source texts not yet in the graph (by content id); returns how many were new."""
        rows = ({"id": t.id, "props": {"text": t.text, "source": t.source}} for t in texts)
        return self._create_missing("texts", rows, batch_size, progress)

    def add_relations(
        self, relations: Iterable[Relation], batch_size: int = 5000, progress: Progress | None = None
    ) -> int:
        """Merge typed edges between existing personas; returns how many edges the batches matched."""
        self.ensure_schema()
        written = 0
        for chunk in chunked(relations, batch_size):
            by_type: dict[str, list[dict[str, Any]]] = defaultdict(list)
            for rel in chunk:
                by_type[self.vocabulary.check(rel.type)].append({"src": rel.src, "dst": rel.dst, "props": rel.props})
            for rel_type, rows in by_type.items():
                result = self.run("add_relations", rel_type=rel_type, rows=rows)
                written += int(result[0]["n"]) if result else 0
            if progress:
                progress(len(chunk))
        return written

    def add_aliases(self, personas: list[Persona], mapping: dict[str, str]) -> int:
        """Add the resolved duplicates' ids and texts to their canonical personas' ``aliases``; returns canonicals matched."""
        grouped: dict[str, dict[str, list[str]]] = {}
        for p in personas:
            if p.id in mapping:
                row = grouped.setdefault(mapping[p.id], {"ids": [], "texts": []})
                if p.id not in row["ids"]:
                    row["ids"].append(p.id)
                    row["texts"].append(p.text)
        if not grouped:
            return 0
        result = self.run("dedup_add_alias", rows=[{"canon": c, **row} for c, row in grouped.items()])
        return int(result[0]["n"]) if result else 0

    # -- bulk writes (imports) ---------------------------------------------------------------
    @property
    def bulk(self) -> BulkWriter:
        """Idempotent batch writer: ArcadeDB's batch API embedded, Cypher ``UNWIND … MERGE`` over Bolt."""
        if self._bulk is None:
            from personagraph.store.bulk import BulkWriter

            self._bulk = BulkWriter(self)
        return self._bulk

    def bulk_upsert_personas(self, rows: list[Row]) -> int:
        """Create persona rows (``id`` plus properties) whose id is not in the graph; returns how many."""
        return self.bulk.nodes("Persona", rows)

    def bulk_upsert_texts(self, rows: list[Row]) -> int:
        """Create text rows (``id``, ``text``, ``source``) whose id is not in the graph; returns how many."""
        return self.bulk.nodes("Text", rows)

    def bulk_add_relations(self, rows: list[RelationRow]) -> EdgeCounts:
        """Create edges ``(src id, dst id, type, props)`` not in the graph yet; ends must exist."""
        return self.bulk.relations(rows)

    def link_derived_from(self, rows: list[dict[str, Any]]) -> None:
        """``rows``: {persona, text, props} — persona came from text (T2P provenance)."""
        for chunk in chunked(rows, 2000):
            self.run("link_derived_from", rows=chunk)

    # -- reads ----------------------------------------------------------------------------
    def persona(self, persona_id: str) -> Row | None:
        rows = self.run("get_persona", id=persona_id)
        return rows[0] if rows else None

    def count(self, label: str = "Persona") -> int:
        if label not in LABELS:
            raise ValueError(f"unknown label {label!r}")
        return int(self.run(f"count_{label.lower()}")[0]["n"])

    def iter_personas(self, batch_size: int = 10000, fields: tuple[str, ...] = ("id", "text")) -> Iterator[Row]:
        """Every persona, ordered by id, fetched page by page."""
        after = ""
        while True:
            page = self.run("page_personas", after=after, limit=batch_size)
            if not page:
                return
            checkpoint("read_page")
            for row in page:
                yield {f: row.get(f) for f in fields} if fields else row
            after = page[-1]["id"]

    def id_pages(self, name: str, page: int, **params: Any) -> Iterator[list[str]]:
        """Successive keyset pages of ids from the named query (it takes ``after`` and ``limit`` and
        returns ``id`` in order, on a unique id index), each read as a column: a page costs its own
        size. Callers then read what they need of those ids alone; one query that computed it before
        its ``ORDER BY … LIMIT`` did so for every row after ``after``, on every page (quadratic)."""
        after = ""
        while True:
            ids = [str(i) for i in self.run_columns(name, **params, after=after, limit=page).get("id", [])]
            if not ids:
                return
            checkpoint("read_page")
            yield ids
            if len(ids) < page:
                return
            after = ids[-1]

    def range_columns(
        self, name: str, ids: list[str], key: str, sort: bool = True, **params: Any
    ) -> dict[str, list[Any]]:
        """``run_columns`` of a query over one id page given as its bounds (``first``, ``last``: the
        query matches ``x.id >= $first AND x.id <= $last`` on the unique index), keeping the rows
        whose column ``key`` is one of ``ids`` (a node written into the range since the page was
        read, or one the page's own filters left out, stays out), ordered by ``key`` (stable;
        ``sort=False`` leaves the engine's order). A range of the index costs no more than looking
        up its ids one by one (``UNWIND $ids … {id: id}``), and half as much where each row's work
        is small beside the lookup: sampling candidates x1.9 the rate at 300k, relations with their
        properties x1.0 (``benchmarks/id_ranges.py``). The query has no ORDER BY: the engine sorted
        the range again, 3x the range's own time."""
        if not ids:
            return {}
        columns = self.run_columns(name, first=ids[0], last=ids[-1], **params)
        wanted = set(ids)
        values = list(columns.get(key, ()))
        if not all(value in wanted for value in values):
            columns = taken_rows(columns, [i for i, value in enumerate(values) if value in wanted])
        return sorted_columns(columns, key) if sort else columns

    def iter_relations(self, batch_size: int = 10000) -> Iterator[Row]:
        """Every persona-to-persona edge once, as {src, dst, type, props}, grouped by source in id order.

        Keyset pages: ``batch_size`` source ids after the last one (the unique index), then their
        out-edges. Each page costs its own size, so a whole-graph read is O(E) and holds one page
        of sources in memory. Paging the ordered edge list with SKIP sorted and skipped every
        earlier edge on each page: O(E²) (benchmarks/export.py measures both). Columnar reads
        where the store has them: converting ``properties(r)`` row by row took 3x longer.
        """
        for ids in self.id_pages("page_persona_ids", batch_size):
            columns = self.range_columns("page_relations", ids, "src")
            if columns:
                yield from (
                    {"src": s, "dst": d, "type": t, "props": p or {}}
                    for s, d, t, p in zip(
                        columns["src"], columns["dst"], columns["type"], columns["props"], strict=True
                    )
                )

    def stats(self) -> dict[str, Any]:
        """Counts by label, relation type, hop, origin and cluster, and the degree distribution."""

        def pairs(name: str, key: str) -> dict[str, int]:
            return {str(row[key]): int(row["n"]) for row in self.run(name)}

        return {
            "labels": {label: self.count(label) for label in LABELS},
            "relations": pairs("stats_relation_types", "type"),
            "hops": pairs("stats_hops", "hop"),
            "origins": pairs("stats_origins", "origin"),
            "clusters": pairs("stats_clusters", "cluster"),
            "degree": pairs("stats_degree", "degree"),
        }


class Transaction:
    """Named queries inside one write transaction (see ``GraphStore.transaction``)."""

    def __init__(self, store: GraphStore, run: Run) -> None:
        self._store = store
        self._run = run

    def run(self, name: str, rel_type: str | None = None, **params: Any) -> list[Row]:
        """Like ``GraphStore.run``, inside the transaction (reads see its own writes)."""
        return self._run(self._store.query(name, rel_type).text, params)

    def run_typed(self, name: str, rel_type: str, **params: Any) -> list[Row]:
        """Like ``GraphStore.run_typed`` (structural types allowed), inside the transaction."""
        return self._run(self._store.query(name, rel_type, structural=True).text, params)
