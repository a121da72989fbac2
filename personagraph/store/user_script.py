"""A user's file of several Cypher statements, run in order (``query -f``, the shell).

Every statement is checked before the first one runs: without ``write``, one statement that could
write refuses the whole file (nothing runs); a statement the server rejects stops the file there,
the error told at the file's own line. Statements run one by one, each in its own transaction,
as cypher-shell runs a file.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING, Any

from personagraph.errors import ConfigError, QueryError, ReadOnlyError
from personagraph.store.base import Row
from personagraph.store.guard import refuse_writes
from personagraph.store.statements import Statement, split_statements

if TYPE_CHECKING:
    from personagraph.store.graph import GraphStore


def statement_label(name: str, statement: Statement) -> str:
    return f"{name}:{statement.line}"


def check_script(script: str, name: str, *, write: bool) -> list[Statement]:
    """The statements of ``script``; raises before anything runs if one would write read-only."""
    statements = split_statements(script)
    if not statements:
        raise ConfigError(f"{name}: no Cypher statement in it")
    if not write:
        for statement in statements:
            try:
                refuse_writes(statement.text, statement_label(name, statement))
            except ReadOnlyError as exc:
                error = ReadOnlyError(statement.file_position(exc.message), hint=exc.hint, param=exc.params)
                raise error from exc
    return statements


def run_script(
    store: GraphStore, script: str, params: dict[str, Any] | None = None, *, write: bool = False, name: str = "script"
) -> Iterator[tuple[Statement, list[Row]]]:
    """Each statement with its rows, in order; an error names the file and its own line and column."""
    for statement in check_script(script, name, write=write):
        try:
            rows = store.cypher(statement.text, params, write=write, name=statement_label(name, statement))
        except QueryError as exc:
            error = QueryError(exc.query, statement.file_position(exc.reason))
            error.hint = exc.hint
            raise error from exc
        yield statement, rows
