"""Read records from JSONL, CSV and Parquet files, each with the line (or row) it came from."""

from __future__ import annotations

import csv
import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from personagraph.errors import MalformedInputError, MissingFileError, UnsupportedFormatError

SUFFIXES = {".jsonl": "jsonl", ".ndjson": "jsonl", ".json": "jsonl", ".csv": "csv", ".parquet": "parquet"}


def file_format(path: Path) -> str:
    fmt = SUFFIXES.get(path.suffix.lower())
    if fmt is None:
        raise UnsupportedFormatError(
            f"{path}: unsupported format {path.suffix or '(no extension)'!r}",
            hint="use .jsonl, .csv or .parquet",
        )
    return fmt


def read_records(path: str | Path) -> Iterator[tuple[int, dict[str, Any]]]:
    """Yield ``(line, record)``; a record that is not a JSON object raises MalformedInputError."""
    path = Path(path)
    if not path.is_file():
        raise MissingFileError(f"{path}: no such file")
    fmt = file_format(path)
    if fmt == "jsonl":
        yield from _jsonl(path)
    elif fmt == "csv":
        yield from _csv(path)
    else:
        yield from _parquet(path)


def _jsonl(path: Path) -> Iterator[tuple[int, dict[str, Any]]]:
    with path.open("r", encoding="utf-8", errors="strict") as handle:
        line_no = 0
        while True:
            try:
                line = handle.readline()
            except UnicodeDecodeError as exc:
                raise MalformedInputError(str(path), line_no + 1, f"not UTF-8 text ({exc.reason})") from exc
            if not line:
                return
            line_no += 1
            if not line.strip():
                continue
            try:
                record = json.loads(line)
            except json.JSONDecodeError as exc:
                yield line_no, {"__error__": f"invalid JSON ({exc.msg} at column {exc.colno})"}
                continue
            if not isinstance(record, dict):
                yield line_no, {"__error__": f"expected a JSON object, got {type(record).__name__}"}
                continue
            yield line_no, record


def _csv(path: Path) -> Iterator[tuple[int, dict[str, Any]]]:
    with path.open("r", encoding="utf-8", newline="") as handle:
        reader = csv.DictReader(handle)
        if not reader.fieldnames:
            raise MalformedInputError(str(path), 1, "empty CSV file (no header)")
        for record in reader:
            if None in record:
                yield reader.line_num, {"__error__": f"more fields than the header's {len(reader.fieldnames)}"}
                continue
            yield reader.line_num, {k: v for k, v in record.items() if v not in ("", None)}


def _parquet(path: Path) -> Iterator[tuple[int, dict[str, Any]]]:
    import pyarrow.parquet as pq

    try:
        parquet = pq.ParquetFile(path)
    except Exception as exc:
        raise MalformedInputError(str(path), 1, f"not a readable Parquet file ({exc})") from exc
    row = 0
    for batch in parquet.iter_batches(batch_size=10000):
        for record in batch.to_pylist():
            row += 1
            yield row, record
