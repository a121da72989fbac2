"""Typed records that cross the boundaries: files in, LLM replies in, store rows out."""

from __future__ import annotations

import unicodedata
from datetime import datetime, timezone
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator

from personagraph.ids import persona_id, text_id

Origin = Literal["text", "persona", "import"]


def blank(text: str) -> bool:
    """Nothing a reader can see: whitespace, control and format characters only (a zero-width space,
    a BOM, a soft hyphen). Stops at the first visible character, so ordinary text costs one look."""
    return all(ch.isspace() or unicodedata.category(ch) in ("Cc", "Cf") for ch in text)


def now_iso() -> str:
    return datetime.now(timezone.utc).isoformat(timespec="seconds")


class _Record(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)


class Persona(_Record):
    text: str = Field(min_length=1)
    id: str = ""
    origin: Origin = "import"
    hop: int = Field(default=0, ge=0)
    cluster: int | None = None
    labels: list[str] | None = None
    source_id: str | None = None

    @field_validator("text")
    @classmethod
    def _not_blank(cls, value: str) -> str:
        if blank(value):
            raise ValueError(
                "persona text is empty" if not value else "persona text is blank (invisible characters only)"
            )
        return value

    def model_post_init(self, __context: Any) -> None:
        if not self.id:
            self.id = persona_id(self.text)

    def props(self) -> dict[str, Any]:
        """Node properties as stored (``id`` excluded: it is the merge key)."""
        props: dict[str, Any] = {"text": self.text, "origin": self.origin, "hop": self.hop, "uses": 0}
        if self.cluster is not None:
            props["cluster"] = self.cluster
        if self.labels:
            props["labels"] = list(self.labels)
        if self.source_id:
            props["source_id"] = self.source_id
        return props


class SourceText(_Record):
    text: str = Field(min_length=1)
    id: str = ""
    source: str | None = None

    @field_validator("text")
    @classmethod
    def _not_blank(cls, value: str) -> str:
        if blank(value):
            raise ValueError("text is blank (invisible characters only)")
        return value

    def model_post_init(self, __context: Any) -> None:
        if not self.id:
            self.id = text_id(self.text)


class Relation(_Record):
    """A typed edge between two personas; ``src``/``dst`` are persona ids."""

    src: str = Field(min_length=1)
    dst: str = Field(min_length=1)
    type: str = Field(min_length=1)
    props: dict[str, Any] = Field(default_factory=dict)


class Sample(_Record):
    id: str
    task: str
    mode: str
    text: str
    persona_ids: list[str]
    batch: str | None = None
    model: str | None = None
    prompt_version: str | None = None


class Batch(_Record):
    id: str
    task: str
    strategy: str
    size: int
    created_at: str = Field(default_factory=now_iso)
    coverage: dict[str, Any] = Field(default_factory=dict)
