"""A file of several Cypher statements: split where the real lexer sees ``;``, positions kept.

A ``;`` inside a string, a comment or a backticked name does not end a statement (the tokens of
``cypher_lexer`` never show it there). Each statement remembers where it starts in the file, so
an error the server reports at ``line L:C`` of the statement is told at the file's own line: the
servers count lines from the statement's first code token (ArcadeDB drops the comments and blank
lines before it, measured: a syntax error on the 4th line of a file with a 2-line header was
reported at line 2), so the file's header lines are added back here.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from personagraph.store.cypher_lexer import SYMBOL, tokens

# "line 2:18", "line 2, column 18" (ArcadeDB, both forms), "(line 2, column 18 (offset: 40))" (Neo4j)
# and "at 2:18" (the read-only guard).
_POSITION = re.compile(r"((?:line|at)\s+)(\d+)(:|,\s*column\s+)(\d+)")


@dataclass(frozen=True)
class Statement:
    text: str  # from its first code token to just before its ``;``
    line: int  # where that first token is in the file (from 1)
    column: int

    def in_file(self, line: int, column: int) -> tuple[int, int]:
        """A position in the statement (both from 1) as a position in the file."""
        return line + self.line - 1, (column + self.column - 1 if line == 1 else column)

    def file_position(self, message: str) -> str:
        """``message`` with each ``line L:C`` / ``line L, column C`` moved to the file's own lines."""

        def shift(match: re.Match[str]) -> str:
            line, column = self.in_file(int(match.group(2)), int(match.group(4)))
            return f"{match.group(1)}{line}{match.group(3)}{column}"

        return _POSITION.sub(shift, message)


def split_statements(script: str) -> list[Statement]:
    """The statements of ``script`` in order; empty ones (only comments or blanks) are left out."""
    statements: list[Statement] = []
    first: int | None = None
    last_end = 0
    for token in tokens(script):
        if token.kind == SYMBOL and token.text == ";":
            if first is not None:
                statements.append(_statement(script, first, last_end))
            first = None
            continue
        if first is None:
            first = token.start
        last_end = token.start + len(token.text)
    if first is not None:
        statements.append(_statement(script, first, last_end))
    return statements


def _statement(script: str, start: int, end: int) -> Statement:
    line = script.count("\n", 0, start) + 1
    column = start - (script.rfind("\n", 0, start) + 1) + 1
    return Statement(script[start:end], line, column)
