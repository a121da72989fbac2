"""Pure code: ids, vocabulary, the query loader, the read-only guard, settings, errors."""

from __future__ import annotations

import pickle

import pytest

from personagraph import queries
from personagraph.cli.options import parse_param
from personagraph.config import Secret, Settings
from personagraph.errors import ConfigError, MalformedInputError, PersonaGraphError, VocabularyError
from personagraph.ids import normalise, persona_id
from personagraph.store.guard import write_clause
from personagraph.vocabulary import DEFAULT_RELATIONS, Vocabulary


def test_ids_are_content_hashes_of_normalised_text() -> None:
    assert persona_id("A  Nurse in Ohio.") == persona_id("a nurse in ohio")
    assert persona_id("A nurse in Ohio") != persona_id("A nurse in Iowa")
    assert persona_id("x").startswith("p_") and len(persona_id("x")) == 18
    assert normalise("  Ｆｕｌｌ　width\tTEXT. ") == "full width text"


def test_vocabulary_checks_and_resolves() -> None:
    vocab = Vocabulary()
    for name in ("COLLEAGUE", "PATIENT_OF", "RIVAL", "MENTOR_OF", "FAMILY_OF", "FRIEND_OF", "CLIENT_OF"):
        assert name in DEFAULT_RELATIONS and vocab.check(name) == name
    assert vocab.resolve("co-worker") == "COLLEAGUE"
    assert vocab.resolve("Patient of") == "PATIENT_OF"
    assert vocab.resolve("arch nemesis") is None
    with pytest.raises(VocabularyError):
        vocab.check("RIVAL]->() DETACH DELETE (n")
    with pytest.raises(VocabularyError):
        Vocabulary(["bad type"])
    with pytest.raises(VocabularyError):
        Vocabulary(["DERIVED_FROM"])
    assert Vocabulary.parse("colleague, rival").types == ("COLLEAGUE", "RIVAL")
    # a synonym whose target is outside the vocabulary is not offered
    assert Vocabulary.parse("RIVAL").resolve("coworker") is None


def test_every_query_file_parses_with_header() -> None:
    for name in queries.names():
        query = queries.load(name)
        assert query.text and query.description, name
        assert query.params, f"{name} has no '// params:' line"
    assert queries.load("upsert_personas").write is True
    assert queries.load("page_personas").write is False


def test_type_slot_only_takes_valid_types() -> None:
    query = queries.load("add_relations")
    assert "[e:RIVAL]" in query.with_type("RIVAL").text
    with pytest.raises(VocabularyError):
        query.with_type("RIVAL]->(x) DELETE x//")
    with pytest.raises(ConfigError):
        queries.load("no_such_query")


@pytest.mark.parametrize(
    ("cypher", "clause"),
    [
        ("MATCH (p) RETURN p", None),
        ("MATCH (p) WHERE p.text CONTAINS 'CREATE' RETURN p", None),
        ("MATCH (p) // DELETE p\nRETURN p", None),
        ("MATCH (p) DETACH DELETE p", "DETACH"),
        ("match (p) set p.x = 1", "SET"),
        ("MERGE (p:Persona {id: 'x'})", "MERGE"),
        ("CALL db.createLabel('X')", "CALL db.createLabel"),
        ("LOAD CSV FROM 'file:///x' AS row RETURN row", "LOAD CSV"),
        ("MATCH (p) RETURN p.offset AS settled", None),
    ],
)
def test_write_clause_detection(cypher: str, clause: str | None) -> None:
    assert write_clause(cypher) == clause


def test_param_parsing_is_typed() -> None:
    assert parse_param("n=3") == ("n", 3)
    assert parse_param("x=0.5") == ("x", 0.5)
    assert parse_param("q=nurse") == ("q", "nurse")
    assert parse_param('ids=["a","b"]') == ("ids", ["a", "b"])
    assert parse_param("s=a=b") == ("s", "a=b")
    with pytest.raises(ConfigError):
        parse_param("novalue")


def test_secrets_never_show() -> None:
    settings = Settings.from_env({"PERSONAGRAPH_PASSWORD": "hunter22", "OPENAI_API_KEY": "sk-secret"})
    assert "hunter22" not in repr(settings) and "sk-secret" not in repr(settings)
    assert settings.password.reveal() == "hunter22"
    with pytest.raises(TypeError):
        pickle.dumps(Secret("x"))


def test_error_tree_and_exit_codes() -> None:
    error = MalformedInputError("a.jsonl", 7, "invalid JSON")
    assert str(error) == "a.jsonl:7: invalid JSON"
    assert isinstance(error, PersonaGraphError) and error.exit_code == 3
    assert VocabularyError("x").exit_code == 2
