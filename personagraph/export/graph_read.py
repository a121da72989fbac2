"""Read an ``export graph`` folder (JSONL, Parquet or GraphML, named by its ``export.json``) back.

Nodes are created with exactly their exported properties (``cypher/export/restore_*``: a node
whose id exists is left as it is), then edges: persona-to-persona ones through the bulk writer,
structural ones (DERIVED_FROM, USED_IN, GENERATED_BY) through their restore queries. Reading an
export twice adds nothing. Rows stream in chunks; memory does not grow with the file.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from personagraph.errors import InputError, MalformedInputError, MissingFileError
from personagraph.export.column_kinds import from_json_text
from personagraph.export.graph_files import FORMAT_NAME, MANIFEST, PARQUET_META, iter_jsonl
from personagraph.export.graph_rows import EDGE_KEYS, PERSONA_EDGE, Kind
from personagraph.export.neo4j_admin import EDGE_QUERIES, NODE_QUERIES
from personagraph.store.graph import GraphStore

CHUNK = 2000  # rows a restore query (the importer's Cypher chunk)
RELATION_CHUNK = 20000  # persona edges a bulk write


@dataclass
class GraphReadReport:
    nodes: dict[str, int] = field(default_factory=dict)  # label -> rows read
    relationships: dict[str, int] = field(default_factory=dict)  # type -> rows read


def is_export_folder(path: Path) -> bool:
    """A folder written by ``export graph --format jsonl|parquet|graphml``."""
    return path.is_dir() and (path / MANIFEST).is_file()


def _manifest(folder: Path) -> dict[str, Any]:
    path = folder / MANIFEST
    try:
        manifest = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise MalformedInputError(str(path), 1, f"not a readable export manifest ({exc})") from exc
    if not isinstance(manifest, dict) or manifest.get("format") != FORMAT_NAME:
        raise MalformedInputError(str(path), 1, f"not a PersonaGraph export manifest (format != {FORMAT_NAME!r})")
    return manifest


def _parquet_rows(path: Path) -> Iterator[dict[str, Any]]:
    import pyarrow.parquet as pq

    parquet = pq.ParquetFile(path)
    meta = (parquet.schema_arrow.metadata or {}).get(PARQUET_META)
    json_columns = set(json.loads(meta).get("json_columns", [])) if meta else set()
    for batch in parquet.iter_batches(batch_size=10000):
        for row in batch.to_pylist():
            yield {
                key: (from_json_text(value) if key in json_columns else value)
                for key, value in row.items()
                if value is not None
            }


class _Restorer:
    """Buffers rows by kind and writes them a chunk at a time; nodes are flushed before any edge."""

    def __init__(self, store: GraphStore, where: str) -> None:
        self.store, self.where = store, where
        self.nodes: dict[str, list[dict[str, Any]]] = {}
        self.structural: dict[str, list[dict[str, Any]]] = {}
        self.persona_edges: list[tuple[str, str, str, dict[str, Any]]] = []
        self.report = GraphReadReport()

    def node(self, label: str, row: dict[str, Any]) -> None:
        if label not in NODE_QUERIES:
            raise InputError(f"{self.where}: label {label!r} cannot be read back (known: {', '.join(NODE_QUERIES)})")
        if "id" not in row:
            raise InputError(f"{self.where}: a {label} node without an id")
        props = {key: value for key, value in row.items() if key != "id"}  # MERGE sets the id
        pending = self.nodes.setdefault(label, [])
        pending.append({"id": row["id"], "props": props})
        self.report.nodes[label] = self.report.nodes.get(label, 0) + 1
        if len(pending) >= CHUNK:
            self._flush_nodes(label)

    def edge(self, kind: tuple[str, str, str], row: dict[str, Any]) -> None:
        self.flush_nodes()
        rel_type = str(row.get("type") or kind[1])
        props = {key: value for key, value in row.items() if key not in EDGE_KEYS}
        if kind[0] == kind[2] == "Persona":
            self.persona_edges.append((row["src"], row["dst"], rel_type, props))
            if len(self.persona_edges) >= RELATION_CHUNK:
                self._flush_persona_edges()
        elif (kind[0], rel_type, kind[2]) in EDGE_QUERIES:
            query = EDGE_QUERIES[(kind[0], rel_type, kind[2])]
            pending = self.structural.setdefault(query, [])
            pending.append({"src": row["src"], "dst": row["dst"], "props": props})
            if len(pending) >= CHUNK:
                self.store.run(f"export/restore_{query}", rows=pending)
                pending.clear()
        else:
            raise InputError(f"{self.where}: edge ({kind[0]})-[:{rel_type}]->({kind[2]}) cannot be read back")
        self.report.relationships[rel_type] = self.report.relationships.get(rel_type, 0) + 1

    def _flush_nodes(self, label: str) -> None:
        rows = self.nodes.get(label)
        if rows:
            self.store.run(f"export/restore_{NODE_QUERIES[label]}", rows=rows)
            rows.clear()

    def flush_nodes(self) -> None:
        for label in list(self.nodes):
            self._flush_nodes(label)

    def _flush_persona_edges(self) -> None:
        if self.persona_edges:
            self.store.bulk_add_relations(self.persona_edges)
            self.persona_edges = []

    def finish(self) -> GraphReadReport:
        self.flush_nodes()
        self._flush_persona_edges()
        for query, rows in self.structural.items():
            if rows:
                self.store.run(f"export/restore_{query}", rows=rows)
                rows.clear()
        return self.report


def read_graph_export(store: GraphStore, directory: str | Path) -> GraphReadReport:
    """Create every node, then every edge, of an ``export graph`` folder in ``store``."""
    folder = Path(directory)
    manifest = _manifest(folder)
    fmt = manifest.get("data")
    for name in manifest.get("files", []):
        if not (folder / name).is_file():
            raise MissingFileError(f"{folder / name}: named in {folder / MANIFEST} but missing")
    store.ensure_schema()
    if fmt == "graphml":
        return read_graphml_file(store, folder / "graph.graphml")
    restorer = _Restorer(store, str(folder))
    kinds = [Kind.from_dict(entry["stem"], entry) for entry in manifest.get("kinds", [])]
    kinds.sort(key=lambda kind: kind.label is None)  # every node before any edge
    for kind in kinds:
        path = folder / f"{kind.stem}.{fmt}"
        restorer.where = str(path)
        rows = iter_jsonl(path) if fmt == "jsonl" else _parquet_rows(path)
        for row in rows:
            if kind.label:
                restorer.node(kind.label, row)
            else:
                assert kind.edge is not None
                edge = kind.edge if kind.edge != PERSONA_EDGE else ("Persona", str(row.get("type")), "Persona")
                restorer.edge(edge, row)
    return restorer.finish()


def read_graphml_file(store: GraphStore, path: Path) -> GraphReadReport:
    """The nodes and edges of a GraphML file written by ``export graph --format graphml``."""
    from personagraph.export.graphml import LABEL_KEY, read_graphml

    restorer = _Restorer(store, str(path))
    for element, row in read_graphml(path):
        if element == "node":
            label = str(row.pop(LABEL_KEY))
            restorer.node(label, row)
        else:
            src_label, dst_label = row.pop(":ends")
            restorer.edge((src_label, str(row.get("type")), dst_label), row)
    return restorer.finish()
