"""Write the whole graph as JSONL, Parquet (Hugging Face `datasets` loads both) or GraphML, losslessly.

Every property of every node and edge is written, texts, samples, batches, clusters, dedup runs
and their edges included (``graph_rows`` lists the files), with ``export.json`` naming each file,
its kind and row count; ``personagraph import FOLDER`` reads it back (``graph_read``), and
export → import → export gives identical files. The folder is written beside the target and
swapped in at the end (``folder``): a failed or killed export leaves the previous one intact.

Memory does not grow with the graph: rows stream from keyset pages to JSONL; Parquet and GraphML,
which declare their columns first, are made from that JSONL afterwards (``column_kinds``).
Measured on 200k relations (benchmarks/export.py, docs/limits.md).
"""

from __future__ import annotations

import json
import os
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path
from typing import Any

from personagraph.errors import ConfigError
from personagraph.export.column_kinds import ColumnKinds, to_json_text
from personagraph.export.folder import replaced_folder
from personagraph.export.graph_rows import KINDS, Kind, rows_of, unexported
from personagraph.store.graph import GraphStore, chunked

GRAPH_FORMATS = ("jsonl", "parquet", "graphml")
MANIFEST = "export.json"
FORMAT_NAME = "personagraph-graph"
PARQUET_META = b"personagraph"


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
    """Rows that share one set of columns (the samples export) as Parquet."""
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


def _jsonl_with_kinds(rows: Iterable[dict[str, Any]], path: Path) -> tuple[int, ColumnKinds]:
    kinds = ColumnKinds()
    count = 0
    with path.open("w", encoding="utf-8") as handle:
        for row in rows:
            handle.write(json.dumps(row, ensure_ascii=False, default=str) + "\n")
            kinds.add(row)
            count += 1
    return count, kinds


def iter_jsonl(path: Path) -> Iterator[dict[str, Any]]:
    import orjson

    with path.open("rb") as handle:
        for line in handle:
            yield orjson.loads(line)


def lead_columns(kind: Kind) -> list[str]:
    return ["id"] if kind.label else ["src", "dst", "type"]


def _arrow_type(resolved: str) -> Any:
    import pyarrow as pa

    scalars = {"bool": pa.bool_(), "int": pa.int64(), "float": pa.float64(), "str": pa.string(), "json": pa.string()}
    if resolved.startswith("list["):
        return pa.list_(scalars.get(resolved[5:-1], pa.string()))
    return scalars[resolved]


def jsonl_to_parquet(source: Path, path: Path, kind: Kind, kinds: ColumnKinds, batch: int = 20000) -> None:
    """The JSONL rows as one Parquet file, a typed column each; mixed columns as JSON text (in the metadata)."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    lead = lead_columns(kind)
    names = lead + sorted(set(kinds.kinds) - set(lead))
    json_columns = kinds.json_columns()
    meta = {"json_columns": json_columns}
    schema = pa.schema(
        [pa.field(name, _arrow_type(kinds.resolved(name))) for name in names],
        metadata={PARQUET_META: json.dumps(meta).encode()},
    )
    with pq.ParquetWriter(path, schema) as writer:
        for chunk in chunked(iter_jsonl(source), batch):
            if json_columns:
                for row in chunk:
                    for name in json_columns:
                        if name in row:
                            row[name] = to_json_text(row[name])
            writer.write_table(pa.Table.from_pylist(chunk, schema=schema))


def export_graph(
    store: GraphStore,
    out_dir: str | Path,
    fmt: str = "jsonl",
    note: Callable[[str], None] | None = None,
    page_size: int = 10000,
) -> dict[str, Any]:
    """Write every node and edge of ``store`` into ``out_dir`` (replaced whole); returns files and counts."""
    if fmt not in GRAPH_FORMATS:
        raise ConfigError(f"unknown export format {fmt!r}", hint=f"choose one of {', '.join(GRAPH_FORMATS)}")
    out = Path(out_dir)
    counts: dict[str, int] = {}
    entries: list[dict[str, Any]] = []
    kinds: list[Kind] = []
    with replaced_folder(out) as work:
        written: list[tuple[Kind, Path, ColumnKinds]] = []
        for kind in KINDS:
            path = work / (f"{kind.stem}.jsonl" if fmt == "jsonl" else f".{kind.stem}.jsonl")
            rows, columns = _jsonl_with_kinds(rows_of(store, kind, page_size), path)
            if not rows and kind.stem not in ("personas", "relations"):  # those two are always written
                path.unlink()
                continue
            counts[kind.stem] = rows
            kinds.append(kind)
            written.append((kind, path, columns))
        nodes = sum(counts[kind.stem] for kind in kinds if kind.label)
        skipped = unexported(store, nodes, sum(counts.values()) - nodes)
        for line in skipped:
            if note is not None:
                note(f"not exported: {line}")
        if fmt == "parquet":
            for kind, path, columns in written:
                jsonl_to_parquet(path, work / f"{kind.stem}.parquet", kind, columns)
                path.unlink()
        elif fmt == "graphml":
            from personagraph.export.graphml import write_graphml

            write_graphml([(kind, path, columns) for kind, path, columns in written], work / "graph.graphml")
            for _, path, _ in written:
                path.unlink()
        files = ["graph.graphml"] if fmt == "graphml" else [f"{kind.stem}.{fmt}" for kind in kinds]
        for kind in kinds:
            entry = {"stem": kind.stem, **kind.as_dict(), "rows": counts[kind.stem]}
            if fmt != "graphml":
                entry["file"] = f"{kind.stem}.{fmt}"
            entries.append(entry)
        manifest = {"format": FORMAT_NAME, "version": 1, "data": fmt, "files": files, "kinds": entries}
        if skipped:
            manifest["not_exported"] = skipped
        (work / MANIFEST).write_text(json.dumps(manifest, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
    return {
        "files": [str(out / name) for name in files],
        "personas": counts.get("personas", 0),
        "relations": counts.get("relations", 0),
        "counts": counts,
        "skipped": skipped,
    }
