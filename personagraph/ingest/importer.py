"""Import personas, texts and relations from files in the formats users already have.

Recognised records (``kind="auto"`` looks at the keys of each record):
- personas: ``persona`` (Persona Hub, FinePersonas with ``id`` and ``labels``), ``input persona``
  (Persona Hub synthesized-sample files), or ``text`` with ``kind="personas"``;
- texts: ``text`` (optionally ``source``);
- relations: ``src``, ``dst``, ``type`` and optional properties; ``src``/``dst`` are persona ids
  or persona texts (a text is hashed to its id and the persona created if missing);
- Character Cards V2/V3 (``.png``, or ``.json`` whose ``spec`` says so): the card's persona and
  its relations to personas already in the graph (``ingest.card_files``).

A file is read in batches. A batch is parsed and checked whole before any of it is written, so a
malformed line stops the import with ``file:line: reason``: the batches before it are in the
graph, nothing of its own batch is. ``skip_bad`` skips such lines and reports them instead.
Reading and checking the next batch runs in a thread while the store writes the current one. On
the embedded store, a relations file in JSON lines is read a block of lines at a time as columns
(``relation_columns``); a block they cannot carry is read line by line, with the same result.
"""

from __future__ import annotations

import functools
import itertools
import queue
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

from personagraph.errors import InputError, MalformedInputError, MissingFileError, VocabularyError
from personagraph.formats import ERROR_KEY, file_format, is_json_lines, jsonl_records, read_records
from personagraph.ids import persona_id
from personagraph.ingest.card_files import card_spec_of, import_card_file
from personagraph.ingest.records import Row, detect_kind, persona_row, relation_row, text_row
from personagraph.ingest.relation_columns import relation_columns
from personagraph.models import Persona
from personagraph.resolve import Resolver
from personagraph.runtime import checkpoint, paused_gc
from personagraph.store.bulk import BulkWriter, EdgeColumns, EdgeGroups, RunNamed
from personagraph.store.graph import GraphStore, Transaction
from personagraph.vocabulary import Vocabulary

Kind = Literal["auto", "personas", "texts", "relations", "cards"]
# Records per batch. The batch API pays a fixed cost per batch (linking edges at close), so the
# embedded store takes big ones; Cypher chunks every batch into transactions of ~2,000 anyway.
BULK_BATCH = 50_000
CYPHER_BATCH = 10_000


@dataclass
class ImportReport:
    path: str
    kind: str = "auto"
    records: int = 0
    personas_new: int = 0
    texts_new: int = 0
    relations: int = 0  # relation rows whose two personas exist (new edge, or one already there)
    relations_new: int = 0
    relations_unmatched: int = 0  # relation rows naming a persona id that is not in the graph
    skipped: list[tuple[int, str]] = field(default_factory=list)
    write_path: str = ""  # "batch-api" (embedded ArcadeDB) or "cypher"
    seconds: float = 0.0
    cpu_seconds: float = 0.0  # the whole process's CPU (the JVM's threads too): the figure for a busy machine

    def as_dict(self) -> dict[str, Any]:
        return {
            "path": self.path,
            "kind": self.kind,
            "records": self.records,
            "personas_new": self.personas_new,
            "texts_new": self.texts_new,
            "relations": self.relations,
            "relations_new": self.relations_new,
            "relations_unmatched": self.relations_unmatched,
            "skipped": len(self.skipped),
            "write_path": self.write_path,
            "seconds": round(self.seconds, 3),
            "cpu_seconds": round(self.cpu_seconds, 3),
        }


@dataclass
class _Batch:
    records: int = 0
    personas: list[Row] = field(default_factory=list)
    texts: list[Row] = field(default_factory=list)
    relations: EdgeGroups = field(default_factory=EdgeGroups)  # grouped here, in the reading thread
    endpoints: list[Row] = field(default_factory=list)  # personas named by text in relations
    edges: EdgeColumns | None = None  # relations read as columns (``relation_columns``), in place of ``relations``


@dataclass
class _Reading:
    """How a file's lines become batches: the import's settings, for ``_record_batches`` and ``_blocks``."""

    kind: str
    vocabulary: Vocabulary
    read: Callable[[str], Any]  # vocabulary.read, cached
    skip_bad: bool
    size: int
    report: ImportReport
    self_loops: bool


def _batches(
    path: Path,
    kind: str,
    vocabulary: Vocabulary,
    skip_bad: bool,
    size: int,
    report: ImportReport,
    self_loops: bool,
    bulk: BulkWriter | None = None,
) -> Iterator[_Batch]:
    """The file's batches. With ``bulk`` (the store's writer), each batch's personas and relations
    are presolved (``BulkWriter.presolve_nodes``, ``presolve``) before it is handed over, so in the
    reading thread, beside the engine's work rather than before it. Where that writer takes
    relations as columns, a JSON-lines file is read in blocks of ``size`` lines, each tried as
    columns first (``relation_columns``) and read line by line when it cannot be."""
    read = functools.lru_cache(maxsize=4096)(vocabulary.read)
    how = _Reading(kind, vocabulary, read, skip_bad, size, report, self_loops)
    if bulk is not None and bulk.takes_columns and kind in ("auto", "relations") and is_json_lines(path):
        batches = _blocks(path, how)
    else:
        batches = _record_batches(read_records(path), how)
    for batch in batches:
        yield _presolved(batch, bulk)


