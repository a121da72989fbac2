"""Hypothesis strategies for the read-only guard: write statements in disguise, and harmless reads
that carry write text inside strings, comments and backticked names."""

from __future__ import annotations

import re

from hypothesis import strategies as st

# Statements that write data or schema, read files, or call a procedure that writes. Each is valid
# Cypher on Neo4j 5 or ArcadeDB (some only on one of them).
WRITES = [
    "CREATE (:Marker {n: 1})",
    "MERGE (m:Marker {n: 1}) RETURN m",
    "MATCH (p:Persona) SET p.text = 'gone'",
    "MATCH (p:Persona) SET p:Marker",
    "MATCH (p:Persona) DETACH DELETE p",
    "MATCH ()-[r]->() DELETE r",
    "MATCH (p:Persona) REMOVE p.text",
    "FOREACH (i IN [1] | CREATE (:Marker))",
    "UNWIND [1] AS i INSERT (:Marker)",
    "MATCH (p:Persona) CALL { WITH p DETACH DELETE p } RETURN count(*) AS n",
    "DROP CONSTRAINT persona_id",
    "DROP INDEX persona_hop",
    "CREATE INDEX marker_n IF NOT EXISTS FOR (m:Marker) ON (m.n)",
    "CREATE CONSTRAINT marker_id IF NOT EXISTS FOR (m:Marker) REQUIRE m.id IS UNIQUE",
    "LOAD CSV FROM 'file:///etc/hostname' AS row RETURN row",
    "CALL do.when(true, 'DROP CONSTRAINT persona_id', '', {}) YIELD value RETURN value",
    "CALL do.when(true, 'CREATE (:Marker)', '', {}) YIELD value RETURN value",
    "CALL apoc.do.when(true, 'DROP INDEX persona_hop', '', {}) YIELD value RETURN value",
    "MATCH (p:Persona) WITH collect(p) AS ps CALL refactor.mergeNodes(ps, {}) YIELD node RETURN node",
    "CALL merge.node(['Marker'], {id: 'm'}, {}, {}) YIELD node RETURN node",
    "CALL db.createLabel('Marker')",
]
KEYWORDS = re.compile(r"\b(CREATE|MERGE|SET|DETACH|DELETE|REMOVE|FOREACH|INSERT|DROP|LOAD|CALL)\b")

# Text that opens a string, comment or name in a naive reading (the old guard stripped comments
# before strings, so '//' inside a string hid everything after it).
PREFIXES = [
    "",
    "WITH '//' AS a ",
    'WITH "//" AS a ',
    "WITH '/*' AS a ",
    "WITH 1 AS `//` ",
    "WITH 1 AS `/*` ",
    "WITH 1 AS `a``'` ",
    "/* ' */ ",
    '/* " */ ',
    "/* ` */ ",
    "// '\n",
    "WITH '\\'' AS a ",
    'WITH "\\"//" AS a ',
    "WITH '\\\\' AS a ",
    "WITH '`' AS a ",
    "WITH '*/' AS a ",
    "MATCH (p:Persona) WITH p LIMIT 1 ",
]
SUFFIXES = ["", " // '", ' /* " */', " //", "\n// `"]

_FULL_WIDTH = {chr(c): chr(c + 0xFEE0) for c in range(0x21, 0x7F)}
_BOLD = {
    **{chr(ord("A") + i): chr(0x1D400 + i) for i in range(26)},
    **{chr(ord("a") + i): chr(0x1D41A + i) for i in range(26)},
}


def _mixed_case(word: str, data: st.DataObject) -> str:
    flips = data.draw(st.lists(st.booleans(), min_size=len(word), max_size=len(word)))
    return "".join(ch.lower() if flip else ch for ch, flip in zip(word, flips, strict=True))


def _spelled(word: str, how: str, data: st.DataObject) -> str:
    if how == "case":
        return _mixed_case(word, data)
    if how == "full-width":
        return "".join(_FULL_WIDTH.get(ch, ch) for ch in word)
    if how == "bold":
        return "".join(_BOLD.get(ch, ch) for ch in word)
    if how == "zero-width":
        cut = data.draw(st.integers(1, len(word) - 1))
        return word[:cut] + data.draw(st.sampled_from(["\u200b", "\u200d", "\u2060", "\ufeff"])) + word[cut:]
    if how == "long-s":
        return word.replace("S", "ſ").replace("I", "ı")
    return word


@st.composite
def disguised_writes(draw: st.DrawFn) -> str:
    """A write statement behind a prefix and suffix, its keywords in another spelling."""
    data = draw(st.data())
    core = draw(st.sampled_from(WRITES))
    how = draw(st.sampled_from(["plain", "case", "full-width", "bold", "zero-width", "long-s"]))
    core = KEYWORDS.sub(lambda m: _spelled(m.group(), how, data), core)
    return draw(st.sampled_from(PREFIXES)) + core + draw(st.sampled_from(SUFFIXES))


def single_quoted(text: str) -> str:
    return "'" + text.replace("\\", "\\\\").replace("'", "\\'") + "'"


def double_quoted(text: str) -> str:
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'


@st.composite
def harmless_reads(draw: st.DrawFn) -> str:
    """A read that carries a write statement only inside a string, a comment or a backticked name."""
    core = draw(st.sampled_from(WRITES)) + draw(st.sampled_from(SUFFIXES)).replace("\n", " ")
    where = draw(st.sampled_from(["single", "double", "line comment", "block comment", "backticks"]))
    if where == "single":
        body = f"RETURN {single_quoted(core)} AS x"
    elif where == "double":
        body = f"RETURN {double_quoted(core)} AS x"
    elif where == "line comment":
        body = f"RETURN 1 AS x // {core}"
    elif where == "block comment":
        body = f"RETURN 1 AS x /* {core.replace('*/', '* /')} */"
    else:
        body = "RETURN 1 AS `" + core.replace("`", "``") + "`"
    prefix = draw(st.sampled_from([p for p in PREFIXES if not p.startswith("MATCH")]))
    return prefix + body
