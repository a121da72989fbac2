"""The prompts of a synthesis run: few-shot examples from a file, and the messages of one sample."""

from __future__ import annotations

import json
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from personagraph import prompts
from personagraph.errors import ConfigError
from personagraph.synth.tasks import Task


def load_examples(path: str | Path) -> list[dict[str, Any]]:
    """Few-shot examples from a JSONL file: ``{"vars": {"persona": ...}, "reply": {...}}`` per line."""
    from personagraph.formats import read_records

    examples = []
    for line, record in read_records(path):
        if "__error__" in record or "reply" not in record:
            raise ConfigError(f"{path}:{line}: expected an object with 'vars' and 'reply'")
        examples.append(record)
    return examples


def build_messages(
    task: Task,
    mode: str,
    texts: Sequence[str],
    options: dict[str, str],
    shots: int = 3,
    examples: list[dict[str, Any]] | None = None,
) -> tuple[list[dict[str, str]], str]:
    """Chat messages for one sample (persona texts in role order) and the prompt's ``name@version``.

    zero-shot: the instruction alone; few-shot: example outputs listed in the system message, no
    personas; persona-few-shot: each example as a turn pair with the persona it came from.
    """
    prompt = prompts.load(task.prompt)
    pool = list(prompt.examples if examples is None else examples)
    values: dict[str, Any] = dict(options)
    if task.relation:
        values.update(persona_a=texts[0], persona_b=texts[1])
    else:
        values["persona"] = texts[0]
    values["few_shot"] = ""
    count = min(shots, len(pool))
    if mode == "few-shot" and count:
        listed = "\n".join(f"- {json.dumps(e['reply'], ensure_ascii=False)}" for e in pool[:count])
        values["few_shot"] = f"\nExamples of good answers, for other people:\n{listed}"
        return prompt.render(**values), prompt.ref
    if mode == "persona-few-shot" and count:
        return prompt.render(shots=count, examples=pool, **values), prompt.ref
    return prompt.render(**values), prompt.ref
