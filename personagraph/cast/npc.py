"""NPCs from persona texts and typed relations alone: deterministic, no language model.

The name comes from a hash of the persona id (so the same persona always gets the same name,
and names are unique within a cast), the role from the head of the persona text, and each view
of another cast member from a template for the relation type and its direction. The LLM path
(``personagraph.cast.flesh``) uses the same relation phrasing and tone hints in its prompt.
"""

from __future__ import annotations

import hashlib
import re

from personagraph.cast.model import NPC, Cast, CastRelation, Direction, NPCView
from personagraph.vocabulary import SYMMETRIC

GIVEN_NAMES = (
    "Mara",
    "Tobias",
    "Ilse",
    "Rafael",
    "Noor",
    "Elias",
    "Yuki",
    "Dmitri",
    "Amara",
    "Hugo",
    "Sanne",
    "Kofi",
    "Leona",
    "Mateo",
    "Freya",
    "Idris",
    "Lucia",
    "Oren",
    "Priya",
    "Casimir",
    "Ada",
    "Bram",
    "Zora",
    "Felix",
    "Ines",
    "Jonas",
    "Kaia",
    "Lorenzo",
    "Maren",
    "Nico",
    "Odile",
    "Pavel",
    "Quinn",
    "Rosa",
    "Soren",
    "Talia",
    "Ugo",
    "Vera",
    "Wren",
    "Xavier",
    "Yara",
    "Zeno",
    "Aurelio",
    "Beatrix",
    "Cyrus",
    "Dagny",
    "Emeka",
    "Fiona",
    "Gideon",
    "Hana",
    "Ivo",
    "Jun",
    "Katya",
    "Lev",
    "Mina",
    "Nils",
    "Orla",
    "Pim",
    "Rania",
    "Tomas",
)
FAMILY_NAMES = (
    "Quill",
    "Brandt",
    "Okafor",
    "Varga",
    "Lindqvist",
    "Moreau",
    "Tanaka",
    "Petrov",
    "Haddad",
    "Castell",
    "Ferreira",
    "Nakamura",
    "Albright",
    "Kowalski",
    "Mensah",
    "Duarte",
    "Holm",
    "Iyer",
    "Rossi",
    "Strand",
    "Ashdown",
    "Bellweather",
    "Coyle",
    "Dunmore",
    "Eriksen",
    "Falk",
    "Greaves",
    "Hartley",
    "Ibarra",
    "Jansen",
    "Kerr",
    "Lachance",
    "Marsh",
    "Novak",
    "Oakes",
    "Pryce",
    "Rook",
    "Sato",
    "Thorne",
    "Ulrich",
    "Vance",
    "Whitlock",
    "Yilmaz",
    "Zeller",
    "Achebe",
    "Blackwood",
    "Corvin",
    "Delacroix",
    "Esposito",
    "Fenwick",
    "Grimaldi",
    "Hale",
    "Ivanova",
    "Kincaid",
    "Larsen",
    "Mbeki",
    "Nordin",
    "Osei",
    "Penhaligon",
    "Reyes",
)

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
    "Made by PersonaGraph without a language model: the name is derived from the persona id, the role from "
    "the persona text, and the views of other cast members from their typed relations. Set OPENAI_BASE_URL "
    "to have an LLM flesh out appearance, personality, motivation, secret, speech style and dialogue."
)

# Leading articles, English and the other languages persona texts come in (es, pt, fr, de, it).
_ARTICLE = re.compile(r"^(?:a|an|the|un|una|uma|um|une|ein|eine|el|la|le|il|lo)\s+", re.I)
_FIRST_PERSON_LEFT = re.compile(r"^(?:I|I'm|I am|I've|my)\b", re.I)
_FIRST_PERSON = re.compile(r"^(?:I'm|I am)\s+(?=(?:a|an)\s)", re.I)
_DETERMINERS = frozenset(("a", "an", "the", "of", "for", "to", "my", "his", "her", "their"))
_ROLE_END = re.compile(
    r"\s*(?:[,;:.(]|\s-\s|\b(?:who|whose|that|which|with|seeking|trying|looking|interested|passionate|"
    r"speciali[sz](?:ed|ing)|focus(?:ed|sed|ing)|known|working|living|dedicated|responsible|eager|keen|based|"
    r"at|from|in|on|for|into|obsessed|fluent|close|researching|studying|running|managing|teaching|writing|exploring|advocating|"
    r"and I|que|qui|der|die|das|który|która|które)\b)",
    re.I,
)


