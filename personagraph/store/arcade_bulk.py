"""Bulk loading into embedded ArcadeDB with its ``graph_batch`` API instead of Cypher per row.

The batch API has no MERGE: it creates what it is given. Imports stay idempotent because
``GraphIndex`` knows which node ids and which edges the database already holds:

- node ids map to RIDs, per label; edges are kept as (source RID, target RID) pairs per type;
- it starts *incomplete*: what it does not know is looked up with one indexed Cypher query per
  batch. Once a session's lookups add up to a share of the graph for which a full scan costs
  about as much (ski-rental rule, ``SCAN_SHARE``), it reads the whole label or type once and is
  *complete*: a miss then means "not in the graph", with no query at all. A label or type that
  is empty when first asked about starts complete, which is the case of a fresh import.
- every write through Cypher (``EmbeddedExecutor.write``) forgets it, since such a write may
  delete or merge nodes. The embedded database is held by this one process (ArcadeDB locks the
  folder), so no other writer can make it stale.

Crash safety: each import batch is written by its own ``graph_batch`` with the write-ahead log
on, and the batch is closed (edges linked at both ends) before the next one starts. A crash
(kill -9) loses at most the batch in flight; ArcadeDB replays its WAL on the next open, and since
ids are content hashes, running the same import again completes it. WAL flush stays at the
engine's default ("no": survives a process crash, not a power cut), as for Cypher writes.
"""

from __future__ import annotations

import functools
import threading
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from personagraph import queries
from personagraph.errors import ConfigError
from personagraph.ids import persona_codes
from personagraph.runtime import checkpoint
from personagraph.store.arcade_json import bridge as _bridge
from personagraph.store.arcade_json import encode as _encode
from personagraph.store.arcade_json import json_ready as _json_ready
from personagraph.store.base import EdgeCounts
from personagraph.store.bulk import EdgeColumns, EdgeGroups, NodeRows
from personagraph.store.integrity import in_flight_marker
from personagraph.store.rid_pairs import OutOfRange, RidPairs, rid_codes
from personagraph.vocabulary import TYPE_PATTERN

# Labels the batch API may write; names go into Cypher and SQL text, so they come from here only.
NODE_LABELS = ("Persona", "Text")
# A full scan costs about this share of per-id lookups of the same rows (measured: a Cypher scan
# returns ~300k rows/s as columns, an indexed lookup ~40k ids/s), so once lookups reach this
# share of the label's size a scan is cheaper from then on.
SCAN_SHARE = 0.125
MAX_INDEXED = 20_000_000  # never hold more ids or edges than this in memory; look up instead
# The edges of a type are a plain set of RID pairs up to 1M (~90 B a pair), then sorted arrays of
# 16 B a pair with runs of 250k waiting in a set (rid_pairs.py): at 10M personas and 30M relations,
# ~0.6 GB where the sets took ~2.7 GB.
PAIR_SIZES = (250_000, 1_000_000)


def _columns(db: Any, cypher: str, params: dict[str, Any] | None = None) -> dict[str, list[Any]]:
    result = db.query("opencypher", cypher, params) if params else db.query("opencypher", cypher)
    columns = result.to_columns()
    return {name: list(values) for name, values in columns.items()} if columns else {}


@dataclass
class _Known:
    """What is known of one label (ids) or one relation type (pairs)."""

    members: dict[Any, str] | RidPairs = field(default_factory=dict)
    complete: bool = False
    size_at_start: int = -1
    looked_up: int = 0


