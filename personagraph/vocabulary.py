"""Relation types: a validated vocabulary, because types are written into Cypher text."""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping

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
)

# Relations that read the same both ways; the others point from the first named to the second
# ("(:nurse's patient)-[:PATIENT_OF]->(:nurse)").
SYMMETRIC: frozenset[str] = frozenset({"COLLEAGUE", "RIVAL", "FAMILY_OF", "FRIEND_OF", "NEIGHBOUR_OF"})

# Edge types the package itself uses; never offered as persona relations.
STRUCTURAL: frozenset[str] = frozenset({"DERIVED_FROM", "GENERATED_BY", "USED_IN", "MERGED_INTO"})

DEFAULT_SYNONYMS: Mapping[str, str] = {
    "COWORKER": "COLLEAGUE",
    "CO_WORKER": "COLLEAGUE",
    "PEER": "COLLEAGUE",
    "TEAMMATE": "COLLEAGUE",
    "PATIENT": "PATIENT_OF",
    "COMPETITOR": "RIVAL",
    "OPPONENT": "RIVAL",
    "ADVERSARY": "RIVAL",
    "MENTOR": "MENTOR_OF",
    "TEACHER_OF": "MENTOR_OF",
    "COACH_OF": "MENTOR_OF",
    "FAMILY": "FAMILY_OF",
    "RELATIVE": "FAMILY_OF",
    "RELATIVE_OF": "FAMILY_OF",
    "PARENT_OF": "FAMILY_OF",
    "CHILD_OF": "FAMILY_OF",
    "SIBLING": "FAMILY_OF",
    "SIBLING_OF": "FAMILY_OF",
    "SPOUSE_OF": "FAMILY_OF",
    "FRIEND": "FRIEND_OF",
    "CLIENT": "CLIENT_OF",
    "CUSTOMER": "CLIENT_OF",
    "CUSTOMER_OF": "CLIENT_OF",
    "STUDENT": "STUDENT_OF",
    "MENTEE_OF": "STUDENT_OF",
    "APPRENTICE_OF": "STUDENT_OF",
    "NEIGHBOR": "NEIGHBOUR_OF",
    "NEIGHBOR_OF": "NEIGHBOUR_OF",
    "NEIGHBOUR": "NEIGHBOUR_OF",
    "SUPPLIER": "SUPPLIER_OF",
    "VENDOR_OF": "SUPPLIER_OF",
}


def _canonical_spelling(raw: str) -> str:
    return re.sub(r"[^A-Z0-9]+", "_", raw.strip().upper()).strip("_")


class Vocabulary:
    """The relation types a graph may hold, plus a synonyms table for LLM answers."""

    def __init__(
        self,
        types: Iterable[str] = DEFAULT_RELATIONS,
        synonyms: Mapping[str, str] = DEFAULT_SYNONYMS,
    ) -> None:
        self.types: tuple[str, ...] = tuple(dict.fromkeys(types))
        if not self.types:
            raise VocabularyError("the relation vocabulary is empty")
        for name in self.types:
            if not TYPE_PATTERN.match(name):
                raise VocabularyError(f"relation type {name!r} must match {TYPE_PATTERN.pattern}")
            if name in STRUCTURAL:
                raise VocabularyError(f"relation type {name!r} is reserved by PersonaGraph")
        self.synonyms = {k: v for k, v in synonyms.items() if v in self.types}

    @classmethod
    def parse(cls, spec: str | None) -> Vocabulary:
        """From a comma-separated list such as ``"COLLEAGUE,RIVAL"``; None gives the default."""
        if not spec:
            return cls()
        return cls([_canonical_spelling(part) for part in spec.split(",") if part.strip()])

    def __contains__(self, name: object) -> bool:
        return name in self.types

    def check(self, name: str) -> str:
        """Return ``name`` if it is in the vocabulary, else raise VocabularyError."""
        if name not in self.types:
            raise VocabularyError(f"unknown relation type {name!r}", hint=f"known: {', '.join(self.types)}")
        return name

    def resolve(self, raw: str) -> str | None:
        """Map a free-form type (an LLM's answer) to the vocabulary, or None if it has no match."""
        spelled = _canonical_spelling(raw)
        if spelled in self.types:
            return spelled
        return self.synonyms.get(spelled)
