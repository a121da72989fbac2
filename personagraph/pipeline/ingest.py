"""Import personas, texts and relations from files in the formats users already have.

Recognised records (``kind="auto"`` looks at the keys):
- personas: ``persona`` (Persona Hub, FinePersonas with ``id`` and ``labels``), ``input persona``
  (Persona Hub synthesized-sample files), or ``text`` with ``kind="personas"``;
- texts: ``text`` (optionally ``source``);
- relations: ``src``, ``dst``, ``type`` and optional properties; ``src``/``dst`` are persona ids
  or persona texts (a text is hashed to its id and the persona created if missing).

Records are validated a batch at a time before any of the batch is written, so a malformed line
stops the import with ``file:line: reason`` and nothing of its batch in the graph.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from functools import partial
from pathlib import Path
from typing import Any, Literal

from pydantic import ValidationError

from personagraph.errors import MalformedInputError, VocabularyError
from personagraph.formats import read_records
from personagraph.ids import persona_id
from personagraph.models import Persona, Relation, SourceText
from personagraph.pipeline.near_duplicates import remap_relations, write_personas
from personagraph.pipeline.resolve import Resolver
from personagraph.store.graph import GraphStore, chunked

Kind = Literal["auto", "personas", "texts", "relations"]
_ID = re.compile(r"^p_[0-9a-f]{16}$")
_RELATION_KEYS = {"src", "dst", "type"}


@dataclass
class ImportReport:
    path: str
    kind: str = "auto"
    records: int = 0
    personas_new: int = 0
    texts_new: int = 0
    relations: int = 0
    relations_unmatched: int = 0
    skipped: list[tuple[int, str]] = field(default_factory=list)

    def as_dict(self) -> dict[str, Any]:
        return {
            "path": self.path,
            "kind": self.kind,
            "records": self.records,
            "personas_new": self.personas_new,
            "texts_new": self.texts_new,
            "relations": self.relations,
            "relations_unmatched": self.relations_unmatched,
            "skipped": len(self.skipped),
        }


def detect_kind(record: dict[str, Any]) -> str:
    keys = set(record)
    if keys >= _RELATION_KEYS:
        return "relations"
    if "persona" in keys or "input persona" in keys:
        return "personas"
    if "text" in keys:
        return "texts"
    raise ValueError(f"cannot tell what this record is (keys: {', '.join(sorted(keys)) or 'none'})")


def _labels(value: Any) -> list[str] | None:
    if value is None or value == "":
        return None
    if isinstance(value, str):
        try:
            value = json.loads(value)
        except json.JSONDecodeError:
            return [part.strip() for part in value.split(",") if part.strip()]
    if isinstance(value, (list, tuple)):
        return [str(v) for v in value]
    return [str(value)]


def parse_persona(record: dict[str, Any]) -> Persona:
    text = record.get("persona", record.get("input persona", record.get("text")))
    if not isinstance(text, str):
        raise ValueError("missing persona text (field 'persona', 'input persona' or 'text')")
    return Persona(
        text=text,
        origin="import",
        labels=_labels(record.get("labels")),
        source_id=str(record["id"]) if record.get("id") is not None else None,
    )


def parse_text(record: dict[str, Any]) -> SourceText:
    text = record.get("text")
    if not isinstance(text, str):
        raise ValueError("missing 'text' field")
    source = record.get("source", record.get("url"))
    return SourceText(text=text, source=str(source) if source is not None else None)


def _endpoint(value: Any) -> tuple[str, Persona | None]:
    if not isinstance(value, str) or not value.strip():
        raise ValueError("relation endpoint must be a persona id or text")
    value = value.strip()
    if _ID.match(value):
        return value, None
    persona = Persona(text=value, origin="import")
    return persona.id, persona


def parse_relation(record: dict[str, Any], store: GraphStore) -> tuple[Relation, list[Persona]]:
    src, src_persona = _endpoint(record.get("src"))
    dst, dst_persona = _endpoint(record.get("dst"))
    rel_type = str(record.get("type", ""))
    canonical = store.vocabulary.resolve(rel_type)
    if canonical is None:
        raise VocabularyError(f"unknown relation type {rel_type!r}")
    props = {k: v for k, v in record.items() if k not in _RELATION_KEYS and isinstance(v, (str, int, float, bool))}
    props.setdefault("run", "import")
    relation = Relation(src=src, dst=dst, type=canonical, props=props)
    return relation, [p for p in (src_persona, dst_persona) if p is not None]


def _parsed(path: Path, kind: str, store: GraphStore, skip_bad: bool, report: ImportReport) -> Iterator[tuple[int, Any]]:
    for line, record in read_records(path):
        try:
            if "__error__" in record:
                raise ValueError(record["__error__"])
            record_kind = kind if kind != "auto" else detect_kind(record)
            if report.kind == "auto":
                report.kind = record_kind
            if record_kind == "personas":
                yield line, parse_persona(record)
            elif record_kind == "texts":
                yield line, parse_text(record)
            else:
                yield line, parse_relation(record, store)
        except (ValueError, ValidationError, VocabularyError) as exc:
            reason = _reason(exc)
            if not skip_bad:
                raise MalformedInputError(str(path), line, reason) from exc
            report.skipped.append((line, reason))


def _reason(exc: Exception) -> str:
    if isinstance(exc, ValidationError):
        first = exc.errors()[0]
        where = ".".join(str(p) for p in first.get("loc", ())) or "record"
        return f"{where}: {first.get('msg', 'invalid')}"
    return str(exc)


def import_file(
    store: GraphStore,
    path: str | Path,
    kind: Kind = "auto",
    skip_bad: bool = False,
    batch_size: int = 5000,
    progress: Callable[[int], None] | None = None,
    resolver: Resolver | None = None,
) -> ImportReport:
    """Import one file; re-importing the same file adds nothing (content-hash ids).

    With a ``resolver`` (e.g. ``NearDuplicateResolver``), near-duplicates of personas already in
    the graph or earlier in the file are not written: they become aliases of the canonical one.
    """
    path = Path(path)
    report = ImportReport(path=str(path), kind=kind)
    store.ensure_schema()
    resolved: dict[str, str] = {}  # near-duplicate id -> canonical id (with a resolver)
    write = partial(store.upsert_personas, batch_size=batch_size)
    for chunk in chunked(_parsed(path, kind, store, skip_bad, report), batch_size):
        items = [item for _, item in chunk]
        report.records += len(items)
        personas = [i for i in items if isinstance(i, Persona)]
        texts = [i for i in items if isinstance(i, SourceText)]
        relations = [i for i in items if isinstance(i, tuple)]
        if personas:
            report.personas_new += write_personas(store, personas, resolver, resolved, write)
        if texts:
            report.texts_new += store.upsert_texts(texts, batch_size=batch_size)
        if relations:
            endpoints = [p for _, ps in relations for p in ps]
            if endpoints:
                report.personas_new += write_personas(store, endpoints, resolver, resolved, write)
            written = store.add_relations(remap_relations([rel for rel, _ in relations], resolved), batch_size=batch_size)
            report.relations += written
            report.relations_unmatched += len(relations) - written
        if progress:
            progress(len(items))
    return report


__all__ = ["ImportReport", "detect_kind", "import_file", "persona_id"]