@dataclass
class PersonaTable:
    """The Persona ids the index holds that are persona ids (``ids.persona_codes``), as sorted
    numbers, with their RIDs as text (pyarrow) and as codes (``rid_pairs.rid_codes``) in the same
    order: a whole column of ids is resolved with one ``searchsorted``."""

    codes: Any
    rids: Any
    rid_numbers: Any
    size: int  # how many ids the index held when the table was made

    @classmethod
    def of(cls, ids: list[str], rids: list[str]) -> PersonaTable:
        import numpy as np
        import pyarrow as pa

        if not ids:
            return cls(np.zeros(0, dtype=np.uint64), pa.array([], type=pa.string()), np.zeros(0, dtype=np.int64), 0)
        # A million at a time: at 10M the parses' temporaries at once took ~1.3 GB beside the JVM.
        step = 1_000_000
        parts = [persona_codes(pa.array(ids[i : i + step], type=pa.string())) for i in range(0, len(ids), step)]
        codes, ok = np.concatenate([p[0] for p in parts]), np.concatenate([p[1] for p in parts])
        numbers = np.concatenate([rid_codes(rids[i : i + step]) for i in range(0, len(ids), step)])  # or OutOfRange
        keep = np.flatnonzero(ok)
        order = keep[np.argsort(codes[keep], kind="stable")]
        return cls(codes[order], pa.array(rids, type=pa.string()).take(pa.array(order)), numbers[order], len(ids))

    def find(self, codes: Any) -> tuple[Any, Any]:
        """Each code's position in the table, and whether it is there."""
        import numpy as np

        if not len(self.codes):
            return np.zeros(len(codes), dtype=np.int64), np.zeros(len(codes), dtype=bool)
        order = np.argsort(codes)  # sorted queries: ~2.5x faster than the same ones in file order
        at = np.empty(len(codes), dtype=np.int64)
        at[order] = np.minimum(np.searchsorted(self.codes, codes[order]), len(self.codes) - 1)
        return at, self.codes[at] == codes


