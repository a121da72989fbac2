"""`personagraph export samples`: generated samples with their persona text(s) and lineage ids,
as JSONL or Parquet rows that Hugging Face ``datasets`` loads."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any

from personagraph.errors import ConfigError
from personagraph.export.graph_files import write_jsonl, write_parquet

if TYPE_CHECKING:
    from personagraph.store import GraphStore

SAMPLE_FORMATS = ("jsonl", "parquet")
STRING_FIELDS = (
    "id",
    "task",
    "mode",
    "text",
    "data",
    "batch",
    "model",
    "prompt",
    "prompt_version",
    "relation",
    "options",
    "created_at",
)


def iter_samples(
    store: GraphStore, batch: str | None = None, task: str | None = None, page: int = 2000
) -> Iterator[dict[str, Any]]:
    """Rows with a fixed set of columns (every Parquet batch shares one schema); ``data`` is the
    task's structured output as JSON text, ``persona_ids``/``persona_texts`` in role order."""
    after = ""
    while True:
        rows = store.run("synth/page_samples", after=after, limit=page, batch=batch, task=task)
        for row in rows:
            out: dict[str, Any] = {key: (None if row.get(key) is None else str(row[key])) for key in STRING_FIELDS}
            out["persona_ids"] = [str(p) for p in row.get("persona_ids") or []]
            out["persona_texts"] = [str(t) for t in row.get("persona_texts") or []]
            out["persona"] = out["persona_texts"][0] if out["persona_texts"] else None
            yield out
        if len(rows) < page:
            return
        after = rows[-1]["id"]


def export_samples(
    store: GraphStore, out: str | Path, fmt: str | None = None, batch: str | None = None, task: str | None = None
) -> int:
    """Write the samples to ``out`` (format from the option or the file's extension); returns the count."""
    path = Path(out)
    fmt = fmt or path.suffix.lstrip(".").lower()
    if fmt not in SAMPLE_FORMATS:
        raise ConfigError(f"unknown sample export format {fmt!r}", hint=f"choose one of {', '.join(SAMPLE_FORMATS)}")
    if path.is_dir():
        path = path / f"samples.{fmt}"
    path.parent.mkdir(parents=True, exist_ok=True)
    writer = write_jsonl if fmt == "jsonl" else write_parquet
    return writer(iter_samples(store, batch, task), path)
