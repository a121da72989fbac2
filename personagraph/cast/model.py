"""Typed records of a cast: who is in it, how they are related, and the NPCs made from them."""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

Direction = Literal["out", "in"]


class _Record(BaseModel):
    model_config = ConfigDict(extra="forbid")


class CastMember(_Record):
    """A persona chosen for the cast, with the graph properties the exports show."""

    id: str
    text: str
    cluster: int | None = None
    community: int | None = None
    hop: int | None = None
    origin: str | None = None


class CastRelation(_Record):
    """A typed edge between two cast members, as stored: ``src`` -[type]-> ``dst``."""

    src: str
    type: str
    dst: str
    evidence: str = ""  # the sentence the relation was found with, when the store has one


class Cast(_Record):
    """A chosen cast: members in the order they joined (the seed first) and the edges among them."""

    members: list[CastMember]
    relations: list[CastRelation]
    mode: Literal["ego", "community", "pattern", "ids"]
    seed: str | None = None
    params: dict[str, Any] = Field(default_factory=dict)
    connected: bool = True
    notes: list[str] = Field(default_factory=list)
    cluster_labels: dict[int, str] = Field(default_factory=dict)  # the store's :Cluster labels, for members' clusters

    def member(self, persona_id: str) -> CastMember:
        for member in self.members:
            if member.id == persona_id:
                return member
        raise KeyError(persona_id)


class NPCView(_Record):
    """How one NPC sees another cast member it is related to."""

    persona_id: str
    name: str
    type: str
    direction: Direction  # "out": this NPC is the stored edge's src; "in": its dst
    view: str
    evidence: str = ""


class NPC(_Record):
    """A cast member fleshed out as a non-player character."""

    persona_id: str
    persona_text: str
    name: str
    role: str
    appearance: str = ""
    personality: str = ""
    motivation: str = ""
    secret: str = ""
    speech_style: str = ""
    greeting: str = ""
    dialogue: list[str] = Field(default_factory=list)
    views: list[NPCView] = Field(default_factory=list)
    cluster: int | None = None
    community: int | None = None
    source: Literal["llm", "persona-text"] = "persona-text"
    model: str | None = None
    notes: str = ""
