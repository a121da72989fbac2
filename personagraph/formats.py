"""Read records from JSONL, CSV and Parquet files, each with the line (or row) it came from."""

from __future__ import annotations

import csv
import re
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any

from personagraph.errors import InputError, MalformedInputError, MissingFileError, UnsupportedFormatError

ERROR_KEY = "__error__"  # a record that could not be read carries only this key, with the reason
BOM = b"\xef\xbb\xbf"
_SURROGATE = re.compile("[\udc80-\udcff]")  # bytes that were not UTF-8, under errors="surrogateescape"
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
    """Yield ``(line, record)``; a line that cannot be read comes as ``{ERROR_KEY: reason}``.

    A fault that ends the reading (a Parquet file corrupt mid-stream, a JSON array that breaks off)
    raises MalformedInputError with the line; a bad line or row group is an ERROR_KEY record, so a
    caller that skips bad lines reads on past it.
    """
    path = Path(path)
    if path.is_dir():
        raise InputError(f"{path}: is a folder, not a file", hint="give the files in it")
    if not path.is_file():
        raise MissingFileError(f"{path}: no such file")
    fmt = file_format(path)
    if fmt == "jsonl":
        yield from (_json_array(path) if _is_json_array(path) else _jsonl(path))
    elif fmt == "csv":
        yield from _csv(path)
    else:
        yield from _parquet(path)


def is_json_lines(path: Path) -> bool:
    """Whether ``read_records`` reads ``path`` a line at a time, each line one JSON object."""
    return file_format(path) == "jsonl" and not _is_json_array(path)


def _jsonl(path: Path) -> Iterator[tuple[int, dict[str, Any]]]:
    with path.open("rb") as handle:
        yield from jsonl_records(handle)


def jsonl_records(lines: Iterable[bytes], first_line: int = 1) -> Iterator[tuple[int, dict[str, Any]]]:
    """``read_records`` for JSON lines already read (``first_line``: the first one's number)."""
    # Bytes in, orjson to parse (3-4x the stdlib's speed on short lines); it also rejects a line
    # that is not valid UTF-8, and one nested deeper than 1,024 levels (orjson's own limit), so such
    # a line is reported by number like any other bad line.
    import orjson

    for line_no, line in enumerate(lines, first_line):
        if line_no == 1 and line.startswith(BOM):
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


def _is_json_array(path: Path) -> bool:
    """A ``.json`` file that holds one array (pretty-printed or not) rather than a line per record."""
    if path.suffix.lower() != ".json":
        return False
    with path.open("rb") as handle:
        head = handle.read(4096).removeprefix(BOM).lstrip()
    return head.startswith(b"[")


def _json_array(path: Path) -> Iterator[tuple[int, dict[str, Any]]]:
    """The objects of a JSON array file, each with the line it starts on. The stdlib decoder walks
    the array one element at a time (``raw_decode``), so each element's line is known."""
    import json

    raw = path.read_bytes().removeprefix(BOM)
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise MalformedInputError(str(path), raw.count(b"\n", 0, exc.start) + 1, "not UTF-8 text") from None
    decoder = json.JSONDecoder()
    opening = text.index("[")
    at = _skip_space(text, opening + 1)
    if text.startswith("]", at):
        at = len(text)  # an empty array: nothing to read
    line, counted = 1, 0  # the line of position `counted`, moved forward as the walk goes
    while at < len(text):
        line += text.count("\n", counted, at)
        counted = at
        try:
            record, end = decoder.raw_decode(text, at)
        except json.JSONDecodeError as exc:
            raise MalformedInputError(
                str(path), exc.lineno, f"invalid JSON ({exc.msg} at column {exc.colno})"
            ) from None
        except RecursionError:
            raise MalformedInputError(str(path), line, "invalid JSON (nested too deep)") from None
        if isinstance(record, dict):
            yield line, record
        else:
            yield line, {ERROR_KEY: f"expected a JSON object, got {type(record).__name__}"}
        at = _skip_space(text, end)
        if text.startswith(",", at):
            at = _skip_space(text, at + 1)
            continue
        if text.startswith("]", at) and not text[at + 1 :].strip():
            return
        line += text.count("\n", counted, at)
        raise MalformedInputError(str(path), line, "invalid JSON (expected ',' or ']' after an array element)")
    if not text.rstrip().endswith("]"):
        raise MalformedInputError(str(path), 1 + text.count("\n"), "invalid JSON (the array is never closed)")


