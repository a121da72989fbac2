"""Options, report and reply schema of a Text-to-Persona run (plain data, shared by the CLI and the demo)."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from typing import Any, Literal

from pydantic import BaseModel, Field, field_validator

Granularity = Literal["coarse", "fine"]
STANCES = ("read", "write", "like", "dislike")


def normalise_stance(raw: str) -> str:
    """``reader`` → ``read``, ``fan`` → ``like``; anything else unknown → ``other``."""
    word = raw.strip().lower()
    for stance, forms in (
        ("read", ("read", "reader")),
        ("write", ("write", "writer", "author")),
        ("like", ("like", "fan", "enjoy", "love")),
        ("dislike", ("dislike", "critic", "hate")),
    ):
        if any(word.startswith(f) for f in forms):
            return stance
    return "other"


class InferredPersona(BaseModel):
    persona: str = Field(min_length=3, description="the persona, one or two sentences in English")
    stance: Literal["read", "write", "like", "dislike", "other"] = "read"

    @field_validator("stance", mode="before")
    @classmethod
    def _stance(cls, value: Any) -> str:
        # Models say "reader", "fan", "critic": map those instead of asking again.
        return normalise_stance(str(value)) if value is not None else "read"


class T2PReply(BaseModel):
    personas: list[InferredPersona] = Field(min_length=1, max_length=10)


@dataclass
class T2POptions:
    granularity: Granularity = "fine"
    per_text: int = 3
    max_text_tokens: int = 1024
    concurrency: int = 16
    max_texts: int | None = None
    redo: bool = False
    temperature: float = 0.7
    run_id: str | None = None
    worker: str | None = None
    lease: float = 120.0  # seconds a claim holds before another worker may take the text (renewed meanwhile)
    write_batch: int = 128  # texts whose personas are written in one transaction
    flush_interval: float = 0.5  # seconds between writes of a smaller batch


@dataclass
class T2PReport:
    run: str
    model: str
    prompt: str
    granularity: str
    worker: str = ""
    texts: int = 0
    texts_cut: int = 0
    personas_new: int = 0
    personas_existing: int = 0
    resolved: int = 0
    stances: Counter[str] = field(default_factory=Counter)
    failures: int = 0
    lost_claims: int = 0  # texts whose lease ended before their personas were written (left to others)
    conflicts: int = 0  # writes that collided with another worker's and were run again
    failures_path: str = ""
    llm: dict[str, Any] = field(default_factory=dict)

    def as_dict(self) -> dict[str, Any]:
        return {
            "run": self.run,
            "worker": self.worker,
            "model": self.model,
            "prompt": self.prompt,
            "granularity": self.granularity,
            "texts": self.texts,
            "texts_cut": self.texts_cut,
            "personas_new": self.personas_new,
            "personas_existing": self.personas_existing,
            "resolved": self.resolved,
            "stances": dict(self.stances),
            "failures": self.failures,
            "lost_claims": self.lost_claims,
            "conflicts_retried": self.conflicts,
            "failures_path": self.failures_path,
            "llm": self.llm,
        }
