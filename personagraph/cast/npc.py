"""NPCs from persona texts and typed relations alone: deterministic, no language model.

The name fits the gender and origin the persona text shows and comes from a hash of the persona id
(``names``: the same persona gets the same name in every cast, names are unique within a cast, a
family shares a surname), the role from the persona text (``roles``), the greeting from templates
(``greetings``), and each view of another cast member from a template for the relation type and
its direction. The LLM path
(``personagraph.cast.flesh``) uses the same relation phrasing and tone hints in its prompt.
"""

from __future__ import annotations

from personagraph.cast.greetings import greeting
from personagraph.cast.model import NPC, Cast, CastRelation, Direction, NPCView
from personagraph.cast.names import assign_names, cues
from personagraph.cast.roles import derived_role
from personagraph.vocabulary import SYMMETRIC

# How "a <type> b" reads, from a's side.
RELATION_PHRASES: dict[str, str] = {
    "COLLEAGUE": "a colleague of",
    "PATIENT_OF": "a patient of",
    "RIVAL": "a rival of",
    "MENTOR_OF": "a mentor to",
    "FAMILY_OF": "family to",
    "FRIEND_OF": "a friend of",
    "CLIENT_OF": "a client of",
    "STUDENT_OF": "a student of",
    "NEIGHBOUR_OF": "a neighbour of",
    "SUPPLIER_OF": "a supplier to",
}

# The stance each side takes: (the edge's src about its dst, the dst about its src).
RELATION_TONES: dict[str, tuple[str, str]] = {
    "COLLEAGUE": ("{me} works alongside {other} and knows their habits, good and bad.",) * 2,
    "RIVAL": ("{me} resents {other} and watches for any chance to get ahead of them.",) * 2,
    "FAMILY_OF": ("{me} is bound to {other} by family: old loyalties and old grudges.",) * 2,
    "FRIEND_OF": ("{me} counts {other} as a friend and would vouch for them.",) * 2,
    "NEIGHBOUR_OF": ("{me} lives near {other} and notices more than they let on.",) * 2,
    "PATIENT_OF": (
        "{me} trusts {other} with their health, and fears what {other} might find.",
        "{me} looks after {other} as a patient and feels responsible for them.",
    ),
    "MENTOR_OF": (
        "{me} guides {other} and expects more of them than they expect of themselves.",
        "{me} learned from {other} and still wants their approval.",
    ),
    "STUDENT_OF": (
        "{me} studies under {other} and hangs on their judgement.",
        "{me} teaches {other} and sees promise they have not yet earned.",
    ),
    "CLIENT_OF": (
        "{me} relies on {other}'s work and is quick to complain when it slips.",
        "{me} works for {other} and keeps them happy, mostly.",
    ),
    "SUPPLIER_OF": (
        "{me} supplies {other} and knows how much they depend on it.",
        "{me} depends on {other} for supplies and haggles over every price.",
    ),
}

# One line per type for the LLM prompt: what each side's view must be consistent with.
RELATION_HINTS: dict[str, tuple[str, str]] = {
    "COLLEAGUE": ("works with them: familiarity, professional respect or friction",) * 2,
    "RIVAL": ("resents them and competes with them",) * 2,
    "FAMILY_OF": ("family: loyalty, obligation, old grudges",) * 2,
    "FRIEND_OF": ("friendship: trust and warmth, perhaps a strain",) * 2,
    "NEIGHBOUR_OF": ("lives nearby: watches, gossips, helps or complains",) * 2,
    "PATIENT_OF": ("is their patient: trusts or fears them", "is their carer: feels responsible for them"),
    "MENTOR_OF": (
        "mentors them: guides, expects, protects",
        "was mentored by them: admires, seeks approval, or chafes",
    ),
    "STUDENT_OF": ("studies under them: admires or fears their judgement", "teaches them: sees promise or doubts them"),
    "CLIENT_OF": (
        "is their client: depends on them, demands",
        "serves them: wants to keep them, or resents the demands",
    ),
    "SUPPLIER_OF": ("supplies them: knows their dependence", "depends on them for supplies: haggles, worries"),
}

NO_LLM_NOTE = (
    "Made by PersonaGraph without a language model: the name fits the gender and origin the persona text "
    "shows and is derived from the persona id, the role comes from the persona text, the greeting from a "
    "template, and the views of other cast members from their typed relations. Set OPENAI_BASE_URL to have "
    "an LLM flesh out appearance, personality, motivation, secret, speech style and dialogue."
)


def direction_of(relation: CastRelation, persona_id: str) -> Direction:
    """ "out" when the persona is the stored edge's src, "in" when its dst (symmetric types read alike)."""
    return "out" if relation.src == persona_id else "in"


def relation_phrase(rel_type: str, direction: Direction, me: str, other: str) -> str:
    """``"Mara Quill is a patient of Ilse Brandt"`` (or the reverse for an incoming edge)."""
    words = RELATION_PHRASES.get(rel_type, rel_type.lower().replace("_", " "))
    if direction == "in" and rel_type not in SYMMETRIC:
        return f"{other} is {words} {me}"
    return f"{me} is {words} {other}"


def relation_hint(rel_type: str, direction: Direction) -> str:
    out_hint, in_hint = RELATION_HINTS.get(rel_type, (f"{rel_type.lower().replace('_', ' ')} them",) * 2)
    return in_hint if direction == "in" else out_hint


def template_view(rel_type: str, direction: Direction, me: str, other: str) -> str:
    out_tone, in_tone = RELATION_TONES.get(rel_type, ("{me} is tied to {other} ({type}).",) * 2)
    tone = in_tone if direction == "in" else out_tone
    return tone.format(me=me, other=other, type=rel_type)


def cast_names(cast: Cast) -> dict[str, str]:
    """persona id -> derived name: fitting the text, stable across casts, unique, one surname per family."""
    return assign_names([(m.id, m.text) for m in cast.members], [(r.src, r.type, r.dst) for r in cast.relations])


def member_relations(cast: Cast, persona_id: str) -> list[tuple[CastRelation, str, Direction]]:
    """(edge, other member's id, direction) for each edge touching ``persona_id``, self-loops dropped."""
    out: list[tuple[CastRelation, str, Direction]] = []
    for relation in cast.relations:
        if relation.src == relation.dst:
            continue
        if relation.src == persona_id:
            out.append((relation, relation.dst, direction_of(relation, persona_id)))
        elif relation.dst == persona_id:
            out.append((relation, relation.src, direction_of(relation, persona_id)))
    return out


def npcs_from_texts(cast: Cast, names: dict[str, str] | None = None, roles: dict[str, str] | None = None) -> list[NPC]:
    """NPCs with derived names and roles and templated views; every field the LLM would fill stays empty."""
    names = names or cast_names(cast)
    npcs = []
    for member in cast.members:
        me = names[member.id]
        views = [
            NPCView(
                persona_id=other,
                name=names[other],
                type=rel.type,
                direction=direction,
                view=template_view(rel.type, direction, me, names[other]),
                evidence=rel.evidence,
            )
            for rel, other, direction in member_relations(cast, member.id)
        ]
        role = (roles or {}).get(member.id) or derived_role(member.text)
        npcs.append(
            NPC(
                persona_id=member.id,
                persona_text=member.text,
                name=me,
                role=role,
                greeting=greeting(member.id, me, role, member.text, views, cues(member.text).gender),
                views=views,
                cluster=member.cluster,
                community=member.community,
                source="persona-text",
                notes=NO_LLM_NOTE,
            )
        )
    return npcs
