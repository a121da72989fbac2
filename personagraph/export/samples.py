"""`personagraph export samples`: generated samples with their persona text(s) and lineage ids,
as JSONL or Parquet rows that Hugging Face ``datasets`` loads.

Samples flagged by verification (math answers the solvers did not confirm: ``verified`` false)
are kept apart from the clean set unless ``include_flagged``. Given a folder, the export is a
dataset folder: ``data/train.<fmt>`` (clean), ``flagged/train.<fmt>`` and a dataset card
``README.md`` whose YAML header names both as configs (``export.dataset_card``).
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass, field
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
    "verify_reason",
    "judge_prompt",
)
# --where on samples: the judge's overall score and the verification flag.
SAMPLE_WHERE = {"quality": "number", "verified": "bool"}
_COND = re.compile(r"\s*([A-Za-z_]\w*)\s*(==|!=|<>|<=|>=|=|<|>)\s*(\S+)\s*")
_OPS = {"=": "=", "==": "=", "!=": "<>", "<>": "<>", "<": "<", "<=": "<=", ">": ">", ">=": ">="}


def parse_sample_where(text: str | None) -> list[dict[str, Any]]:
    """``"quality >= 4 and verified = true"`` -> conditions for the page query; ConfigError otherwise."""
    conds: list[dict[str, Any]] = []
    for part in re.split(r"\s+and\s+", (text or "").strip(), flags=re.I) if (text or "").strip() else []:
        match = _COND.fullmatch(part)
        if not match or match[1].lower() not in SAMPLE_WHERE:
            raise ConfigError(
                f"where: cannot read {part.strip()!r}",
                hint=f"write field op value joined by 'and'; sample fields: {', '.join(SAMPLE_WHERE)}",
                param="where",
            )
        name, op, raw = match[1].lower(), _OPS[match[2]], match[3].strip("'\"")
        if SAMPLE_WHERE[name] == "bool":
            if raw.lower() not in ("true", "false") or op not in ("=", "<>"):
                raise ConfigError(f"where: {name} compares with = or != to true or false", param="where")
            value: Any = raw.lower() == "true"
        else:
            try:
                value = float(raw) if "." in raw else int(raw)
            except ValueError as exc:
                raise ConfigError(f"where: {name} needs a number, not {raw!r}", param="where") from exc
        conds.append({"field": name, "op": op, "value": value})
    return conds


def iter_samples(
    store: GraphStore,
    batch: str | None = None,
    task: str | None = None,
    page: int = 2000,
    *,
    flag: str = "all",
    conds: list[dict[str, Any]] | None = None,
    seen: list[dict[str, Any]] | None = None,
) -> Iterator[dict[str, Any]]:
    """Rows with a fixed set of columns (every Parquet batch shares one schema); ``data`` is the
    task's structured output as JSON text, ``persona_ids``/``persona_texts`` in role order.
    ``flag``: 'clean', 'flagged' or 'all'; ``seen`` collects each row's lineage facts (for the card)."""
    # A keyset page of ids, then those samples with their personas.
    filters = {"batch": batch, "task": task, "flag": flag, "conds": conds or []}
    for ids in store.id_pages("synth/sample_ids", page, **filters):
        for row in store.run("synth/page_samples", ids=ids):
            out: dict[str, Any] = {key: (None if row.get(key) is None else str(row[key])) for key in STRING_FIELDS}
            out["verified"] = None if row.get("verified") is None else bool(row["verified"])
            out["quality"] = None if row.get("quality") is None else int(row["quality"])
            out["persona_ids"] = [str(p) for p in row.get("persona_ids") or []]
            out["persona_texts"] = [str(t) for t in row.get("persona_texts") or []]
            out["persona"] = out["persona_texts"][0] if out["persona_texts"] else None
            if seen is not None:
                seen.append(
                    {
                        **{k: out[k] for k in ("task", "mode", "batch", "model", "prompt", "judge_prompt", "verified")},
                        "solver_prompt": row.get("solver_prompt"),
                        "judge_model": row.get("judge_model"),
                        "origins": list(row.get("persona_origins") or []),
                        "hops": list(row.get("persona_hops") or []),
                    }
                )
            yield out


@dataclass
class SampleExport:
    """What an export wrote: the clean set, the flagged set (apart), and the card (folder only)."""

    path: Path
    written: int
    flagged_path: Path | None = None
    flagged: int = 0
    card: Path | None = None
    files: list[Path] = field(default_factory=list)


def _flagged_file(path: Path) -> Path:
    return path.with_name(f"{path.stem}.flagged{path.suffix}")


def write_samples(
    store: GraphStore,
    out: str | Path,
    fmt: str | None = None,
    batch: str | None = None,
    task: str | None = None,
    *,
    where: str | None = None,
    include_flagged: bool = False,
) -> SampleExport:
    """Write the samples to ``out``: a file (format from ``fmt`` or its extension; flagged samples to
    ``<name>.flagged.<ext>``) or a folder (no extension, or an existing folder): a dataset folder
    with a card. ``where`` filters on the judge's quality and on verified."""
    path = Path(out)
    folder = path.is_dir() or not path.suffix
    fmt = fmt or ("parquet" if folder else path.suffix.lstrip(".").lower())
    if fmt not in SAMPLE_FORMATS:
        raise ConfigError(f"unknown sample export format {fmt!r}", hint=f"choose one of {', '.join(SAMPLE_FORMATS)}")
    conds = parse_sample_where(where)
    writer = write_jsonl if fmt == "jsonl" else write_parquet
    main = path / "data" / f"train.{fmt}" if folder else path
    apart = path / "flagged" / f"train.{fmt}" if folder else _flagged_file(path)
    seen: list[dict[str, Any]] = []
    main.parent.mkdir(parents=True, exist_ok=True)
    flag = "all" if include_flagged else "clean"
    result = SampleExport(main, writer(iter_samples(store, batch, task, flag=flag, conds=conds, seen=seen), main))
    result.files.append(main)
    if not include_flagged:
        flagged = list(iter_samples(store, batch, task, flag="flagged", conds=conds, seen=seen))
        if flagged:
            apart.parent.mkdir(parents=True, exist_ok=True)
            result.flagged, result.flagged_path = writer(flagged, apart), apart
            result.files.append(apart)
        elif apart.exists():
            apart.unlink()  # from an earlier export: no longer true of these samples
    if folder:
        from personagraph.export.dataset_card import write_card

        result.card = write_card(path, result, seen, fmt, where=where)
        result.files.append(result.card)
    return result


def export_samples(
    store: GraphStore, out: str | Path, fmt: str | None = None, batch: str | None = None, task: str | None = None
) -> int:
    """Write the samples to ``out`` (see ``write_samples``); returns the count in the clean set."""
    return write_samples(store, out, fmt, batch, task).written
