"""The relation vocabulary: canonical types, inverse names, symmetry, synonyms, custom declarations."""

from __future__ import annotations

import pytest

from personagraph.errors import VocabularyError
from personagraph.vocabulary import DEFAULT_INVERSES, DEFAULT_RELATIONS, SYMMETRIC, Reading, Vocabulary


def test_every_directed_default_type_has_an_inverse_and_the_others_are_symmetric() -> None:
    vocabulary = Vocabulary()
    assert "EMPLOYEE_OF" in vocabulary.types
    for name in DEFAULT_RELATIONS:
        assert (name in vocabulary.inverses) != (name in vocabulary.symmetric), name
    assert vocabulary.inverses["PATIENT_OF"] == "CARES_FOR" and vocabulary.inverses["EMPLOYEE_OF"] == "EMPLOYS"
    assert vocabulary.symmetric == SYMMETRIC
    # Inverse names are answers, never stored types.
    for inverse in DEFAULT_INVERSES.values():
        assert inverse not in vocabulary.types
        with pytest.raises(VocabularyError):
            vocabulary.check(inverse)
    assert vocabulary.answer_names[:3] == ("COLLEAGUE", "PATIENT_OF", "CARES_FOR")


@pytest.mark.parametrize(
    ("word", "reading"),
    [
        # "<related persona> WORD <this persona>"
        ("PATIENT_OF", ("PATIENT_OF", False)),
        ("cares for", ("PATIENT_OF", True)),
        ("doctor", ("PATIENT_OF", True)),
        ("Nurse", ("PATIENT_OF", True)),
        ("carer", ("PATIENT_OF", True)),
        ("is a patient of", ("PATIENT_OF", False)),
        ("colleagues", ("COLLEAGUE", False)),
        ("boss", ("EMPLOYEE_OF", True)),
        ("employer", ("EMPLOYEE_OF", True)),
        ("employee", ("EMPLOYEE_OF", False)),
        ("sister", ("FAMILY_OF", False)),
        ("spouse", ("FAMILY_OF", False)),
        ("family member", ("FAMILY_OF", False)),
        ("mentee", ("MENTOR_OF", True)),
        ("mentor", ("MENTOR_OF", False)),
        ("vendor", ("SUPPLIER_OF", False)),
        ("supplied by", ("SUPPLIER_OF", True)),
        ("teacher", ("STUDENT_OF", True)),
        ("customer", ("CLIENT_OF", False)),
        ("serves", ("CLIENT_OF", True)),
        ("friends", ("FRIEND_OF", False)),
    ],
)
def test_answers_read_as_a_canonical_type_and_a_direction(word: str, reading: tuple[str, bool]) -> None:
    assert Vocabulary().read(word) == Reading(*reading)


def test_unknown_answers_and_inverse_readings_through_resolve() -> None:
    vocabulary = Vocabulary()
    assert vocabulary.read("landlord of") is None and vocabulary.read("arch nemesis") is None
    # resolve() keeps its meaning (no swap possible): an inverse reading is not a plain match.
    assert vocabulary.resolve("coworker") == "COLLEAGUE" and vocabulary.resolve("doctor") is None


def test_a_custom_vocabulary_declares_inverses_and_symmetry() -> None:
    vocabulary = Vocabulary.parse("PATIENT_OF, bandmate/bandmate, LANDLORD_OF/TENANT_OF, RIVAL, SPONSOR_OF")
    assert vocabulary.types == ("PATIENT_OF", "BANDMATE", "LANDLORD_OF", "RIVAL", "SPONSOR_OF")
    assert vocabulary.inverses == {"PATIENT_OF": "CARES_FOR", "LANDLORD_OF": "TENANT_OF"}  # defaults keep theirs
    assert vocabulary.symmetric == {"BANDMATE", "RIVAL"}
    assert vocabulary.read("tenant of") == Reading("LANDLORD_OF", True)
    assert vocabulary.read("SPONSOR_OF") == Reading("SPONSOR_OF", False)  # a custom type has no inverse
    assert vocabulary.read("sponsored by") is None
    # synonyms whose target is outside the vocabulary are not offered
    assert vocabulary.read("boss") is None and vocabulary.read("doctor") == Reading("PATIENT_OF", True)
    assert vocabulary.answer_names == (
        "PATIENT_OF",
        "CARES_FOR",
        "BANDMATE",
        "LANDLORD_OF",
        "TENANT_OF",
        "RIVAL",
        "SPONSOR_OF",
    )


@pytest.mark.parametrize(
    "spec",
    ["PATIENT_OF/COLLEAGUE,COLLEAGUE", "A_OF/X,B_OF/X", "LANDLORD_OF/MERGED_INTO", "LANDLORD_OF/tenant-of!/x"],
)
def test_bad_inverse_declarations_are_refused(spec: str) -> None:
    with pytest.raises(VocabularyError):
        Vocabulary.parse(spec)