class GraphIndex:
    """Node ids -> RIDs and existing edges of one open database, filled as imports need them."""

    def __init__(self) -> None:
        self.nodes: dict[str, _Known] = {}
        self.edges: dict[str, _Known] = {}
        # RidPairs' run and compaction sizes for each type's edges (a test sets small ones).
        self.pair_sizes = PAIR_SIZES
        self.no_edges: bool | None = None  # the graph had no edges at all when first asked
        self.generation = 0  # counts forget(): what was resolved before one is not used after it
        self.persona_table: PersonaTable | None = None  # the Persona ids as numbers (ArcadeBulkLoader.presolve_columns)

    def forget(self) -> None:
        self.generation += 1
        self.persona_table = None
        self.nodes.clear()
        self.edges.clear()
        self.no_edges = None

    # -- nodes ----------------------------------------------------------------------------
    def _node_state(self, db: Any, label: str) -> _Known:
        state = self.nodes.get(label)
        if state is None:
            size = int(_columns(db, queries.load(f"count_{label.lower()}").text)["n"][0])
            state = _Known(members={}, complete=size == 0, size_at_start=size)
            self.nodes[label] = state
        return state

    def rids(self, db: Any, label: str, ids: Iterable[str]) -> dict[str, str]:
        """RIDs of those of ``ids`` that are in the graph."""
        state = self._node_state(db, label)
        members: dict[str, str] = state.members  # type: ignore[assignment]
        found: dict[str, str] = {}
        missing: list[str] = []
        for node_id in ids:
            rid = members.get(node_id)
            if rid is not None:
                found[node_id] = rid
            elif not state.complete:
                missing.append(node_id)
        if missing:
            missing = list(dict.fromkeys(missing))
            if state.looked_up + len(missing) > SCAN_SHARE * state.size_at_start and state.size_at_start <= MAX_INDEXED:
                self._scan_nodes(db, label, state)
                return self.rids(db, label, missing) | found
            state.looked_up += len(missing)
            cols = _columns(db, queries.load(f"rids_{label.lower()}").text, {"ids": missing})
            for node_id, rid in zip(cols.get("id", []), cols.get("rid", []), strict=True):
                members[node_id] = rid
                found[node_id] = rid
        return found

    def known_new(self, db: Any, label: str, ids: list[str]) -> bool:
        """Whether the label is known whole and none of ``ids`` is in it (one set operation). False
        says nothing: the caller then looks the ids up row by row."""
        state = self._node_state(db, label)
        return state.complete and state.members.keys().isdisjoint(ids)  # type: ignore[union-attr]

    def rid_lookup(self, db: Any, label: str, ids: Callable[[], Iterable[str]]) -> Mapping[str, str]:
        """A mapping that has the RID of every one of ``ids()`` in the graph: the index's own
        dict when it knows the whole label (``ids`` is then not even called), else ``rids``."""
        state = self._node_state(db, label)
        if state.complete:
            return state.members  # type: ignore[return-value]
        return self.rids(db, label, ids())

    def _scan_nodes(self, db: Any, label: str, state: _Known) -> None:
        cols = _columns(db, queries.load(f"scan_rids_{label.lower()}").text)
        state.members = dict(zip(cols.get("id", []), cols.get("rid", []), strict=True))
        state.complete = True

    def add_nodes(self, label: str, ids: list[str], rids: list[str]) -> None:
        state = self.nodes.get(label)
        if state is None:  # dropped for size: lookups answer from the database again
            return
        state.members.update(zip(ids, rids, strict=True))  # type: ignore[union-attr]
        if len(state.members) > MAX_INDEXED:
            self.nodes.pop(label)

    def warm_up(self, db: Any) -> None:
        """Persona's size and whether the graph has edges: the counts a first batch starts with."""
        self._node_state(db, "Persona")
        if self.no_edges is None:
            self.no_edges = int(_columns(db, queries.load("count_edges").text)["n"][0]) == 0

    # -- edges ----------------------------------------------------------------------------
    def _edge_state(self, db: Any, rel_type: str) -> _Known:
        state = self.edges.get(rel_type)
        if state is None:
            if self.no_edges is None:  # one count of all edges spares a count per type in a fresh graph
                self.no_edges = int(_columns(db, queries.load("count_edges").text)["n"][0]) == 0
            size = (
                0
                if self.no_edges
                else int(_columns(db, queries.load("count_relation_type").with_type(rel_type).text)["n"][0])
            )
            run, compact_at = self.pair_sizes
            state = _Known(members=RidPairs(run=run, compact_at=compact_at), complete=size == 0, size_at_start=size)
            self.edges[rel_type] = state
        return state

    def existing_edges(
        self, db: Any, rel_type: str, pairs: Mapping[tuple[str, str], tuple[Any, ...]]
    ) -> set[tuple[str, str]]:
        """Which of the RID pairs (keys of ``pairs``, whose values start with the persona ids of the
        two ends) already have an edge of ``rel_type``."""
        state = self._edge_state(db, rel_type)
        members: RidPairs = state.members  # type: ignore[assignment]
        if state.complete:
            return members.intersection(pairs) if members else set()
        known = members.intersection(pairs)
        unknown = [pair for pair in pairs if pair not in known]
        if state.looked_up + len(unknown) > SCAN_SHARE * state.size_at_start and state.size_at_start <= MAX_INDEXED:
            cols = _columns(db, queries.load("scan_relation_pairs").with_type(rel_type).text)
            members.update(zip(cols.get("src", []), cols.get("dst", []), strict=True))
            state.complete = True
            return members.intersection(pairs)
        if unknown:
            state.looked_up += len(unknown)
            query = queries.load("existing_relation_pairs").with_type(rel_type).text
            ends = [pairs[pair] for pair in unknown]
            cols = _columns(db, query, {"src": [e[0] for e in ends], "dst": [e[1] for e in ends]})
            found = [unknown[int(k)] for k in cols.get("i", [])]
            members.update(found)
            known.update(found)
        return known

    def present(
        self, db: Any, rel_type: str, ids: list[tuple[str, str]], rids: list[tuple[str, str]]
    ) -> set[tuple[str, str]]:
        """``existing_edges`` for parallel lists of id pairs and RID pairs; a set operation (no
        Python loop) when the type is known whole."""
        state = self._edge_state(db, rel_type)
        if state.complete:
            members: RidPairs = state.members  # type: ignore[assignment]
            return members.intersection(rids) if members else set()
        return self.existing_edges(db, rel_type, dict(zip(rids, ids, strict=True)))

    def numeric_edges(self, db: Any, rel_type: str) -> RidPairs | None:
        """The edges of ``rel_type`` as a numeric ``RidPairs`` when the index knows the type whole
        (so RID codes can be looked up with no query), else None."""
        state = self._edge_state(db, rel_type)
        members = state.members
        return members if state.complete and isinstance(members, RidPairs) and members.numeric() else None

    def add_edge_codes(self, rel_type: str, src: Any, dst: Any) -> None:
        state = self.edges.get(rel_type)
        if state is None:
            return
        state.members.update_codes(src, dst)  # type: ignore[union-attr]
        if len(state.members) > MAX_INDEXED:
            self.edges.pop(rel_type)

    def add_edges(self, rel_type: str, pairs: Iterable[tuple[str, str]]) -> None:
        state = self.edges.get(rel_type)
        if state is None:
            return
        state.members.update(pairs)  # type: ignore[union-attr]
        if len(state.members) > MAX_INDEXED:
            self.edges.pop(rel_type)


