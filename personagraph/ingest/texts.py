"""Source texts for Text-to-Persona from files: ``.txt`` files and folders, or JSONL/CSV/Parquet rows."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from pathlib import Path

from personagraph.errors import MalformedInputError, MissingFileError
from personagraph.formats import ERROR_KEY, read_records
from personagraph.ingest.records import text_row
from personagraph.models import SourceText
from personagraph.store import GraphStore


def read_texts(paths: Iterable[str | Path]) -> Iterator[SourceText]:
    """Texts from files: ``.txt`` (one text a file; a folder means its ``*.txt``), or JSONL/CSV/Parquet with ``text``."""
    for raw in paths:
        path = Path(raw)
        if path.is_dir():
            files = sorted(path.glob("*.txt"))
            if not files:
                raise MissingFileError(f"{path}: no .txt files in this folder")
            for file in files:
                yield from read_texts([file])
        elif path.suffix.lower() in (".txt", ".md"):
            if not path.is_file():
                raise MissingFileError(f"{path}: no such file")
            body = path.read_text(encoding="utf-8").strip()
            if body:
                yield SourceText(text=body, source=path.name)
        else:
            for line, record in read_records(path):
                try:
                    if ERROR_KEY in record:
                        raise ValueError(record[ERROR_KEY])
                    row = text_row(record)
                    yield SourceText(text=row["text"], source=row["source"])
                except ValueError as exc:
                    raise MalformedInputError(str(path), line, str(exc)) from exc


def import_texts(store: GraphStore, paths: Iterable[str | Path]) -> list[str]:
    """Add the files' texts as ``:Text`` nodes (existing ones are kept); returns their ids in order."""
    texts = list(read_texts(paths))
    store.upsert_texts(texts)
    return list(dict.fromkeys(t.id for t in texts))