# Blocks in a row that may fail to be read as columns before the rest of a file is read line by line.
_COLUMN_TRIES = 3


def _blocks(path: Path, how: _Reading) -> Iterator[_Batch]:
    """``_record_batches`` for a JSON-lines file, a block of lines at a time: a block of relations
    that ``relation_columns`` can take is one batch of columns. Blocks are tried that way while
    the file starts with a relation, until ``_COLUMN_TRIES`` in a row could not be."""
    import orjson

    tries = _COLUMN_TRIES if how.kind == "relations" else 0
    with path.open("rb") as handle:
        first = 1
        while lines := list(itertools.islice(handle, how.size)):
            if first == 1 and how.kind == "auto":
                try:
                    tries = _COLUMN_TRIES if detect_kind(orjson.loads(lines[0])) == "relations" else 0
                except (ValueError, TypeError):
                    tries = 0
            edges = relation_columns(b"".join(lines), len(lines), how.read, how.self_loops) if tries else None
            if edges is not None:
                tries = _COLUMN_TRIES
                if how.report.kind == "auto":
                    how.report.kind = "relations"
                yield _Batch(records=len(lines), edges=edges)
            else:
                tries = max(tries - 1, 0)
                yield from _record_batches(jsonl_records(lines, first), how)
            first += len(lines)


def _record_batches(records: Iterator[tuple[int, dict[str, Any]]], how: _Reading) -> Iterator[_Batch]:
    report = how.report
    batch = _Batch()
    for line, record in records:
        try:
            if ERROR_KEY in record and len(record) == 1:
                raise ValueError(record[ERROR_KEY])
            record_kind = how.kind if how.kind != "auto" else detect_kind(record)
            if record_kind == "personas":
                batch.personas.append(persona_row(record))
            elif record_kind == "texts":
                batch.texts.append(text_row(record))
            else:
                relation, new = relation_row(record, how.vocabulary, how.read, how.self_loops)
                batch.relations.add(*relation)
                batch.endpoints.extend(new)
            if report.kind == "auto":
                report.kind = record_kind
        except (ValueError, VocabularyError) as exc:
            if not how.skip_bad:
                raise MalformedInputError(report.path, line, str(exc)) from exc
            report.skipped.append((line, str(exc)))
            continue
        batch.records += 1
        if batch.records >= how.size:
            yield batch
            batch = _Batch()
    if batch.records:
        yield batch


def _presolved(batch: _Batch, bulk: BulkWriter | None) -> _Batch:
    if bulk is not None:
        batch.personas = bulk.presolve_nodes(batch.personas)
        if batch.relations:
            bulk.presolve(batch.relations)
        if batch.edges is not None:
            bulk.presolve_columns(batch.edges)
    return batch


_DONE = object()


class _ReadAhead:
    """Runs ``items`` in a thread from the moment it is made, ``depth`` batches ahead; iterating
    gives them in order, and the thread's exception comes out where its batch would have."""

    def __init__(self, items: Iterator[_Batch], depth: int = 2) -> None:
        self.slots: queue.Queue[Any] = queue.Queue(maxsize=depth)
        self.stop = threading.Event()
        self.thread = threading.Thread(target=self._work, args=(items,), name="personagraph-import-reader", daemon=True)
        self.thread.start()

    def _work(self, items: Iterator[_Batch]) -> None:
        try:
            for item in items:
                while not self.stop.is_set():
                    try:
                        self.slots.put(item, timeout=0.2)
                        break
                    except queue.Full:
                        continue
                if self.stop.is_set():
                    return
            self.slots.put(_DONE)
        except BaseException as exc:  # handed to the consumer, raised there in order
            self.slots.put(exc)

    def close(self) -> None:
        self.stop.set()
        self.thread.join(timeout=5)

    def __iter__(self) -> Iterator[_Batch]:
        try:
            while True:
                item = self.slots.get()
                if item is _DONE:
                    return
                if isinstance(item, BaseException):
                    raise item
                yield item
        finally:
            self.close()


def default_batch_size(store: GraphStore) -> int:
    return BULK_BATCH if store.capabilities.bulk_load else CYPHER_BATCH


def _resolve_rows(store: GraphStore, rows: list[Row], resolver: Resolver | None, resolved: dict[str, str]) -> list[Row]:
    """The rows that are not near-duplicates; the others are recorded as aliases and in ``resolved``."""
    if resolver is None:
        return rows
    personas = [Persona(text=r["text"], id=r["id"], origin=r["origin"], hop=r["hop"]) for r in rows]
    mapping = resolver.resolve(store, personas)
    if mapping:
        store.add_aliases(personas, mapping)
        resolved.update(mapping)
    return [r for r in rows if r["id"] not in mapping]


