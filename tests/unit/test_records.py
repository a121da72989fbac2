"""The light record checks of the import path agree with the pydantic models they stand in for."""

from __future__ import annotations

import random
import unicodedata

import pytest
from pydantic import ValidationError

from personagraph.errors import VocabularyError
from personagraph.ids import _EDGE_PUNCT, _SPACE, normalise, persona_id, text_id
from personagraph.ingest.records import detect_kind, labels_value, persona_row, relation_row, text_row
from personagraph.models import Persona, SourceText
from personagraph.vocabulary import Vocabulary

AWKWARD = [
    "A nurse",
    "  A nurse on nights  ",
    "A nurse.\n",
    "\tA welder\u00a0",
    "Ünïcödé Straße-Lehrerin",
    "ＡＢＣ wide letters",
    "x",
    " ",
    "",
    "\u3000",
    "A\u2028B",
    "\x1cA chess coach\x1f",
    "tab\tinside",
    "ends with dots...",
    "emoji 🧑‍⚕️ nurse",
]


def _model_or_error(text: object) -> tuple[str, str] | str:
    try:
        persona = Persona(text=text)  # type: ignore[arg-type]
    except ValidationError:
        return "error"
    return persona.id, persona.text


def _row_or_error(text: object) -> tuple[str, str] | str:
    try:
        row = persona_row({"persona": text})
    except ValueError:
        return "error"
    return row["id"], row["text"]


@pytest.mark.parametrize("text", [*AWKWARD, None, 42, ["a list"]])
def test_persona_row_matches_the_model(text: object) -> None:
    assert _row_or_error(text) == _model_or_error(text)


def test_persona_row_matches_the_model_on_random_strings() -> None:
    rng = random.Random(3)
    alphabet = [*"abc XYZ.,;!\t\n", "\u00a0", "\u2003", "é", "ß", "ﬁ", "\x1d", "\u180e", "İ"]
    for _ in range(3000):
        text = "".join(rng.choice(alphabet) for _ in range(rng.randrange(0, 8)))
        assert _row_or_error(text) == _model_or_error(text), repr(text)


def test_a_persona_hub_line_gives_the_row_the_full_checks_give() -> None:
    """``{"persona": text}`` skips the checks when they would change nothing: the row is the one
    the same record with another key (which takes the full path) gives."""
    rng = random.Random(11)
    alphabet = [*"ab Z.\t\n", "\u00a0", "é", "\x1d", "\u180e", "\u200b", "🧑", "\u2028"]
    for _ in range(3000):
        text = "".join(rng.choice(alphabet) for _ in range(rng.randrange(0, 6)))
        try:
            full = persona_row({"persona": text, "origin": "import"})
        except ValueError:
            with pytest.raises(ValueError):
                persona_row({"persona": text})
            continue
        assert persona_row({"persona": text}) == full, repr(text)


def test_ascii_fast_path_of_normalise_is_the_reference() -> None:
    def reference(text: str) -> str:
        return _SPACE.sub(" ", unicodedata.normalize("NFKC", text).casefold()).strip(_EDGE_PUNCT)

    rng = random.Random(5)
    for _ in range(20000):
        text = "".join(chr(rng.randrange(128)) for _ in range(rng.randrange(0, 10)))
        assert normalise(text) == reference(text), repr(text)
    for text in AWKWARD:
        assert normalise(text) == reference(text)


def test_text_row_matches_the_model() -> None:
    row = text_row({"text": "  The night shift starts at ten. ", "url": "https://example.org/a"})
    model = SourceText(text="  The night shift starts at ten. ", source="https://example.org/a")
    assert (row["id"], row["text"], row["source"]) == (model.id, model.text, model.source) and row["id"] == text_id(
        "The night shift starts at ten"
    )
    with pytest.raises(ValueError, match="text"):
        text_row({"text": "   "})