_indexes: dict[str, GraphIndex] = {}
_indexes_lock = threading.Lock()


def index_for(path: str) -> GraphIndex:
    with _indexes_lock:
        return _indexes.setdefault(path, GraphIndex())


def forget(path: str) -> None:
    """Drop what is known of the database at ``path`` (after any write not made here)."""
    with _indexes_lock:
        index = _indexes.get(path)
        if index is not None:
            index.forget()


class ArcadeBulkLoader:
    """Writes node and edge batches to one embedded database with ``graph_batch``."""

    def __init__(self, db: Any, path: str, lock: threading.RLock) -> None:
        self.db = db
        self.path = path
        self.index = index_for(path)
        self.lock = lock
        self._schema: set[str] = set()

    def prepare(self, labels: Iterable[str] = (), rel_types: Iterable[str] = ()) -> None:
        """Types the batch API needs declared beforehand (SQL; Cypher's schema made the indexes)."""
        statements = []
        for label in labels:
            if label not in NODE_LABELS:
                raise ConfigError(f"bulk load of label {label!r} is not supported")
            if label not in self._schema:
                statements += [
                    f"CREATE VERTEX TYPE {label} IF NOT EXISTS",
                    f"CREATE PROPERTY {label}.id IF NOT EXISTS STRING",
                    f"CREATE INDEX IF NOT EXISTS ON {label} (id) UNIQUE",
                ]
                self._schema.add(label)
        for rel_type in rel_types:
            if not TYPE_PATTERN.match(rel_type) or rel_type in NODE_LABELS:
                raise ConfigError(f"relation type {rel_type!r} must match {TYPE_PATTERN.pattern}")
            if rel_type not in self._schema:
                statements.append(f"CREATE EDGE TYPE `{rel_type}` IF NOT EXISTS")  # quoted: SELECT, ORDER are types too
                self._schema.add(rel_type)
        with self.lock:
            for statement in statements:
                self.db.command("sql", statement)

    def warm_up(self) -> None:
        """The Persona type declared and what the index first needs of the graph read."""
        self.prepare(labels=["Persona"])
        with self.lock:
            self.index.warm_up(self.db)

    def presolve_nodes(self, rows: list[dict[str, Any]]) -> NodeRows:
        """The rows with their ids and, when no id repeats, their JSON (``arcade_json.encode``),
        made in the calling thread (the importer's reading thread) for ``add_nodes``."""
        ready = NodeRows(rows)
        ready.ids = [row["id"] for row in rows]
        if len(set(ready.ids)) == len(ready.ids):
            ready.encoded = _encode(rows)
        return ready

    def add_nodes(self, label: str, rows: list[dict[str, Any]]) -> int:
        """Create the rows whose ``id`` is not in the graph yet (first of equal ids wins)."""
        self.prepare(labels=[label])
        with self.lock:
            if (
                isinstance(rows, NodeRows)
                and rows.encoded is not None
                and self.index.known_new(self.db, label, rows.ids)
            ):  # presolved, and every id new: their JSON as it was made
                create = functools.partial(_bridge.create_vertices, encoded=rows.encoded)
                self._write_vertices(label, [(rows, rows.ids, create)])
                return len(rows)
            known = self.index.rids(self.db, label, (row["id"] for row in rows))
            fresh: dict[str, dict[str, Any]] = {}
            for row in rows:
                if row["id"] not in known and row["id"] not in fresh:
                    fresh[row["id"]] = row
            if not fresh:
                return 0
            # Rows orjson cannot write as the engine should read them (a list property such as
            # labels, a float that is not finite) go through the wrapper's create_vertices.
            ready = [row for row in fresh.values() if _json_ready(row)]
            other = [row for row in fresh.values() if not _json_ready(row)] if len(ready) < len(fresh) else []
            self._write_vertices(
                label,
                [
                    (part, [row["id"] for row in part], create)
                    for part, create in ((ready, _bridge.create_vertices), (other, _wrapper_vertices))
                    if part
                ],
            )
            return len(fresh)

    def _write_vertices(
        self, label: str, parts: list[tuple[list[dict[str, Any]], list[str], Callable[..., list[str]]]]
    ) -> None:
        """One batch for the parts (rows, their ids, the call that creates them); the index learns
        the new ids, and forgets everything if the write fails."""
        try:
            with self.db.graph_batch(use_wal=True) as batch:
                for rows, ids, create in parts:
                    self.index.add_nodes(label, ids, create(batch, label, rows))
                    checkpoint("bulk_nodes")
        except BaseException:
            self.index.forget()
            raise

    def add_edges(self, rows: list[tuple[str, str, str, dict[str, Any]]]) -> EdgeCounts:
        """Create typed edges between personas by id; an edge already there is not made twice."""
        return self.add_edge_groups(EdgeGroups.of(rows))

    def presolve(self, groups: EdgeGroups) -> None:
        """Ends to RIDs and the engine's rows for the edges of ``groups`` whose two personas the
        index knows, so the writing thread (which holds the engine up while it runs Python) only
        checks and writes them. Called from the importer's reading thread, without the lock: it
        reads the index's dicts (single reads are atomic) and writes only into ``groups``. What it
        does not find is left for ``add_edge_groups``; a ``forget`` in between voids all of it."""
        generation = self.index.generation
        people = self.index.nodes.get("Persona")
        if people is None or not people.complete:
            return
        rids: dict[str, str] = people.members  # type: ignore[assignment]
        get = rids.get
        for rel_type, pairs in groups.by_type.items():
            ids: list[tuple[str, str]] = []
            rid_pairs: list[tuple[str, str]] = []
            rows: list[Any] = []
            left: dict[tuple[str, str], Any] = {}
            for pair, props in pairs.items():
                a, b = get(pair[0]), get(pair[1])
                if a is None or b is None or "_src" in props or "_dst" in props or not _json_ready(props):
                    left[pair] = props
                    continue
                ids.append(pair)
                rid_pairs.append((a, b))
                rows.append({"_src": a, "_dst": b, **props})
            groups.presolved[rel_type] = (ids, rid_pairs, rows, left)
        groups.presolved_generation = generation

    def add_edge_groups(self, groups: EdgeGroups) -> EdgeCounts:
        """``add_edges`` for rows already grouped by type and folded (``EdgeGroups``)."""
        counts = EdgeCounts()
        self.prepare(labels=["Persona"], rel_types=sorted(groups.by_type))
        with self.lock:
            presolved = groups.presolved if groups.presolved_generation == self.index.generation else {}
            rids = self.index.rid_lookup(
                self.db,
                "Persona",
                lambda: {
                    end
                    for rel_type, pairs in groups.by_type.items()
                    for pair in (presolved[rel_type][3] if rel_type in presolved else pairs)
                    for end in pair
                },
            )
            unmatched = 0
            # Per type: the rows for the engine (a dict {"_src", "_dst", props} for the bridge, or a
            # (src RID, dst RID, props) tuple for the wrapper: a property orjson would not write as it
            # is) and the new RID pairs.
            plans: list[tuple[str, list[Any], list[tuple[str, str]], bool]] = []
            for rel_type, pairs in groups.by_type.items():
                if rel_type in presolved:
                    ids, rid_pairs, rows, left = presolved[rel_type]
                    if left:  # copies: the lists stay as presolve made them
                        ids, rid_pairs, rows = list(ids), list(rid_pairs), list(rows)
                else:
                    ids, rid_pairs, rows, left = [], [], [], pairs
                mixed = False
                for (src, dst), props in left.items():
                    a, b = rids.get(src), rids.get(dst)
                    if a is None or b is None:
                        unmatched += groups.weight(rel_type, src, dst)
                        continue
                    ids.append((src, dst))
                    rid_pairs.append((a, b))
                    if "_src" in props or "_dst" in props or not _json_ready(props):
                        rows.append((a, b, props))
                        mixed = True
                    else:
                        rows.append({"_src": a, "_dst": b, **props})
                present = self.index.present(self.db, rel_type, ids, rid_pairs)
                if present:
                    keep = [i for i, pair in enumerate(rid_pairs) if pair not in present]
                    rid_pairs, rows = [rid_pairs[i] for i in keep], [rows[i] for i in keep]
                if rid_pairs:
                    plans.append((rel_type, rows, rid_pairs, mixed))
            counts.unmatched, counts.matched = unmatched, groups.rows - unmatched
            parts = [
                (
                    len(new),
                    functools.partial(_write_rows, rel_type, rows, mixed),
                    functools.partial(self.index.add_edges, rel_type, new),
                )
                for rel_type, rows, new, mixed in plans
            ]
            counts.created = self._write_edges(parts)
            return counts

    def _write_edges(self, parts: Sequence[tuple[int, Callable[[Any], None], Callable[[], None]]]) -> int:
        """One batch for all ``parts`` (how many edges, the call that writes them into the batch, the
        call that tells the index); returns how many edges were made. Called with the lock held."""
        if not parts:
            return 0
        # The marker stays if this process dies before the batch closes (integrity.py).
        marker = in_flight_marker(self.path)
        marker.touch()
        try:
            # One batch for all types: closing it links every edge at both ends.
            with self.db.graph_batch(use_wal=True, expected_edge_count=sum(p[0] for p in parts)) as batch:
                for _, write, _ in parts:
                    write(batch)
                # One flush for all types: a flush per type cost the engine 21% more CPU on the
                # same 900k edges (engine alone, 300k personas: 92.9 s against 76.7 s, load ~25).
                batch.flush()
                for _ in parts:  # a kill point per type, as before: each between the flush and the close
                    checkpoint("bulk_edges")
            marker.unlink(missing_ok=True)
            for _, _, remember in parts:
                remember()
        except BaseException:
            self.index.forget()
            raise
        return sum(p[0] for p in parts)

    # -- relations read as columns (ingest.relation_columns) -------------------------------
    def _persona_table(self, people: _Known) -> PersonaTable | None:
        """The index's persona ids as a ``PersonaTable``, made again once the index holds 1% more
        ids than it did (personas written since); None if a RID is out of the numeric range."""
        table = self.index.persona_table
        if table is not None and len(people.members) <= table.size * 1.01:
            return table
        members: dict[str, str] = people.members  # type: ignore[assignment]
        with self.lock:  # the writing thread changes the map only with the lock held
            ids, rids = list(members), list(members.values())
        try:
            table = PersonaTable.of(ids, rids)
        except OutOfRange:
            return None
        self.index.persona_table = table
        return table

    def presolve_columns(self, edges: EdgeColumns) -> None:
        """What ``presolve`` does, for relations read as columns: both ends of every row looked up
        in the ``PersonaTable`` at once, and each type's rows made into the engine's JSON by whole
        columns. A batch with an end the table lacks (a persona not in the graph, or written after
        the table was made) is turned into ``EdgeGroups`` here and presolved as such."""
        import orjson
        import pyarrow as pa
        import pyarrow.compute as pc

        generation = self.index.generation
        people = self.index.nodes.get("Persona")
        table = self._persona_table(people) if people is not None and people.complete else None
        if table is None:
            return
        members: dict[str, str] = people.members  # type: ignore[union-attr,assignment]
        presolved: dict[str, Any] = {}
        for rel_type, part in edges.by_type.items():
            src_at, src_ok = table.find(part.src_codes)
            dst_at, dst_ok = table.find(part.dst_codes)
            found = src_ok & dst_ok
            if not found.all():
                missing = set(part.src.filter(pa.array(~src_ok)).to_pylist())
                missing.update(part.dst.filter(pa.array(~dst_ok)).to_pylist())
                if any(members.get(node_id) is not None for node_id in missing):
                    # written after the table was made: the rows as EdgeGroups, presolved as such
                    edges.fallback = edges.groups()
                    self.presolve(edges.fallback)
                    return
                edges.missing.update(missing)  # not in the graph now; add_edge_columns asks again
                edges.unmatched += int(len(found) - found.sum())
                src_at, dst_at, part = src_at[found], dst_at[found], part.subset(found)
            pieces: list[Any] = [
                '{"_src":"',
                table.rids.take(pa.array(src_at)),
                '","_dst":"',
                table.rids.take(pa.array(dst_at)),
                '"',
            ]
            for name, values in part.props.items():
                key = "," + orjson.dumps(name).decode() + ":"
                if isinstance(values, str):
                    pieces.append(key + orjson.dumps(values).decode())
                    continue
                coded = values.dictionary_encode()
                texts = pa.array([orjson.dumps(v).decode() for v in coded.dictionary.to_pylist()], type=pa.string())
                pieces += [key, texts.take(coded.indices)]
            pieces.append("},")
            rows = pc.binary_join_element_wise(*pieces, "")
            presolved[rel_type] = (rows, _json_list(rows), table.rid_numbers[src_at], table.rid_numbers[dst_at])
        edges.presolved = presolved
        edges.presolved_generation = generation

    def add_edge_columns(self, edges: EdgeColumns) -> EdgeCounts:
        """``add_edge_groups`` for relations read as columns and presolved (``presolve_columns``):
        edges already in the graph found by RID codes, the rest written as the JSON made for them.
        Any other batch goes through ``add_edge_groups``."""
        self.prepare(labels=["Persona"], rel_types=sorted(edges.by_type))
        with self.lock:
            known = {rel_type: self.index.numeric_edges(self.db, rel_type) for rel_type in edges.presolved}
            if (
                edges.presolved_generation != self.index.generation
                or set(edges.presolved) != set(edges.by_type)
                or any(pairs is None for pairs in known.values())
                or (edges.missing and self.index.rids(self.db, "Persona", edges.missing))  # written since
            ):
                return self.add_edge_groups(edges.fallback or edges.groups())
            parts = []
            for rel_type, (rows, encoded, src, dst) in edges.presolved.items():
                present = known[rel_type].found_codes(src, dst)  # type: ignore[union-attr]
                if present.any():
                    keep = ~present
                    src, dst, encoded = src[keep], dst[keep], _json_list(rows.filter(keep))
                if len(src):
                    write = functools.partial(_write_json, rel_type, encoded)
                    parts.append((len(src), write, functools.partial(self.index.add_edge_codes, rel_type, src, dst)))
            counts = EdgeCounts(matched=edges.rows - edges.unmatched, unmatched=edges.unmatched)
            counts.created = self._write_edges(parts)
            return counts


