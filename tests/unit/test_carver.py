"""The carver's grammars: what they accept, what they write, and the injection attempts they refuse."""

from __future__ import annotations

import pytest

from personagraph.errors import ConfigError, VocabularyError
from personagraph.sampling.carver import Carver, parse_match, parse_where
from personagraph.store.guard import write_clause


def test_where_parses_into_parameters() -> None:
    assert parse_where("hop <= 2 and origin = text AND uses == 0") == [
        {"field": "hop", "op": "<=", "value": 2},
        {"field": "origin", "op": "=", "value": "text"},
        {"field": "uses", "op": "=", "value": 0},
    ]
    assert parse_where("degree >= 3 and community != 1") == [
        {"field": "degree", "op": ">=", "value": 3},
        {"field": "community", "op": "<>", "value": 1},
    ]
    assert parse_where("origin = 'persona'")[0]["value"] == "persona"
    assert parse_where("") == []


@pytest.mark.parametrize(
    "bad",
    [
        "hop <= 2 or hop = 5",  # no 'or'
        "text = 'x'",  # not a whitelisted field
        "hop <= 'two'",  # a number field with a string
        "origin < text",  # origin compares with = or != only
        "origin = martian",  # unknown origin
        "hop <= 2; MATCH (n) DETACH DELETE n",  # a second statement
        "hop <= 2 and",  # dangling
        "hop <= 2) OR (1 = 1",  # parentheses
        "p.hop <= 2",  # property syntax
        "hop <= $x",  # a parameter
    ],
)
def test_where_refuses(bad: str) -> None:
    with pytest.raises(ConfigError):
        parse_where(bad)


def test_match_is_rewritten_from_the_parse_tree() -> None:
    cypher, params = parse_match("(p)-[:PATIENT_OF]->(:Persona)")
    assert cypher == "(p)-[:PATIENT_OF]->(:Persona)" and params == {}
    cypher, params = parse_match("(p:Persona {origin: 'text', hop: 1})<-[r:RIVAL|:COLLEAGUE*1..2]-(q), (q)--(:Text)")
    assert cypher == "(p:Persona {origin: $pm_0, hop: $pm_1})<-[r:RIVAL|COLLEAGUE*1..2]-(q), (q)--(:Text)"
    assert params == {"pm_0": "text", "pm_1": 1}
    cypher, _ = parse_match("  ( p ) - [ : MENTOR_OF * 2 ] - > ( x )  ")
    assert cypher == "(p)-[:MENTOR_OF*2]->(x)"
    cypher, params = parse_match("(p)-[:DERIVED_FROM]->(t:Text {source: 'web, DROP'})")
    assert cypher == "(p)-[:DERIVED_FROM]->(t:Text {source: $pm_0})" and params == {"pm_0": "web, DROP"}


INJECTIONS = [
    "(p)-[:RIVAL]->(x)}) DETACH DELETE p //",
    "(p) WITH p MATCH (n) DETACH DELETE n",
    "(p)-[:RIVAL]->() } CALL db.labels() YIELD label RETURN label //",
    "(p); MATCH (n) DELETE n",
    "(p)-[:RIVAL|DROP]->()",
    "(p {text: 'x'}) DELETE p",
    "(p)-[:RIVAL]->(q {id: 'a\\' }) DELETE p //'})",
    '(p)-[:RIVAL]->(q {id: "a"})',
    "(p:`Persona`)",
    "(p)-[:`RIVAL`]->()",
    "(p)-[:RIVAL]->() /* comment */",
    "(p {id: $id})",
    "(p)-[:RIVAL*]->()",
    "(p)-[:RIVAL*1..99]->()",
    "(p)-[:ARCH_NEMESIS]->()",
    "(p:Admin)",
    "(q)-[:RIVAL]->(r)",
    "(p)-[:RIVAL]->() RETURN 1",
    "(p)-[:RIVAL]->() WHERE 1 = 1",
    "(p)<-[:RIVAL]->()",
    "(p {text: toLower('A')})",
    "(p)-[:RIVAL]->(match)",
    "(p)\n MATCH (n) SET n.x = 1",
    "",
    "(p)-[:RIVAL]->(q)" + ", (q)" * 200,
    "(p {hop: 1}) SET p.uses = 0",
    "(p)-[:RIVAL]->(x {k: 'x'})-[:COLLEAGUE]->(y) FOREACH (n IN [] | CREATE ())",
]


@pytest.mark.parametrize("attempt", INJECTIONS)
def test_match_refuses_injection(attempt: str) -> None:
    with pytest.raises((ConfigError, VocabularyError)):
        parse_match(attempt)


def test_accepted_patterns_never_carry_a_write_clause() -> None:
    # Literals go to parameters, so even words like DELETE inside strings never reach the Cypher.
    cypher, params = parse_match("(p {text: 'DETACH DELETE everything'})-[:RIVAL]-(:Persona)")
    assert "DELETE" not in cypher and params["pm_0"] == "DETACH DELETE everything"
    assert write_clause(f"MATCH (p:Persona) WHERE EXISTS {{ MATCH {cypher} }} RETURN p") is None


def test_carver_parse_and_params() -> None:
    carver = Carver.parse(
        where="hop <= 2",
        origin="text,persona",
        cluster="3, 7",
        text=" Nurse ",
        match="(p)-[:PATIENT_OF]->(:Persona {hop: 0})",
    )
    params = carver.params()
    assert params["conds"] == [{"field": "hop", "op": "<=", "value": 2}]
    assert params["origins"] == ["text", "persona"] and params["clusters"] == [3, 7]
    assert params["text"] == "nurse" and params["pm_0"] == 0
    assert "where hop <= 2" in carver.description and "match (p)-[:PATIENT_OF]->" in carver.description
    empty = Carver.parse().params()
    assert empty == {"conds": [], "origins": None, "clusters": None, "text": None}
    with pytest.raises(ConfigError):
        Carver.parse(origin="alien")
    with pytest.raises(ConfigError):
        Carver.parse(cluster="3,x")
