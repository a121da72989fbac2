"""Greetings without a language model: several templates, chosen by a hash of the persona id and
filled from the NPC's role, a place its text names, and one of its relations.

A greeting is an action line, an introduction and, when the NPC has relations, a remark about one
related member in the stance its relation type implies ("If Ilse sent you, you can turn round.").
"""

from __future__ import annotations

import hashlib
import re

from personagraph.cast.model import NPCView

ACTIONS = (
    "*{first} looks up.*",
    "*{first} sets down what {they} {were} holding.*",
    "*{first} wipes {their} hands and turns to you.*",
    "*{first} glances over, clearly in the middle of something.*",
    "*{first} gives you a quick nod.*",
    "*{first} straightens up and squints at you.*",
    "*{first} finishes a note and caps the pen.*",
    "*{first} steps aside to let someone pass, then faces you.*",
)
INTRODUCTIONS = (
    '"Yes? {first}. {Role}{place}."',
    '"Morning. I\'m {first}, {role}{place}."',
    '"You\'ve found {first}, {role}{place}. What is it?"',
    '"{first}, {role}{place}. Quickly, if you can."',
    "\"If you're after the {role}{place}, that's me. {first}.\"",
    '"Hello. {first}. Most people know me as the {role}{place}."',
)
# One remark per relation type and side ("out": this NPC is the edge's src).
REMARKS: dict[tuple[str, str], tuple[str, ...]] = {
    ("RIVAL", "out"): ("If {other} sent you, you can turn round.", "You haven't been talking to {other}, have you?"),
    ("FAMILY_OF", "out"): (
        "{other} is family; if this is about them, I'm listening.",
        "Did {other} put you up to this?",
    ),
    ("FRIEND_OF", "out"): ("Any friend of {other}'s is welcome.", "{other} said someone might come by."),
    ("COLLEAGUE", "out"): ("{other} and I were just talking shop.", "Ask {other} if you don't believe me."),
    ("NEIGHBOUR_OF", "out"): (
        "{other} next door saw you coming, I expect.",
        "Don't mind {other}'s curtains twitching.",
    ),
    ("MENTOR_OF", "out"): (
        "I've got {other} to look after after this, so be brief.",
        "{other} is learning from me, slowly.",
    ),
    ("MENTOR_OF", "in"): ("{other} taught me most of what I know.", "I'd better not keep {other} waiting."),
    ("STUDENT_OF", "out"): ("{other} will have my head if I'm late.", "I'm due a lesson with {other} later."),
    ("STUDENT_OF", "in"): ("I'm waiting on {other}, one of my students.", "{other} has promise, whatever they think."),
    ("PATIENT_OF", "out"): (
        "I've an appointment with {other} later, so I can't stay.",
        "{other} told me to take it easy.",
    ),
    ("PATIENT_OF", "in"): ("If it's about {other}, I can't discuss my patients.", "I was just thinking about {other}."),
    ("CLIENT_OF", "out"): ("Still waiting on {other}, as usual.", "{other} does good work, when it's on time."),
    ("CLIENT_OF", "in"): ("{other} keeps me busy enough.", "If {other} is complaining again, I don't want to hear it."),
    ("SUPPLIER_OF", "out"): ("{other} wants another delivery by Friday.", "{other} owes me for the last load."),
    ("SUPPLIER_OF", "in"): ("If {other}'s prices go up again I'll scream.", "{other} was late again this week."),
}
_PLACE = re.compile(
    r"\b(at|on|in)\s+(?:the\s+)?((?:[A-Z][\w'’-]+)(?:\s+(?:[A-Z][\w'’-]+|of|the))*(?<!\bof)(?<!\bthe))"
    r"|\b(at|on|in|by)\s+the\s+(harbour|quay|market|shipyard|yard|hospital|clinic|school|island|port|village|"
    r"pub|library|station|farm|church|lab|ward|docks|beach|mill|mine|theatre|university|garage|bakery|café)\b"
)
_PRONOUNS = {"f": ("she", "her", "was"), "m": ("he", "his", "was"), None: ("they", "their", "were")}


def _pick(persona_id: str, salt: str, options: tuple[str, ...]) -> str:
    digest = hashlib.blake2b(f"{salt}:{persona_id}".encode(), digest_size=8).digest()
    return options[int.from_bytes(digest, "big") % len(options)]


def place_of(text: str) -> str:
    """A place the persona text names, with its preposition ("on Tannery Lane", "on the island"), or ""."""
    match = _PLACE.search(text)
    if not match:
        return ""
    if match.group(2):
        words = match.group(2).split()
        if words[0] in ("I", "My") or len(words[0]) < 3:
            return ""
        return f"{match.group(1)} {match.group(2)}"
    return f"{match.group(3)} the {match.group(4)}"


def greeting(persona_id: str, name: str, role: str, text: str, views: list[NPCView], gender: str | None = None) -> str:
    """A first message for the card, varied per persona and deterministic."""
    first = name.split()[0]
    they, their, were = _PRONOUNS.get(gender, _PRONOUNS[None])
    bare_role = role[0].lower() + role[1:] if role and role[1:2].islower() else role
    place = place_of(text)
    place_part = f" {place}" if place and place.split(" ", 1)[1].lower() not in bare_role.lower() else ""
    action = _pick(persona_id, "action", ACTIONS).format(first=first, they=they, their=their, were=were)
    intro = _pick(persona_id, "intro", INTRODUCTIONS).format(first=first, role=bare_role, Role=role, place=place_part)
    parts = [action, intro]
    if views:
        view = views[int(hashlib.blake2b(persona_id.encode(), digest_size=4).hexdigest(), 16) % len(views)]
        direction = view.direction if (view.type, view.direction) in REMARKS else "out"
        options = REMARKS.get((view.type, direction))
        if options:
            remark = _pick(persona_id, "remark", options).format(other=view.name.split()[0])
            parts.append(f'"{remark}"')
    return " ".join(parts)