def check_file(path: str | Path) -> None:
    """Raise what ``import_file`` would for a missing file or an unknown format, before any file is read."""
    path = Path(path)
    if path.is_dir():
        raise InputError(f"{path}: is a folder, not a file", hint="give the files in it")
    if not path.is_file():
        raise MissingFileError(f"{path}: no such file")
    if path.suffix.lower() not in (".png", ".charx"):
        file_format(path)


def import_file(
    store: GraphStore,
    path: str | Path,
    kind: Kind = "auto",
    skip_bad: bool = False,
    batch_size: int | None = None,
    progress: Callable[[int], None] | None = None,
    resolver: Resolver | None = None,
    self_loops: bool = False,
) -> ImportReport:
    """Import one file; re-importing the same file adds nothing (content-hash ids, merged edges).

    A Character Card (``.png``, or ``.json`` with a card ``spec``) is recognised with ``kind="auto"``;
    given with another kind it is refused with a hint, before anything is written.

    With a ``resolver`` (e.g. ``NearDuplicateResolver``), near-duplicates of personas already in
    the graph or earlier in the file are not written: they become aliases of the canonical one,
    and relations that name them go to the canonical persona. A relation from a persona to itself
    is a bad line unless ``self_loops``.
    """
    path = Path(path)
    check_file(path)
    card = card_spec_of(path)
    if card is not None and kind not in ("auto", "cards"):
        raise InputError(
            f"{path} is a Character Card ({card}), not {kind} records",
            hint="import it as kind cards or auto",
            param="kind",
        )
    if card is not None or kind == "cards":
        store.ensure_schema()
        figures = import_card_file(store, path)
        return ImportReport(path=str(path), write_path="cypher", **figures)
    started, cpu_started = time.perf_counter(), time.process_time()
    report = ImportReport(path=str(path), kind=kind, write_path=store.bulk.path)
    size = batch_size or default_batch_size(store)
    with paused_gc():
        reader = _ReadAhead(
            _batches(
                path,
                kind,
                store.vocabulary,
                skip_bad,
                size,
                report,
                self_loops,
                store.bulk if resolver is None else None,
            )
        )
        try:
            # The schema and the store's first look at the graph (engine calls, which let the
            # reading thread run) while the first batch is read, rather than after it.
            store.ensure_schema()
            store.bulk.warm_up()
            _import_batches(store, iter(reader), report, resolver, progress)
        finally:
            reader.close()
    report.seconds = time.perf_counter() - started
    report.cpu_seconds = time.process_time() - cpu_started
    return report


def _import_batches(
    store: GraphStore,
    batches: Iterator[_Batch],
    report: ImportReport,
    resolver: Resolver | None,
    progress: Callable[[int], None] | None,
) -> None:
    resolved: dict[str, str] = {}  # near-duplicate id -> canonical id (with a resolver)
    # Over Cypher (Bolt) a batch is written in one transaction, so a batch that fails (the server
    # refuses an edge) leaves none of its personas behind. The batch API of the embedded store
    # commits as it goes; there the checks before the write are what keeps a batch whole. With a
    # resolver, rows are resolved between writes (it reads the graph), so batches are not atomic.
    atomic = store.bulk.path == "cypher" and resolver is None
    for batch in batches:
        if atomic:
            figures = store.transaction(functools.partial(_write_in, store, batch), name="import batch")
        else:
            figures = _write_batch(store, batch, None, resolver, resolved)
        report.personas_new += figures.personas_new
        report.texts_new += figures.texts_new
        report.relations += figures.relations
        report.relations_new += figures.relations_new
        report.relations_unmatched += figures.relations_unmatched
        report.records += batch.records
        checkpoint("import_batch")
        if progress:
            progress(batch.records)


def _write_in(store: GraphStore, batch: _Batch, tx: Transaction) -> ImportReport:
    return _write_batch(store, batch, tx.run)


def _write_batch(
    store: GraphStore,
    batch: _Batch,
    run: RunNamed | None,
    resolver: Resolver | None = None,
    resolved: dict[str, str] | None = None,
) -> ImportReport:
    """Write one batch; its figures as an ImportReport (a fresh one: the store may run this again)."""
    figures = ImportReport(path="")
    resolved = {} if resolved is None else resolved
    if batch.personas:
        rows = _resolve_rows(store, batch.personas, resolver, resolved)
        figures.personas_new += store.bulk.nodes("Persona", rows, run)
    if batch.texts:
        figures.texts_new += store.bulk.nodes("Text", batch.texts, run)
    if batch.endpoints:
        rows = _resolve_rows(store, batch.endpoints, resolver, resolved)
        figures.personas_new += store.bulk.nodes("Persona", rows, run)
    if batch.edges is not None:
        counts = store.bulk.relations(batch.edges, run)
        figures.relations += counts.matched
        figures.relations_new += counts.created
        figures.relations_unmatched += counts.unmatched
    if batch.relations:
        # Relations pointed at canonical personas; one that becomes a self-loop is dropped.
        counts = store.bulk.relations(batch.relations.remapped(resolved), run)
        figures.relations += counts.matched
        figures.relations_new += counts.created
        figures.relations_unmatched += counts.unmatched
    return figures


__all__ = ["ImportReport", "check_file", "default_batch_size", "detect_kind", "import_file", "persona_id"]
