"""Write the persona graph as JSONL, Parquet (Hugging Face `datasets` loads both) and GraphML."""

from __future__ import annotations

import json
import os
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any

from personagraph.errors import ConfigError
from personagraph.store.graph import GraphStore, chunked

GRAPH_FORMATS = ("jsonl", "parquet", "graphml")
PERSONA_FIELDS = ("id", "text", "origin", "hop", "cluster", "uses")


def _atomic(path: Path) -> Path:
    return path.with_name(f".{path.name}.partial")


def write_jsonl(rows: Iterable[dict[str, Any]], path: Path) -> int:
    tmp = _atomic(path)
    count = 0
    with tmp.open("w", encoding="utf-8") as handle:
        for row in rows:
            handle.write(json.dumps(row, ensure_ascii=False, default=str) + "\n")
            count += 1
    os.replace(tmp, path)
    return count


def write_parquet(rows: Iterable[dict[str, Any]], path: Path, batch_size: int = 50000) -> int:
    import pyarrow as pa
    import pyarrow.parquet as pq

    tmp = _atomic(path)
    writer = None
    count = 0
    try:
        for chunk in chunked(rows, batch_size):
            table = pa.Table.from_pylist(chunk)
            if writer is None:
                writer = pq.ParquetWriter(tmp, table.schema)
            writer.write_table(table.cast(writer.schema))
            count += len(chunk)
    finally:
        if writer is not None:
            writer.close()
    if writer is None:
        pq.write_table(pa.table({}), tmp)
    os.replace(tmp, path)
    return count


RELATION_FIELDS = ("run", "model", "prompt", "evidence", "hop", "count")


def _relation_rows(store: GraphStore) -> Iterator[dict[str, Any]]:
    """Flat rows with a fixed set of columns, so that every Parquet batch shares one schema."""
    for row in store.iter_relations():
        props = row.get("props") or {}
        flat: dict[str, Any] = {"src": row["src"], "dst": row["dst"], "type": row["type"]}
        for key in RELATION_FIELDS:
            value = props.get(key)
            flat[key] = None if value is None else (int(value) if key in ("hop", "count") else str(value))
        yield flat


def write_graphml(store: GraphStore, path: Path) -> tuple[int, int]:
    import networkx as nx

    graph = nx.MultiDiGraph()
    for row in store.iter_personas(fields=PERSONA_FIELDS):
        graph.add_node(row["id"], **{k: v for k, v in row.items() if k != "id" and v is not None})
    for row in store.iter_relations():
        props = {k: v for k, v in (row.get("props") or {}).items() if isinstance(v, (str, int, float, bool))}
        graph.add_edge(row["src"], row["dst"], key=row["type"], type=row["type"], **props)
    tmp = _atomic(path)
    nx.write_graphml(graph, tmp)
    os.replace(tmp, path)
    return graph.number_of_nodes(), graph.number_of_edges()


def export_graph(store: GraphStore, out_dir: str | Path, fmt: str = "jsonl") -> dict[str, Any]:
    """Write ``personas.<ext>`` and ``relations.<ext>`` (or ``graph.graphml``) into ``out_dir``."""
    if fmt not in GRAPH_FORMATS:
        raise ConfigError(f"unknown export format {fmt!r}", hint=f"choose one of {', '.join(GRAPH_FORMATS)}")
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    if fmt == "graphml":
        nodes, edges = write_graphml(store, out / "graph.graphml")
        return {"files": [str(out / "graph.graphml")], "personas": nodes, "relations": edges}
    writer = write_jsonl if fmt == "jsonl" else write_parquet
    personas = writer(store.iter_personas(fields=PERSONA_FIELDS), out / f"personas.{fmt}")
    relations = writer(_relation_rows(store), out / f"relations.{fmt}")
    return {
        "files": [str(out / f"personas.{fmt}"), str(out / f"relations.{fmt}")],
        "personas": personas,
        "relations": relations,
    }
