"""Persona-to-Persona on plain data: the reply schema, the prompt variables, the frontier order,
and turning a validated reply into personas and typed relations (no store, no network here)."""

from __future__ import annotations

import functools
import random
import re
import statistics
from collections import Counter
from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from pydantic import BaseModel, Field, create_model

from personagraph.models import Persona, Relation
from personagraph.vocabulary import SYMMETRIC, Vocabulary, _canonical_spelling

MAX_PERSONA_CHARS = 800
MAX_EVIDENCE_CHARS = 400

# How each default name reads, "<related persona> NAME <this persona>"; custom names show bare.
RELATION_MEANINGS: dict[str, str] = {
    "COLLEAGUE": "works alongside this persona",
    "PATIENT_OF": "is a patient of this persona, who cares for them",
    "CARES_FOR": "cares for this persona as their doctor, nurse, therapist or carer",
    "RIVAL": "competes with this persona",
    "MENTOR_OF": "mentors or coaches this persona",
    "MENTEE_OF": "is mentored or coached by this persona",
    "FAMILY_OF": "is a member of this persona's family",
    "FRIEND_OF": "is a friend of this persona",
    "CLIENT_OF": "is a client or customer of this persona",
    "SERVES": "serves this persona, who is their client or customer",
    "STUDENT_OF": "learns from this persona, who teaches them",
    "TEACHES": "teaches this persona, who is their student",
    "NEIGHBOUR_OF": "lives or works next door to this persona",
    "SUPPLIER_OF": "supplies goods or services to this persona",
    "SUPPLIED_BY": "buys goods or services from this persona, their supplier",
    "EMPLOYEE_OF": "works for this persona, who employs them",
    "EMPLOYS": "employs this persona or is their boss",
}


class RelatedPersona(BaseModel):
    persona: str = Field(min_length=3, description="the related persona, one or two sentences")
    relation: str = Field(min_length=2, description="relation type from the given list")
    evidence: str = Field(default="", description="one sentence explaining the relationship")


class P2PReply(BaseModel):
    related: list[RelatedPersona] = Field(min_length=1, max_length=12)


@functools.cache
def _reply_model(names: tuple[str, ...]) -> type[P2PReply]:
    item = create_model(
        "RelatedPersona",
        __base__=RelatedPersona,
        relation=(
            str,
            Field(
                min_length=2, description="relation type from the given list", json_schema_extra={"enum": list(names)}
            ),
        ),
    )
    return create_model("P2PReply", __base__=P2PReply, related=(list[item], Field(min_length=1, max_length=12)))  # type: ignore[valid-type]


def reply_model(vocabulary: Vocabulary) -> type[P2PReply]:
    """P2PReply whose JSON schema lists the vocabulary's names (types and inverse names) as an enum,
    so a server that follows the schema cannot invent a type. Validation itself stays lenient: a
    synonym from a server that does not follow it is still read, an unknown name rejected per answer."""
    return _reply_model(vocabulary.answer_names)


def relation_lines(vocabulary: Vocabulary) -> str:
    """The ``- NAME: meaning`` list the prompt offers, both readings of each directed type (the
    test server reads these bullets too)."""
    return "\n".join(
        f"- {name}: {RELATION_MEANINGS[name]}" if name in RELATION_MEANINGS else f"- {name}"
        for name in vocabulary.answer_names
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


def edge_ends(
    related: str, source: str, rel_type: str, symmetric: Collection[str] = SYMMETRIC, reversed: bool = False
) -> tuple[str, str]:
    """(src, dst) of the edge: related → source (source → related for an inverse reading), in id
    order for symmetric types (one edge per pair)."""
    first, second = (source, related) if reversed else (related, source)
    if rel_type in symmetric and first > second:
        return second, first
    return first, second


def plan_expansion(
    source: Mapping[str, Any],
    reply: P2PReply,
    vocabulary: Vocabulary,
    provenance: Mapping[str, Any],
    limit: int | None = None,
) -> ExpansionPlan:
    """Personas (hop + 1, origin ``persona``) and typed edges from a validated reply.

    Relation names go through ``vocabulary.read`` (synonyms, inverse names → canonical type with
    the ends swapped); unknown ones are counted in ``rejected`` and their persona dropped, so
    nothing unchecked reaches the Cypher text. At most ``limit`` answers are used (the number
    asked for; a model may give more).
    """
    plan = ExpansionPlan(source=str(source["id"]))
    hop = int(source.get("hop") or 0) + 1
    for item in reply.related[:limit]:
        reading = vocabulary.read(item.relation)
        if reading is None:
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
        src, dst = edge_ends(persona.id, plan.source, reading.type, vocabulary.symmetric, reading.reversed)
        props = {
            **provenance,
            "hop": hop,
            "evidence": clean_text(item.evidence, MAX_EVIDENCE_CHARS),
            "expanded": plan.source,
        }
        plan.personas.append(persona)
        plan.relations.append(Relation(src=src, dst=dst, type=reading.type, props=props))
    return plan


def rejection_follow_up(plan: ExpansionPlan, reply_text: str, vocabulary: Vocabulary) -> list[dict[str, str]] | None:
    """The two messages that ask again when no answer of a reply could be used because of its
    relation types: the model's own reply, then a user turn naming the rejected types and the
    allowed ones. None when the plan has an edge, or failed for another reason."""
    unknown = sorted(t for t in plan.rejected if not t.startswith("<"))
    if plan.relations or not unknown:
        return None
    note = (
        f"None of these relation types is in the list, so no answer could be kept: {', '.join(unknown)}. "
        f"Answer again, using only these relation types, exactly as written: {', '.join(vocabulary.answer_names)}."
    )
    return [{"role": "assistant", "content": reply_text}, {"role": "user", "content": note}]


def apply_mapping(
    relations: Sequence[Relation], mapping: Mapping[str, str], symmetric: Collection[str] = SYMMETRIC
) -> tuple[list[Relation], int]:
    """Point edges at canonical personas (a Resolver's answer), keeping each edge's direction;
    drops edges that became self-loops."""
    if not mapping:
        return list(relations), 0
    kept: list[Relation] = []
    loops = 0
    for rel in relations:
        src, dst = mapping.get(rel.src, rel.src), mapping.get(rel.dst, rel.dst)
        if src == dst:
            loops += 1
            continue
        src, dst = edge_ends(src, dst, rel.type, symmetric)
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