def _index(persona_id: str, salt: str, size: int) -> int:
    digest = hashlib.blake2b(f"{salt}:{persona_id}".encode(), digest_size=8).digest()
    return int.from_bytes(digest, "big") % size


def derived_name(persona_id: str, taken: set[str] | None = None) -> str:
    """A stable two-part name for the persona; unique against ``taken`` (which it updates)."""
    taken = taken if taken is not None else set()
    for attempt in range(len(GIVEN_NAMES) * len(FAMILY_NAMES)):
        given = GIVEN_NAMES[_index(persona_id, f"given{attempt}", len(GIVEN_NAMES))]
        family = FAMILY_NAMES[_index(persona_id, f"family{attempt}", len(FAMILY_NAMES))]
        name = f"{given} {family}"
        # Given names are unique too: lorebook entries are keyed by them as well.
        if name not in taken and given not in taken:
            taken.update((name, given))
            return name
    raise RuntimeError("ran out of names")  # pragma: no cover - 3,600 names for one cast


# -ing words that are part of a role ("mining engineer"), not the start of a clause ("woman recovering from").
_ROLE_GERUNDS = frozenset(
    (
        "engineering",
        "nursing",
        "marketing",
        "accounting",
        "banking",
        "publishing",
        "training",
        "teaching",
        "mining",
        "building",
        "printing",
        "catering",
        "shipping",
        "planning",
        "farming",
        "fishing",
        "clothing",
        "housing",
        "recording",
        "racing",
        "sailing",
        "boxing",
        "climbing",
        "diving",
        "wedding",
        "gaming",
        "computing",
        "lighting",
        "landscaping",
        "hiking",
        "plumbing",
        "roofing",
        "welding",
        "baking",
        "brewing",
        "cleaning",
        "dressing",
        "finishing",
    )
)


def derived_role(text: str, max_words: int = 6) -> str:
    """The head noun phrase of a persona text: "A retired nurse who ..." gives "Retired nurse"."""
    head = _ARTICLE.sub("", _FIRST_PERSON.sub("", " ".join(text.split())))
    match = next((m for m in _ROLE_END.finditer(head) if m.start() > 0), None)
    if match:
        head = head[: match.start()]
    words = head.split()
    for i, word in enumerate(words[2:], start=2):
        bare = word.lower().strip(",.;:")
        # "woman recovering from ..." ends the role; "skipper of a sightseeing boat" does not.
        if bare.endswith("ing") and bare not in _ROLE_GERUNDS and words[i - 1].lower() not in _DETERMINERS:
            words = words[:i]
            break
    words = words[:max_words]
    role = " ".join(words).strip(" ,.;:")
    if not role or _FIRST_PERSON_LEFT.match(role):
        return "Local"  # "I'm seventy and I have mended nets..." names no role we can lift
    return role[0].upper() + role[1:]


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
    """persona id -> derived name, unique within the cast (members in cast order)."""
    taken: set[str] = set()
    return {member.id: derived_name(member.id, taken) for member in cast.members}


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
            )
            for rel, other, direction in member_relations(cast, member.id)
        ]
        npcs.append(
            NPC(
                persona_id=member.id,
                persona_text=member.text,
                name=me,
                role=(roles or {}).get(member.id) or derived_role(member.text),
                views=views,
                cluster=member.cluster,
                community=member.community,
                source="persona-text",
                notes=NO_LLM_NOTE,
            )
        )
    return npcs
