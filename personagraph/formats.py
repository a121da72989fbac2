"""Read records from JSONL, CSV and Parquet files, each with the line (or row) it came from."""

from __future__ import annotations

import csv
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from personagraph.errors import MalformedInputError, MissingFileError, UnsupportedFormatError

ERROR_KEY = "__error__"  # a record that could not be read carries only this key, with the reason
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
    """Yield ``(line, record)``; a line that cannot be read comes as ``{ERROR_KEY: reason}``."""
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
    # Bytes in, orjson to parse (3-4x the stdlib's speed on short lines); it also rejects a line
    # that is not valid UTF-8, so such a line is reported by number like any other bad line.
    import orjson

    with path.open("rb") as handle:
        for line_no, line in enumerate(handle, 1):
            if line_no == 1 and line.startswith(b"\xef\xbb\xbf"):
                line = line[3:]
            try:
                record = orjson.loads(line)
            except orjson.JSONDecodeError as exc:
                if not line.strip():
                    continue
                yield line_no, {ERROR_KEY: _json_reason(exc)}
                continue
            if not isinstance(record, dict):
                yield line_no, {ERROR_KEY: f"expected a JSON object, got {type(record).__name__}"}
                continue
            yield line_no, record


def _json_reason(exc: Exception) -> str:
    message = getattr(exc, "msg", str(exc))
    if "UTF-8" in message:
        return f"not UTF-8 text ({message})"
    column = getattr(exc, "colno", None)
    return f"invalid JSON ({message} at column {column})" if column else f"invalid JSON ({message})"


def _csv(path: Path) -> Iterator[tuple[int, dict[str, Any]]]:
    with path.open("r", encoding="utf-8", newline="") as handle:
        reader = csv.DictReader(handle)
        if not reader.fieldnames:
            raise MalformedInputError(str(path), 1, "empty CSV file (no header)")
        for record in reader:
            if None in record:
                yield reader.line_num, {ERROR_KEY: f"more fields than the header's {len(reader.fieldnames)}"}
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
