"""Persona-to-Persona on plain data: the reply schema, the prompt variables, the frontier order,
and turning a validated reply into personas and typed relations (no store, no network here)."""

from __future__ import annotations

import random
import re
import statistics
from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from pydantic import BaseModel, Field

from personagraph.models import Persona, Relation
from personagraph.vocabulary import SYMMETRIC, Vocabulary, _canonical_spelling

MAX_PERSONA_CHARS = 800
MAX_EVIDENCE_CHARS = 400

# How each default type reads, "<related persona> TYPE <this persona>"; custom types show bare.
RELATION_MEANINGS: dict[str, str] = {
    "COLLEAGUE": "works alongside this persona",
    "PATIENT_OF": "is a patient of this persona",
    "RIVAL": "competes with this persona",
    "MENTOR_OF": "mentors, coaches or teaches this persona",
    "FAMILY_OF": "is a member of this persona's family",
    "FRIEND_OF": "is a friend of this persona",
    "CLIENT_OF": "is a client or customer of this persona",
    "STUDENT_OF": "learns from this persona",
    "NEIGHBOUR_OF": "lives or works next door to this persona",
    "SUPPLIER_OF": "supplies goods or services to this persona",
}


class RelatedPersona(BaseModel):
    persona: str = Field(min_length=3, description="the related persona, one or two sentences")
    relation: str = Field(min_length=2, description="relation type from the given list")
    evidence: str = Field(default="", description="one sentence explaining the relationship")


class P2PReply(BaseModel):
    related: list[RelatedPersona] = Field(min_length=1, max_length=12)


def relation_lines(vocabulary: Vocabulary) -> str:
    """The ``- TYPE: meaning`` list the prompt offers (the test server reads these bullets too)."""
    return "\n".join(
        f"- {name}: {RELATION_MEANINGS[name]}" if name in RELATION_MEANINGS else f"- {name}"
        for name in vocabulary.types
    )


def clean_text(text: str, limit: int) -> str:
    """One line, no wrapping quotes, at most ``limit`` characters."""
    text = re.sub(r"\s+", " ", text).strip().strip("\"'“”‘’").strip()
    return text[:limit].rstrip()


@dataclass
class ExpansionPlan:
    """What one reply adds: new (or existing) personas and the edges to write."""

    source: str
    personas: list[Persona] = field(default_factory=list)
    relations: list[Relation] = field(default_factory=list)
    rejected: Counter[str] = field(default_factory=Counter)
    self_loops: int = 0


def edge_ends(related: str, source: str, rel_type: str) -> tuple[str, str]:
    """(src, dst) of the edge: related → source, in id order for symmetric types (one edge per pair)."""
    if rel_type in SYMMETRIC and related > source:
        return source, related
    return related, source


def plan_expansion(
    source: Mapping[str, Any],
    reply: P2PReply,
    vocabulary: Vocabulary,
    provenance: Mapping[str, Any],
    limit: int | None = None,
) -> ExpansionPlan:
    """Personas (hop + 1, origin ``persona``) and typed edges from a validated reply.

    Relation types go through ``vocabulary.resolve`` (synonyms); unknown ones are counted in
    ``rejected`` and their persona dropped, so nothing unchecked reaches the Cypher text. At most
    ``limit`` answers are used (the number asked for; a model may give more).
    """
    plan = ExpansionPlan(source=str(source["id"]))
    hop = int(source.get("hop") or 0) + 1
    for item in reply.related[:limit]:
        rel_type = vocabulary.resolve(item.relation)
        if rel_type is None:
            plan.rejected[_canonical_spelling(item.relation) or "?"] += 1
            continue
        text = clean_text(item.persona, MAX_PERSONA_CHARS)
        if len(text) < 3:
            plan.rejected["<empty persona>"] += 1
            continue
        persona = Persona(text=text, origin="persona", hop=hop)
        if persona.id == plan.source:
            plan.self_loops += 1
            continue
        src, dst = edge_ends(persona.id, plan.source, rel_type)
        props = {
            **provenance,
            "hop": hop,
            "evidence": clean_text(item.evidence, MAX_EVIDENCE_CHARS),
            "expanded": plan.source,
        }
        plan.personas.append(persona)
        plan.relations.append(Relation(src=src, dst=dst, type=rel_type, props=props))
    return plan


def apply_mapping(relations: Sequence[Relation], mapping: Mapping[str, str]) -> tuple[list[Relation], int]:
    """Point edges at canonical personas (a Resolver's answer); drops edges that became self-loops."""
    if not mapping:
        return list(relations), 0
    kept: list[Relation] = []
    loops = 0
    for rel in relations:
        expanded = str(rel.props.get("expanded", rel.dst))
        related = rel.src if rel.dst == expanded else rel.dst
        canonical = mapping.get(related, related)
        source = mapping.get(expanded, expanded)
        if canonical == source:
            loops += 1
            continue
        src, dst = edge_ends(canonical, source, rel.type)
        kept.append(Relation(src=src, dst=dst, type=rel.type, props=rel.props))
    return kept, loops


def order_frontier(
    pool: Sequence[Mapping[str, Any]],
    k: int,
    cluster_counts: Mapping[str, int] | None = None,
    origin_counts: Mapping[str, int] | None = None,
    rng: random.Random | None = None,
) -> list[str]:
    """Ids of the ``k`` candidates to claim: lowest hop first, then the least represented cluster
    and origin, then at random (so that workers reading the same pool rarely want the same rows)."""
    rng = rng or random.Random()
    clusters = cluster_counts or {}
    origins = origin_counts or {}
    typical = statistics.median(clusters.values()) if clusters else 0

    def key(row: Mapping[str, Any]) -> tuple[int, float, int, float]:
        cluster = row.get("cluster")
        size = clusters.get(str(cluster), typical) if cluster is not None else typical
        return (int(row.get("hop") or 0), float(size), origins.get(str(row.get("origin")), 0), rng.random())

    return [str(row["id"]) for row in sorted(pool, key=key)[:k]]
