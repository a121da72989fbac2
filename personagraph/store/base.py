"""What every executor provides, and the read-only guard shared by both."""

from __future__ import annotations

import re
from typing import Any, Protocol

Row = dict[str, Any]

# Capabilities an executor may declare; the package takes another path where one is missing.
BULK_LOAD = "bulk_load"  # ArcadeDB's graph_batch API (no MERGE, very fast)
VECTOR_INDEX = "vector_index"  # Neo4j 5 `db.index.vector.queryNodes`


class Executor(Protocol):
    """Runs Cypher against one database and returns plain-Python rows."""

    kind: str
    capabilities: frozenset[str]
    location: str

    def read(self, cypher: str, params: dict[str, Any], *, name: str) -> list[Row]: ...

    def write(self, cypher: str, params: dict[str, Any], *, name: str) -> list[Row]: ...

    def close(self) -> None: ...


_STRINGS = re.compile(r"'(?:[^'\\]|\\.)*'|\"(?:[^\"\\]|\\.)*\"|`[^`]*`")
_COMMENTS = re.compile(r"//[^\n]*|/\*.*?\*/", re.S)
_WRITE_CLAUSE = re.compile(
    r"\b(CREATE|MERGE|SET|DELETE|DETACH|REMOVE|DROP|FOREACH|LOAD\s+CSV|ALTER|GRANT|DENY|REVOKE)\b"
    r"|\bCALL\s+(db|apoc|gds|dbms)\.[\w.]*(create|drop|merge|set|delete|write|refactor|load|kill)\w*",
    re.I,
)


def write_clause(cypher: str) -> str | None:
    """The first clause that would write, outside strings and comments, else None."""
    bare = _STRINGS.sub("''", _COMMENTS.sub(" ", cypher))
    match = _WRITE_CLAUSE.search(bare)
    return match.group(0).upper() if match else None


def short(cypher: str, width: int = 60) -> str:
    """One line naming an inline query in an error message."""
    flat = " ".join(cypher.split())
    return repr(flat if len(flat) <= width else flat[: width - 1] + "…")