def _write_rows(rel_type: str, rows: list[Any], mixed: bool, batch: Any) -> None:
    """Rows of ``add_edge_groups``: dicts for the bridge, (src RID, dst RID, props) tuples for the wrapper."""
    other = [row for row in rows if type(row) is tuple] if mixed else []
    ready = [row for row in rows if type(row) is dict] if mixed else rows
    if ready:
        _bridge.new_edges(batch, rel_type, ready)
    if other:
        batch.new_edges([o[0] for o in other], rel_type, [o[1] for o in other], [o[2] for o in other])


def _write_json(rel_type: str, encoded: bytes, batch: Any) -> None:
    _bridge.new_edges(batch, rel_type, [], encoded=encoded)


def _json_list(rows: Any) -> bytes:
    """The JSON array of ``rows`` (a pyarrow string array of objects, each ending with a comma)."""
    import numpy as np

    offsets = np.frombuffer(rows.buffers()[1], dtype=np.int32)[rows.offset : rows.offset + len(rows) + 1]
    body = memoryview(rows.buffers()[2])[int(offsets[0]) : int(offsets[-1]) - 1]  # the last comma dropped
    return b"[" + bytes(body) + b"]"


def _wrapper_vertices(batch: Any, label: str, rows: list[dict[str, Any]]) -> list[str]:
    return list(batch.create_vertices(label, rows))
