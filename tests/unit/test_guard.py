"""The read-only guard on tokens (store/cypher_lexer.py, store/guard.py), without a store."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from personagraph.errors import ReadOnlyError
from personagraph.store.cypher_lexer import NAME, STRING, SYMBOL, WORD, fold, tokens
from personagraph.store.guard import READ_PROCEDURES, find_write, refuse_writes, write_clause
from tests.cypher_strategies import disguised_writes, double_quoted, harmless_reads, single_quoted

# The probe of issue #15, verbatim.
PROBE = {
    "CALL do.when(true, 'DROP CONSTRAINT persona_id', '', {}) YIELD value RETURN value": "CALL do.when",
    "WITH '//' AS a CREATE (:Marker)": "CREATE",
    "WITH '//' AS a LOAD CSV FROM 'file:///etc/hostname' AS row RETURN row": "LOAD CSV",
}


@pytest.mark.parametrize(("cypher", "what"), PROBE.items())
def test_the_probe_statements_are_refused(cypher: str, what: str) -> None:
    assert write_clause(cypher) == what


def test_strings_comments_and_names_are_read_in_order() -> None:
    kinds = [(t.kind, t.value) for t in tokens("RETURN '//' + \"/*\" AS `a``b` // 'x\n/* \" */ 1")]
    assert kinds == [
        (WORD, "RETURN"),
        (STRING, "'//'"),
        (SYMBOL, "+"),
        (STRING, '"/*"'),
        (WORD, "AS"),
        (NAME, "a`b"),
        (WORD, "1"),
    ]
    assert [t.value for t in tokens(r"RETURN 'it\'s' AS x")][1] == r"'it\'s'"


@pytest.mark.parametrize(
    "cypher",
    [
        "RETURN 'a\\' CREATE (n) //'",  # the escaped quote does not end the string: no CREATE here
        'RETURN "x\\" DETACH DELETE n" AS y',
        "RETURN 1 AS `CREATE``SET`",
        "MATCH (p) RETURN p.set, p.create, p.`delete`, $merge, apoc.map.merge({}, {}) AS m",
        "MATCH (p) RETURN p.offset AS settled, p.created_at AS loaded",
        "MATCH path = (start)-->(stop) RETURN start, stop",
        "CALL { MATCH (n) RETURN n } RETURN n",
        "CALL db.labels() YIELD label RETURN label",
        "CALL `db`.`labels`() YIELD label RETURN label",
        "CALL DB.RELATIONSHIPTYPES()",
        "CALL db.index.vector.queryNodes('persona_embedding', 5, $v) YIELD node, score RETURN node.id, score",
        "CALL algo.pagerank() YIELD node RETURN node",
        "SHOW INDEXES",
    ],
)
def test_reads_pass(cypher: str) -> None:
    assert find_write(cypher) is None


@pytest.mark.parametrize(
    ("cypher", "what"),
    [
        ("RETURN 1 /* 'x */ CREATE (n)", "CREATE"),
        ("RETURN 1 // the rest is a comment\nCREATE (n)", "CREATE"),
        ("RETURN 1 // a comment ends at a CR\rCREATE (n)", "CREATE"),
        ("RETURN 1 // and the guard ends it at U+2028 too\u2028CREATE (n)", "CREATE"),
        ("RETURN 'never closed CREATE (n)", "CREATE"),  # the server reads an unclosed quote as one bad character
        ("RETURN 1 /* never closed */ /* SET x", "SET"),
        ("ＣＲＥＡＴＥ (n)", "CREATE"),
        ("𝐃𝐄𝐓𝐀𝐂𝐇 DELETE n", "DETACH"),
        ("MATCH (n) ſET n.x = 1", "SET"),
        ("UNWIND [1] AS i ınsert (:X)", "INSERT"),
        ("MATCH (n) DEL\u200bETE n", "DELETE"),
        ("MATCH (n) x\u200bREMOVE n.x", "REMOVE"),
        ("MATCH (n) DELETÉ n", "DELETE"),
        ("MATCH (p) RETURN {set: 1}", "SET"),
        ("CALL (x) { CREATE (n) }", "CREATE"),
        ("STOP DATABASE personas", "STOP DATABASE"),
        ("GRANT ROLE admin TO bob", "GRANT"),
        ("ALTER USER root SET PASSWORD 'x'", "ALTER"),
        ("CALL do.when(true, $q, '', {})", "CALL do.when"),
        ("CALL `do`.`when`(true, 'CREATE (n)', '', {})", "CALL do.when"),
        ("CALL `db.createLabel`('X')", "CALL db.createLabel"),
        ("CALL ｄｂ.ｌａｂｅｌｓ()", "CALL ｄｂ.ｌａｂｅｌｓ"),  # a name the list does not hold (the server finds none)
        ("CALL 'db.labels'", "CALL"),
    ],
)
def test_writes_are_found(cypher: str, what: str) -> None:
    assert write_clause(cypher) == what


def test_refusals_name_the_query_the_position_and_the_procedure() -> None:
    with pytest.raises(ReadOnlyError) as info:
        refuse_writes("MATCH (p)\nCALL refactor.mergeNodes([p], {}) YIELD node RETURN node", "q.cypher")
    message = str(info.value)
    assert "q.cypher" in message and "refactor.mergeNodes" in message and "2:1" in message and "write=True" in message
    with pytest.raises(ReadOnlyError, match=r"LOAD CSV \(it reads files"):
        refuse_writes("LOAD CSV FROM 'file:///etc/hostname' AS row RETURN row", "q")
    refuse_writes("MATCH (p) RETURN p", "q")  # a read passes


def test_read_procedures_are_only_readers() -> None:
    for name in (
        "do.when",
        "refactor.mergenodes",
        "merge.node",
        "db.createlabel",
        "apoc.do.when",
        "db.migratelegacytemporals",
    ):
        assert name not in READ_PROCEDURES
    assert {"db.labels", "db.schema.visualization", "db.index.vector.querynodes", "meta.stats"} <= READ_PROCEDURES


def test_fold_reads_compatibility_letters_as_plain() -> None:
    assert fold("ＣＲＥＡＴＥ") == fold("𝐂𝐑𝐄𝐀𝐓𝐄") == fold("cReAtE") == "create"
    assert fold("ıNſERT") == "insert" and fold("KELVIN") == "kelvin"


@settings(max_examples=400, deadline=None)
@given(disguised_writes())
def test_disguised_writes_are_always_found(cypher: str) -> None:
    assert find_write(cypher) is not None, cypher


@settings(max_examples=300, deadline=None)
@given(harmless_reads())
def test_write_text_inside_strings_comments_and_names_is_not_a_write(cypher: str) -> None:
    assert find_write(cypher) is None, cypher


@settings(max_examples=300, deadline=None)
@given(st.text())
def test_any_text_in_a_string_literal_is_data(text: str) -> None:
    assert find_write(f"RETURN {single_quoted(text)} AS a, {double_quoted(text)} AS b") is None
