"""The dataset card (README.md) of a sample export folder.

The YAML header is what the Hugging Face Hub and the ``datasets`` folder loader read: ``configs``
with ``data_files`` per split (``default``: the clean samples; ``flagged``: those verification did
not confirm), plus ``task_categories``, ``tags``, ``size_categories`` and ``pretty_name``. The
``license`` key is left empty for the user: the samples inherit the terms of the model that wrote
them and of the texts the personas came from, which only the user knows. Values are written as
JSON strings, which YAML reads as the same strings.
"""

from __future__ import annotations

import json
import os
from collections import Counter
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from personagraph.export.samples import SampleExport

FIELDS = (
    ("id", "sample id (stable per batch and group)"),
    ("task", "the synthesis task (math, logic, instruction, knowledge, npc, tool, rivals, consultation, handoff)"),
    ("mode", "zero-shot, few-shot or persona-few-shot"),
    ("text", "the sample's main text"),
    ("data", "the task's structured output, JSON text (math: problem, solution, answer, solutions)"),
    ("persona", "the (first) persona's text"),
    ("persona_ids, persona_texts", "the persona(s) in role order (pairs: A then B)"),
    ("batch", "the batch the sample was generated in (lineage: `personagraph lineage ID`)"),
    ("model", "the model that wrote the sample"),
    ("prompt, prompt_version", "the prompt file and its content hash"),
    ("relation", "pair tasks: the relation joining persona A to B"),
    ("options", "task options, JSON (difficulty, domain, setting)"),
    ("created_at", "when the sample was written (UTC)"),
    ("verified, verify_reason", "math: whether separate solver calls confirmed the answer, and why not"),
    ("quality, judge_prompt", "the LLM judge's overall score 1-5 and its prompt version (null: not judged)"),
)


def _size_category(n: int) -> str:
    for limit, name in ((1_000, "n<1K"), (10_000, "1K<n<10K"), (100_000, "10K<n<100K"), (1_000_000, "100K<n<1M")):
        if n < limit:
            return name
    return "1M<n<10M"


def _table(header: tuple[str, ...], rows: list[tuple[Any, ...]]) -> list[str]:
    lines = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    lines += ["| " + " | ".join("" if v is None else str(v) for v in row) + " |" for row in rows]
    return lines


def _counted(counter: Counter[Any]) -> str:
    return ", ".join(f"{k} ({n:,})" for k, n in counter.most_common() if k is not None) or "none"


def card_text(result: SampleExport, seen: list[dict[str, Any]], fmt: str, where: str | None = None) -> str:
    """The README.md of an export folder: YAML header, then what is in it and where it came from."""
    root = result.path.parent.parent
    configs = [("default", result.path)] + ([("flagged", result.flagged_path)] if result.flagged_path else [])
    header = ["---", 'pretty_name: "PersonaGraph synthetic samples"', "license:", "task_categories:"]
    header += ["- text-generation", "tags:", "- synthetic", "- personas", "- persona-hub", "- personagraph"]
    header += ["size_categories:", f"- {_size_category(result.written + result.flagged)}", "configs:"]
    for name, path in configs:
        relative = Path(os.path.relpath(path, root)).as_posix() if path else ""
        header += [f"- config_name: {name}", "  data_files:", "  - split: train", f"    path: {json.dumps(relative)}"]
    header.append("---")
    clean = [s for s in seen if s["verified"] is not False]
    flagged = [s for s in seen if s["verified"] is False]
    by_cell: Counter[tuple[str, str]] = Counter((s["task"], s["mode"]) for s in clean)
    flagged_cells: Counter[tuple[str, str]] = Counter((s["task"], s["mode"]) for s in flagged)
    cells = sorted(set(by_cell) | set(flagged_cells))
    origins: Counter[str] = Counter(o for s in seen for o in s["origins"])
    hops: Counter[int] = Counter(h for s in seen for h in s["hops"] if h is not None)
    judged = [s for s in seen if s.get("judge_prompt")]
    body = [
        "",
        "# PersonaGraph synthetic samples",
        "",
        "Synthetic data written by an LLM for personas from a PersonaGraph persona graph (Persona Hub's"
        " method: personas inferred from texts, then expanded through their relations). Each row keeps"
        " its persona(s) and batch, so every sample can be traced back to the texts its personas came from.",
        "",
        f"- `default` ({result.written:,} rows, {fmt}): the clean set."
        + (f" Exported with the filter `{where}`." if where else ""),
    ]
    if result.flagged_path:
        body.append(
            f"- `flagged` ({result.flagged:,} rows): math problems whose answer separate solver calls did not"
            " confirm (`verified: false`, reason in `verify_reason`); kept apart, not in the clean set."
        )
    body += ["", "```python", "import datasets", "", 'ds = datasets.load_dataset("path/to/this/folder")', "```"]
    body += [
        "",
        'Exported again into the same folder? Load with `download_mode="force_redownload"` (or a fresh'
        " `cache_dir`): the folder loader's cache is keyed by the folder's name and config, and would give"
        " the earlier rows.",
    ]
    body += ["", "## Fields", "", *_table(("field", "meaning"), list(FIELDS))]
    body += ["", "## Counts per task and mode", ""]
    body += _table(
        ("task", "mode", "clean", "flagged"), [(t, m, by_cell[(t, m)], flagged_cells[(t, m)]) for t, m in cells]
    )
    body += [
        "",
        "## Lineage",
        "",
        f"- batches: {len({s['batch'] for s in seen}):,}",
        f"- persona origins (one count per persona per sample): {_counted(origins)}",
        f"- persona hops from a text: {', '.join(f'{h}: {hops[h]:,}' for h in sorted(hops)) or 'none'}",
        "",
        "## Models and prompt versions",
        "",
        f"- generation models: {_counted(Counter(s['model'] for s in seen))}",
        f"- generation prompts: {_counted(Counter(s['prompt'] for s in seen))}",
        f"- math solver prompts: {_counted(Counter(s['solver_prompt'] for s in seen))}",
        f"- judged: {len(judged):,} of {len(seen):,}; judge models: {_counted(Counter(s['judge_model'] for s in judged))};"
        f" judge prompts: {_counted(Counter(s['judge_prompt'] for s in judged))}",
        "",
        "## License",
        "",
        "Not set: fill in `license:` in the header above. The samples inherit the terms of the model"
        " that wrote them and of the texts the personas were inferred from.",
        "",
    ]
    return "\n".join(header + body)


def write_card(folder: Path, result: SampleExport, seen: list[dict[str, Any]], fmt: str, where: str | None) -> Path:
    path = folder / "README.md"
    tmp = path.with_name(".README.md.partial")
    tmp.write_text(card_text(result, seen, fmt, where), encoding="utf-8")
    os.replace(tmp, path)
    return path