def test_persona_row_fields() -> None:
    row = persona_row({"id": "fp-17", "persona": "A welder", "labels": '["Industry", "Welding"]'})
    assert row == {
        "id": persona_id("A welder"),
        "text": "A welder",
        "origin": "import",
        "hop": 0,
        "uses": 0,
        "labels": ["Industry", "Welding"],
        "source_id": "fp-17",
        # FinePersonas' topic labels are also read as the typed attribute `interests`
        "interests": ["Industry", "Welding"],
        "attrs_source": "import",
    }
    exported = persona_row(
        {"id": persona_id("A welder"), "text": "A welder", "origin": "persona", "hop": "2", "cluster": 4, "uses": 3}
    )
    assert exported == {
        "id": persona_id("A welder"),
        "text": "A welder",
        "origin": "persona",
        "hop": 2,
        "uses": 3,
        "cluster": 4,
    }
    assert persona_row({"input persona": "A baker"})["text"] == "A baker"
    for bad in (
        {"persona": "x", "origin": "alien"},
        {"persona": "x", "hop": -1},
        {"persona": "x", "hop": 1.5},
        {"persona": "x", "hop": "two"},
    ):
        with pytest.raises(ValueError):
            persona_row(bad)
    assert labels_value("a, b,") == ["a", "b"] and labels_value("") is None and labels_value(["x", 2]) == ["x", "2"]


def test_detect_kind() -> None:
    assert detect_kind({"src": "a", "dst": "b", "type": "RIVAL"}) == "relations"
    assert detect_kind({"persona": "a"}) == detect_kind({"input persona": "a"}) == "personas"
    assert detect_kind({"id": persona_id("a"), "text": "a"}) == "personas"
    assert detect_kind({"text": "a web page"}) == "texts"
    with pytest.raises(ValueError, match="keys: x"):
        detect_kind({"x": 1})


def test_relation_row() -> None:
    vocabulary = Vocabulary()
    (src, dst, rel_type, props), new = relation_row(
        {
            "src": persona_id("A nurse"),
            "dst": " A patient ",
            "type": "patient",
            "evidence": "ward 3",
            "hop": 1,
            "weight": float("nan"),
            "nested": {"a": 1},
        },
        vocabulary,
    )
    assert (src, dst, rel_type) == (persona_id("A nurse"), persona_id("A patient"), "PATIENT_OF")
    assert props == {"evidence": "ward 3", "hop": 1, "run": "import"}
    assert new == [{"id": persona_id("A patient"), "text": "A patient", "origin": "import", "hop": 0, "uses": 0}]
    # An inverse name is stored as its canonical type, ends swapped: "the nurse CARES_FOR the patient".
    (src, dst, rel_type, _), _ = relation_row({"src": "A nurse", "dst": "A patient", "type": "cares for"}, vocabulary)
    assert (src, dst, rel_type) == (persona_id("A patient"), persona_id("A nurse"), "PATIENT_OF")
    with pytest.raises(VocabularyError, match="arch nemesis"):
        relation_row({"src": "a", "dst": "b", "type": "arch nemesis"}, vocabulary)
    for bad in (
        {"src": "", "dst": "b", "type": "RIVAL"},
        {"src": "a", "dst": 3, "type": "RIVAL"},
        {"src": "a", "dst": "b", "type": ""},
        {"src": "a", "dst": "b", "type": "RIVAL", "big": 2**70},  # refused, not dropped: the stores keep 64 bits
        {"src": "a", "dst": "b", "type": "RIVAL", "@rid": "#1:1"},
        {"src": "a", "dst": "a", "type": "RIVAL"},  # a self-loop, unless asked for
    ):
        with pytest.raises(ValueError):
            relation_row(bad, vocabulary)
    (src, dst, _, _), _ = relation_row({"src": "a", "dst": "a", "type": "RIVAL"}, vocabulary, self_loops=True)
    assert src == dst == persona_id("a")


def test_relation_rows_between_ids_keep_their_properties_line_after_line() -> None:
    """Two persona ids need no persona rows; a property name accepted once is not checked again,
    but its values still are, on every line."""
    vocabulary = Vocabulary()
    a, b = persona_id("A nurse"), persona_id("A patient")
    for run in ("r1", "r2"):
        (src, dst, rel_type, props), new = relation_row(
            {"src": a, "dst": b, "type": "RIVAL", "run": run, "note": "x", "w": 1.5}, vocabulary
        )
        assert (src, dst, rel_type, props, new) == (a, b, "RIVAL", {"run": run, "note": "x", "w": 1.5}, [])
    (_, _, _, props), _ = relation_row({"src": a, "dst": b, "type": "RIVAL", "note": float("inf")}, vocabulary)
    assert props == {"run": "import"}  # a value no store keeps exactly is dropped, as before
    with pytest.raises(ValueError, match="64-bit"):
        relation_row({"src": a, "dst": b, "type": "RIVAL", "note": 2**64}, vocabulary)
    with pytest.raises(ValueError, match="not allowed"):
        relation_row({"src": a, "dst": b, "type": "RIVAL", "@rid": "#1:1"}, vocabulary)
