"""Relation types: a validated vocabulary, because types are written into Cypher text.

Every type has one stored direction. A directed type may declare an inverse name (PATIENT_OF /
CARES_FOR): an answer in the inverse reading is stored as the canonical type with its ends
swapped, so the graph holds canonical types only and "who is this patient's doctor?" and "who are
this doctor's patients?" land on the same edge. Symmetric types read the same both ways.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from typing import NamedTuple

from personagraph.errors import VocabularyError

TYPE_PATTERN = re.compile(r"^[A-Z][A-Z0-9_]*$")

DEFAULT_RELATIONS: tuple[str, ...] = (
    "COLLEAGUE",
    "PATIENT_OF",
    "RIVAL",
    "MENTOR_OF",
    "FAMILY_OF",
    "FRIEND_OF",
    "CLIENT_OF",
    "STUDENT_OF",
    "NEIGHBOUR_OF",
    "SUPPLIER_OF",
    "EMPLOYEE_OF",
)

# Relations that read the same both ways; the others point from the first named to the second
# ("(:nurse's patient)-[:PATIENT_OF]->(:nurse)").
SYMMETRIC: frozenset[str] = frozenset({"COLLEAGUE", "RIVAL", "FAMILY_OF", "FRIEND_OF", "NEIGHBOUR_OF"})

# The other reading of each directed default type: "A CARES_FOR B" is stored as (B)-[:PATIENT_OF]->(A).
# STUDENT_OF stays a stored type of its own (a pupil in a class, not one-to-one mentoring): the
# example world and the cast roles use both, so it gets its own inverse rather than folding into MENTOR_OF.
DEFAULT_INVERSES: Mapping[str, str] = {
    "PATIENT_OF": "CARES_FOR",
    "MENTOR_OF": "MENTEE_OF",
    "CLIENT_OF": "SERVES",
    "STUDENT_OF": "TEACHES",
    "SUPPLIER_OF": "SUPPLIED_BY",
    "EMPLOYEE_OF": "EMPLOYS",
}

# Edge types the package itself uses; never offered as persona relations.
STRUCTURAL: frozenset[str] = frozenset({"DERIVED_FROM", "GENERATED_BY", "USED_IN", "MERGED_INTO"})

# Words a model uses for a relation, read as "<related persona> WORD <this persona>", mapped to a
# canonical type or an inverse name (which carries the direction: "doctor" is CARES_FOR).
DEFAULT_SYNONYMS: Mapping[str, str] = {
    **dict.fromkeys(("COWORKER", "CO_WORKER", "PEER", "TEAMMATE", "WORKMATE", "CO_WORKER_OF"), "COLLEAGUE"),
    **dict.fromkeys(("PATIENT", "CLIENT_IN_CARE"), "PATIENT_OF"),
    **dict.fromkeys(
        (
            "DOCTOR",
            "PHYSICIAN",
            "GP",
            "NURSE",
            "CARER",
            "CAREGIVER",
            "CARE_GIVER",
            "THERAPIST",
            "DENTIST",
            "CARE_WORKER",
        ),
        "CARES_FOR",
    ),
    **dict.fromkeys(("COMPETITOR", "OPPONENT", "ADVERSARY", "COMPETES_WITH"), "RIVAL"),
    **dict.fromkeys(("MENTOR", "COACH", "COACH_OF", "ADVISOR", "ADVISER", "SUPERVISOR_OF"), "MENTOR_OF"),
    **dict.fromkeys(("MENTEE", "PROTEGE", "COACHED_BY", "MENTORED_BY", "APPRENTICE", "APPRENTICE_OF"), "MENTEE_OF"),
    **dict.fromkeys(
        (
            "FAMILY",
            "FAMILY_MEMBER",
            "FAMILY_MEMBER_OF",
            "RELATIVE",
            "RELATIVE_OF",
            "RELATED_TO",
            "PARENT",
            "PARENT_OF",
            "CHILD",
            "CHILD_OF",
            "SIBLING",
            "SIBLING_OF",
            "SISTER",
            "SISTER_OF",
            "BROTHER",
            "BROTHER_OF",
            "SPOUSE",
            "SPOUSE_OF",
            "HUSBAND",
            "WIFE",
            "PARTNER_OF",
            "MOTHER",
            "FATHER",
            "SON",
            "DAUGHTER",
            "GRANDPARENT",
            "GRANDCHILD",
            "GRANDMOTHER",
            "GRANDFATHER",
            "AUNT",
            "UNCLE",
            "COUSIN",
            "NIECE",
            "NEPHEW",
            "IN_LAW",
        ),
        "FAMILY_OF",
    ),
    **dict.fromkeys(("FRIEND", "BEST_FRIEND", "CLOSE_FRIEND", "ACQUAINTANCE"), "FRIEND_OF"),
    **dict.fromkeys(("CLIENT", "CUSTOMER", "CUSTOMER_OF", "BUYER", "PATRON"), "CLIENT_OF"),
    **dict.fromkeys(("SERVICE_PROVIDER", "PROVIDER", "SERVES_CLIENT", "ADVISES"), "SERVES"),
    **dict.fromkeys(("STUDENT", "PUPIL", "PUPIL_OF", "LEARNER"), "STUDENT_OF"),
    **dict.fromkeys(("TEACHER", "TEACHER_OF", "TUTOR", "TUTOR_OF", "INSTRUCTOR", "PROFESSOR"), "TEACHES"),
    **dict.fromkeys(("NEIGHBOR", "NEIGHBOR_OF", "NEIGHBOUR"), "NEIGHBOUR_OF"),
    **dict.fromkeys(("SUPPLIER", "VENDOR", "VENDOR_OF", "PROVIDER_OF", "SUPPLIES"), "SUPPLIER_OF"),
    **dict.fromkeys(("EMPLOYEE", "EMPLOYED_BY", "WORKS_FOR", "STAFF_OF", "ASSISTANT_OF", "REPORTS_TO"), "EMPLOYEE_OF"),
    # The nearest type for the one a persona answers to at work.
    **dict.fromkeys(("EMPLOYER", "EMPLOYER_OF", "BOSS", "BOSS_OF", "MANAGER", "MANAGER_OF", "SUPERVISOR"), "EMPLOYS"),
}

# Words models put around a type ("is a patient of", "their doctor"); stripped before a second lookup.
_FILLER_PREFIX = re.compile(r"^(?:(?:IS|ARE|WAS|A|AN|THE|HIS|HER|THEIR|ITS|THIS_PERSONA_S|PERSONA_S)_)+")


def _canonical_spelling(raw: str) -> str:
    return re.sub(r"[^A-Z0-9]+", "_", raw.strip().upper()).strip("_")


def _variants(spelled: str) -> Iterable[str]:
    """The spelling, then without filler words, then singular ("COLLEAGUES" → "COLLEAGUE")."""
    bare = _FILLER_PREFIX.sub("", spelled)
    for form in dict.fromkeys((spelled, bare)):
        yield form
        head, sep, tail = form.partition("_")
        if head.endswith("S") and not head.endswith("SS") and len(head) > 3:
            yield head[:-1] + sep + tail


class Reading(NamedTuple):
    """How one answer is stored: the canonical type, and whether the ends swap (an inverse name)."""

    type: str
    reversed: bool


class Vocabulary:
    """The relation types a graph may hold, their inverse names and symmetry, and a synonyms table
    for LLM answers."""

    def __init__(
        self,
        types: Iterable[str] = DEFAULT_RELATIONS,
        synonyms: Mapping[str, str] = DEFAULT_SYNONYMS,
        inverses: Mapping[str, str] | None = None,
        symmetric: Iterable[str] | None = None,
    ) -> None:
        """``inverses`` (type → inverse name) and ``symmetric`` add to the defaults' declarations,
        which default types keep in any vocabulary; a custom type has neither unless declared."""
        self.types: tuple[str, ...] = tuple(dict.fromkeys(types))
        if not self.types:
            raise VocabularyError("the relation vocabulary is empty")
        for name in self.types:
            if not TYPE_PATTERN.match(name):
                raise VocabularyError(f"relation type {name!r} must match {TYPE_PATTERN.pattern}")
            if name in STRUCTURAL:
                raise VocabularyError(f"relation type {name!r} is reserved by PersonaGraph")
        declared = {**DEFAULT_INVERSES, **(inverses or {})}
        self.symmetric: frozenset[str] = frozenset(t for t in self.types if t in SYMMETRIC or t in set(symmetric or ()))
        self.inverses: dict[str, str] = {
            t: declared[t] for t in self.types if t in declared and t not in self.symmetric and declared[t] != t
        }
        self._inverse_of = {inverse: t for t, inverse in self.inverses.items()}
        for inverse, name in self._inverse_of.items():
            if not TYPE_PATTERN.match(inverse):
                raise VocabularyError(f"inverse name {inverse!r} of {name} must match {TYPE_PATTERN.pattern}")
            if inverse in self.types or inverse in STRUCTURAL:
                raise VocabularyError(f"{inverse!r} cannot be both a stored type and the inverse of {name}")
        if len(self._inverse_of) != len(self.inverses):
            raise VocabularyError("two relation types declare the same inverse name")
        self.synonyms = {k: v for k, v in synonyms.items() if v in self.types or v in self._inverse_of}

    @classmethod
    def parse(cls, spec: str | None) -> Vocabulary:
        """From a comma-separated list such as ``"COLLEAGUE,RIVAL"``; None gives the default.

        ``TYPE/INVERSE`` declares an inverse name (``PATIENT_OF/CARES_FOR``), ``TYPE/TYPE`` a
        symmetric type (``BANDMATE/BANDMATE``); default types keep their own declarations.
        """
        if not spec:
            return cls()
        types: list[str] = []
        inverses: dict[str, str] = {}
        symmetric: list[str] = []
        for part in filter(None, (p.strip() for p in spec.split(","))):
            if part.count("/") > 1:
                raise VocabularyError(f"{part!r} has more than one '/' (TYPE or TYPE/INVERSE)", param="relations")
            name, _, inverse = (_canonical_spelling(x) for x in part.partition("/"))
            types.append(name)
            if inverse == name:
                symmetric.append(name)
            elif inverse:
                inverses[name] = inverse
        return cls(types, inverses=inverses, symmetric=symmetric)

    def __contains__(self, name: object) -> bool:
        return name in self.types

    @property
    def answer_names(self) -> tuple[str, ...]:
        """Every name a model may answer with: each canonical type, followed by its inverse name."""
        return tuple(n for t in self.types for n in (t, self.inverses.get(t)) if n)

    def check(self, name: str) -> str:
        """Return ``name`` if it is in the vocabulary, else raise VocabularyError."""
        if name not in self.types:
            raise VocabularyError(f"unknown relation type {name!r}", hint=f"known: {', '.join(self.types)}")
        return name

    def read(self, raw: str) -> Reading | None:
        """Map a free-form answer (an LLM's, an import's) to a stored type and direction, or None."""
        for form in _variants(_canonical_spelling(raw)):
            target = form if (form in self.types or form in self._inverse_of) else self.synonyms.get(form)
            if target in self.types:
                return Reading(target, False)
            if target in self._inverse_of:
                return Reading(self._inverse_of[target], True)
        return None

    def resolve(self, raw: str) -> str | None:
        """The stored type for an answer read as "<first> TYPE <second>" without swapping ends, or
        None (no match, or an inverse reading, which needs ``read`` to swap the ends)."""
        reading = self.read(raw)
        return reading.type if reading is not None and not reading.reversed else None
