"""Rubrics: the criteria a judge scores, read from the judge prompt files, and the reply schema.

A rubric lives in its prompt file (``=== block <kind>``, one ``name: what a 5 means`` a line), so
the prompt's version changes whenever a criterion does, and the version stored on a node says
exactly which rubric scored it.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from functools import cache
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, create_model

from personagraph import prompts
from personagraph.errors import ConfigError

KINDS = ("personas", "samples")
PROMPTS = {"personas": "judge_persona", "samples": "judge_sample"}
# A criterion "passes" at 4 or 5: the prompt makes 3 "unsure or half met", which a yes/no check
# (a valid tool, a verified answer) should not count as agreement with "yes".
PASS_SCORE = 4


class Criterion(BaseModel):
    model_config = ConfigDict(extra="ignore")

    reason: str = Field(description="One sentence: why this score")
    score: int = Field(ge=1, le=5)


@dataclass(frozen=True)
class Rubric:
    """The criteria of one kind of item (personas, or the samples of one task)."""

    name: str
    criteria: tuple[tuple[str, str], ...]

    @property
    def names(self) -> list[str]:
        return [name for name, _ in self.criteria]

    def text(self) -> str:
        return "\n".join(f"- {name}: {meaning}" for name, meaning in self.criteria)

    @property
    def schema(self) -> type[BaseModel]:
        return _reply_model(self.name, tuple(self.names))


def _criteria(block: str, where: str) -> list[tuple[str, str]]:
    out = []
    for line in block.splitlines():
        if not line.strip():
            continue
        name, sep, meaning = line.partition(":")
        if not sep or not name.strip().isidentifier():
            raise ConfigError(f"{where}: a rubric line is 'name: meaning', not {line.strip()!r}")
        out.append((name.strip(), meaning.strip()))
    return out


def rubric_for(kind: str, task: str | None = None) -> Rubric:
    """The persona rubric, or the common criteria plus those of ``task`` for a sample."""
    if kind not in KINDS:
        raise ConfigError(f"unknown kind {kind!r}", hint=f"choose one of {', '.join(KINDS)}", param="kind")
    prompt = prompts.load(PROMPTS[kind])
    if kind == "personas":
        return Rubric("persona", tuple(_criteria(prompt.blocks["persona"], prompt.name)))
    if not task or task not in prompt.blocks:
        raise ConfigError(f"no rubric for task {task!r} in {prompt.name}.prompt", param="task")
    found = _criteria(prompt.blocks[task], f"{prompt.name}:{task}")
    common = [c for c in _criteria(prompt.blocks["common"], f"{prompt.name}:common") if c[0] not in dict(found)]
    return Rubric(task, tuple(found + common))


@cache
def _reply_model(name: str, criteria: tuple[str, ...]) -> type[BaseModel]:
    fields: dict[str, Any] = {c: (Criterion, ...) for c in criteria}
    fields["quality"] = (int, Field(ge=1, le=5, description="Overall quality, 1-5"))
    fields["reason"] = (str, Field(description="One sentence on the overall quality"))
    model: type[BaseModel] = create_model(  # type: ignore[call-overload]
        f"Judgement_{name}", __config__=ConfigDict(extra="ignore"), **fields
    )
    return model


def render_item(kind: str, row: dict[str, Any]) -> tuple[str, str]:
    """(personas, item) for the prompt: a persona's text, or a sample's output and its persona(s).

    A math sample is shown with the author's solution and answer, never the solvers' (the judge
    is compared with that check, so it must not see its result)."""
    if kind == "personas":
        return "", str(row.get("text") or "")
    texts = [str(t) for t in row.get("persona_texts") or []]
    personas = "\n".join(f"{'AB'[i] if len(texts) > 1 else '-'}: {t}" for i, t in enumerate(texts))
    try:
        data = json.loads(row.get("data") or "{}")
    except json.JSONDecodeError:
        data = {"text": row.get("text")}
    if isinstance(data, dict):
        data.pop("solutions", None)
    return personas, json.dumps(data, ensure_ascii=False, indent=1)


def messages_for(kind: str, row: dict[str, Any]) -> tuple[list[dict[str, str]], Rubric, str]:
    """The judge's chat messages for one item, its rubric and the prompt's ``name@version``."""
    rubric = rubric_for(kind, row.get("task"))
    prompt = prompts.load(PROMPTS[kind])
    personas, item = render_item(kind, row)
    values: dict[str, Any] = {"rubric": rubric.text(), "item": item}
    if kind == "samples":
        values.update(task=str(row.get("task")), personas=personas)
    return prompt.render(**values), rubric, prompt.ref
