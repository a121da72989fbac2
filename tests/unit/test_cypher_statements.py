"""Splitting a file of statements on the lexer's `;`, positions in the file's own lines, and the Neo4j 5 lint."""

from __future__ import annotations

import pytest

from personagraph.errors import ConfigError, ReadOnlyError
from personagraph.store.neo4j_lint import neo4j5_warnings
from personagraph.store.statements import split_statements
from personagraph.store.user_script import check_script

SCRIPT = """// header: two comment lines
// before the first statement
MATCH (n) RETURN ';' AS a; // a ; in a comment
 MATCH (m) /* ; */ RETURN m.`x;y` AS b;
;
  RETURN "q\\";" AS c
"""


def test_split_on_the_lexers_semicolons_only() -> None:
    statements = split_statements(SCRIPT)
    assert [s.text for s in statements] == [
        "MATCH (n) RETURN ';' AS a",
        "MATCH (m) /* ; */ RETURN m.`x;y` AS b",
        'RETURN "q\\";" AS c',
    ]
    assert [(s.line, s.column) for s in statements] == [(3, 1), (4, 2), (6, 3)]


def test_positions_are_moved_to_the_files_own_lines() -> None:
    second = split_statements(SCRIPT)[1]
    assert second.file_position("Syntax error at line 1:20 - extraneous input") == (
        "Syntax error at line 4:21 - extraneous input"
    )
    assert second.file_position("Unexpected input at line 2, column 7") == "Unexpected input at line 5, column 7"
    assert second.file_position("Invalid input (line 1, column 3 (offset: 2))") == (
        "Invalid input (line 4, column 4 (offset: 2))"
    )


def test_a_write_anywhere_refuses_the_whole_file_at_its_line() -> None:
    script = "// header\nMATCH (n) RETURN n;\n\nMATCH (n)\n  SET n.x = 1;\n"
    with pytest.raises(ReadOnlyError, match=r"f\.cypher:4 contains SET at 5:3"):
        check_script(script, "f.cypher", write=False)
    assert len(check_script(script, "f.cypher", write=True)) == 2


def test_a_file_without_statements_is_an_error() -> None:
    with pytest.raises(ConfigError, match="no Cypher statement"):
        check_script("// only a comment\n;\n", "empty.cypher", write=False)


@pytest.mark.parametrize(
    ("cypher", "hint"),
    [
        ("MATCH (p) WHERE exists(p.prop) RETURN p", "write p.prop IS NOT NULL"),
        ("MATCH (p) WHERE exists((p)--()) RETURN p", "write EXISTS { (p)--() }"),
        ("MATCH (p) RETURN size((p)--()) AS d", "write COUNT { (p)--() }"),
        ("MATCH (p) RETURN p.id, (p)-->() AS out", "pattern expression in RETURN"),
        ("MATCH (p) WITH p, (p)<-[:RIVAL]-() AS r RETURN r", "pattern expression in WITH"),
    ],
)
def test_lint_names_the_neo4j5_form(cypher: str, hint: str) -> None:
    found = neo4j5_warnings(cypher)
    assert len(found) == 1 and hint in found[0].message and "Neo4j 5" in found[0].message


@pytest.mark.parametrize(
    "cypher",
    [
        "MATCH (p) WHERE p.prop IS NOT NULL RETURN COUNT { (p)--() } AS d",
        "MATCH (p) WHERE EXISTS { (p)--() } RETURN p",
        "MATCH (p) WHERE (p)--() RETURN p",  # a pattern predicate in WHERE is still Neo4j 5
        "MATCH (p) RETURN [(p)--(q) | q.id] AS ids",  # a pattern comprehension too
        "MATCH (p)--(q) RETURN (p.a + 1) - 2 AS x",
        "RETURN 'exists(p.x)' AS s // size((p)--())",
        "MATCH (p) RETURN p.exists AS e",
    ],
)
def test_lint_is_quiet_on_neo4j5_cypher(cypher: str) -> None:
    assert neo4j5_warnings(cypher) == []