def _skip_space(text: str, at: int) -> int:
    while at < len(text) and text[at] in " \t\r\n":
        at += 1
    return at


def _json_reason(exc: Exception) -> str:
    message = getattr(exc, "msg", str(exc))
    if "UTF-8" in message:
        return f"not UTF-8 text ({message})"
    if "recursion" in message.lower():
        return "invalid JSON (nested deeper than 1,024 levels)"
    column = getattr(exc, "colno", None)
    return f"invalid JSON ({message} at column {column})" if column else f"invalid JSON ({message})"


def _csv(path: Path) -> Iterator[tuple[int, dict[str, Any]]]:
    # utf-8-sig drops a BOM (Excel writes one); undecodable bytes come through as surrogates
    # (surrogateescape) so the line that holds them is reported, not the whole file. strict=True
    # makes a stray or unterminated quote an error instead of swallowing the rest of the file.
    with path.open("r", encoding="utf-8-sig", errors="surrogateescape", newline="") as handle:
        reader = csv.reader(handle, strict=True)
        try:
            header = next(reader, None)
        except csv.Error as exc:
            raise MalformedInputError(str(path), reader.line_num or 1, f"CSV header: {exc}") from None
        if not header:
            raise MalformedInputError(str(path), 1, "empty CSV file (no header)")
        if _SURROGATE.search("".join(header)):
            raise MalformedInputError(str(path), 1, "not UTF-8 text")
        seen = {name for name in header if header.count(name) > 1}
        if seen:
            raise MalformedInputError(str(path), 1, f"duplicate column {sorted(seen)[0]!r} in the header")
        width = len(header)
        while True:
            try:
                row = next(reader)
            except StopIteration:
                return
            except csv.Error as exc:
                yield reader.line_num, {ERROR_KEY: _csv_reason(exc)}
                continue
            if not row:
                continue
            if len(row) > width:
                yield reader.line_num, {ERROR_KEY: f"more fields than the header's {width}"}
                continue
            if _SURROGATE.search("".join(row)):
                yield reader.line_num, {ERROR_KEY: "not UTF-8 text"}
                continue
            yield reader.line_num, {k: v for k, v in zip(header, row, strict=False) if v != ""}


def _csv_reason(exc: csv.Error) -> str:
    reason = str(exc)
    if "field larger than field limit" in reason:
        return f"a field is longer than {csv.field_size_limit():,} characters"
    if "unexpected end of data" in reason:
        return "a quoted field is never closed (unterminated quote)"
    return f"CSV quoting: {reason}"


def _parquet(path: Path) -> Iterator[tuple[int, dict[str, Any]]]:
    # Read one row group at a time: a group whose pages are corrupt is reported at its first row
    # (one ERROR_KEY record for the group), and the groups after it can still be read.
    import pyarrow.parquet as pq

    try:
        parquet = pq.ParquetFile(path)
    except Exception as exc:
        raise MalformedInputError(str(path), 1, f"not a readable Parquet file ({_one_line(exc)})") from exc
    first = 1
    for group in range(parquet.metadata.num_row_groups):
        size = parquet.metadata.row_group(group).num_rows
        row = first
        try:
            for batch in parquet.iter_batches(batch_size=10000, row_groups=[group]):
                records = batch.to_pylist()
                for offset, record in enumerate(records):
                    yield row + offset, record
                row += len(records)
        except Exception as exc:  # pyarrow raises OSError / ArrowInvalid for a bad page
            yield row, {ERROR_KEY: f"corrupt Parquet data in row group {group + 1} ({_one_line(exc)})"}
        first += size


def _one_line(exc: Exception) -> str:
    return " ".join(str(exc).split())[:200]
