"""Warnings for Cypher that runs here but that Neo4j 5 rejects, each with the Neo4j 5 form.

ArcadeDB accepts some Cypher 4 forms that Neo4j 5 removed; a query written against the embedded
store would then break on a Neo4j server. Found on the lexer's tokens (never inside strings or
comments). A warning never blocks the query.

- ``exists(p.prop)``: removed in Neo4j 5; ``p.prop IS NOT NULL``.
- ``exists((p)--())``: ``EXISTS { (p)--() }``.
- ``size((p)--())`` and other pattern expressions that produce a list (in RETURN or WITH):
  ``COUNT { (p)--() }``. A pattern as a WHERE predicate and a pattern comprehension ``[(p)--(q) | q]``
  are still Neo4j 5 and are not flagged.
"""

from __future__ import annotations

from dataclasses import dataclass

from personagraph.store.cypher_lexer import NAME, SYMBOL, WORD, Token, fold, position, tokens

_CLAUSES = {"match", "optional", "merge", "create", "where", "return", "with", "unwind", "order", "set", "delete"}
_PROJECTIONS = {"return", "with"}


@dataclass(frozen=True)
class Neo4jWarning:
    line: int  # in the statement, from 1
    column: int
    message: str

    def __str__(self) -> str:
        return f"{self.line}:{self.column}: {self.message}"


def _warning(cypher: str, offset: int, message: str) -> Neo4jWarning:
    line, column = position(cypher, offset).split(":")
    return Neo4jWarning(int(line), int(column), message)


def _is(token: Token | None, text: str) -> bool:
    return token is not None and token.kind == SYMBOL and token.text == text


def _closing(toks: list[Token], index: int) -> int:
    """Index of the ``)`` that closes the ``(`` at ``index`` (or the last token)."""
    depth = 0
    for k in range(index, len(toks)):
        if _is(toks[k], "("):
            depth += 1
        elif _is(toks[k], ")"):
            depth -= 1
            if depth == 0:
                return k
    return len(toks) - 1


def _node_pattern_then_edge(toks: list[Token], index: int) -> bool:
    """Whether ``(`` at ``index`` opens a node pattern followed by a relationship (``(p)--``, ``(p:L)<-``)."""
    if index >= len(toks) or not _is(toks[index], "("):
        return False
    end = _closing(toks, index)
    inner = toks[index + 1 : end]
    if any(t.kind == SYMBOL and t.text not in (":", "&", "|", "!") for t in inner):
        return False  # an expression in parentheses, not a node pattern (a map of properties aside)
    after = toks[end + 1] if end + 1 < len(toks) else None
    return _is(after, "-") or _is(after, "<")


def neo4j5_warnings(cypher: str) -> list[Neo4jWarning]:
    """What in ``cypher`` Neo4j 5 would reject, with the form it accepts."""
    toks = list(tokens(cypher))
    found: list[Neo4jWarning] = []
    clause = ""
    brackets: list[str] = []  # open (, [ and { (a { after COUNT/EXISTS/COLLECT is a subquery)
    for index, token in enumerate(toks):
        before = toks[index - 1] if index else None
        word = fold(token.text) if token.kind == WORD else ""
        if word in _CLAUSES and not _is(before, ".") and not brackets:
            clause = word
        if token.kind == SYMBOL and token.text in "([{":
            brackets.append(token.text)
        elif token.kind == SYMBOL and token.text in ")]}" and brackets:
            brackets.pop()
        following = toks[index + 1] if index + 1 < len(toks) else None
        if word == "exists" and following is not None and _is(following, "(") and not _is(before, "."):
            inner = cypher[following.start + 1 : toks[_closing(toks, index + 1)].start].strip()
            if _node_pattern_then_edge(toks, index + 2):
                found.append(
                    _warning(cypher, token.start, f"exists({inner}) is rejected by Neo4j 5; write EXISTS {{ {inner} }}")
                )
            else:
                found.append(
                    _warning(cypher, token.start, f"exists({inner}) is rejected by Neo4j 5; write {inner} IS NOT NULL")
                )
        elif (
            word == "size"
            and _is(following, "(")
            and index + 2 < len(toks)
            and _node_pattern_then_edge(toks, index + 2)
        ):
            end = _closing(toks, index + 1)
            inner = cypher[toks[index + 2].start : toks[end].start].strip()
            found.append(
                _warning(
                    cypher,
                    token.start,
                    f"size({inner}) is rejected by Neo4j 5 (a pattern expression); write COUNT {{ {inner} }}",
                )
            )
        elif (
            clause in _PROJECTIONS
            and _is(token, "(")
            and "[" not in brackets[:-1]
            and "{" not in brackets[:-1]
            and not (before is not None and before.kind in (WORD, NAME) and fold(before.text) not in _CLAUSES | {"as"})
            and not _is(before, "(")
            and _node_pattern_then_edge(toks, index)
        ):
            found.append(
                _warning(
                    cypher,
                    token.start,
                    f"a pattern expression in {clause.upper()} is rejected by Neo4j 5; "
                    "write COUNT { … } for a number or EXISTS { … } for a test",
                )
            )
    return found
