"""Load the Cypher files in ``cypher/``: one query a file, its header naming its parameters.

A file starts with comment lines::

    // Create personas that are not in the graph yet.
    // params: rows: list of {id, props}
    // mode: write

``mode`` is ``read`` unless the header says ``write``. A relation type, where a query needs one,
is written as ``__TYPE__`` and filled in only with a type that passed the vocabulary check;
``__RELATIONS__`` stands for all the vocabulary's types joined by ``|`` (persona-to-persona edges
only, leaving out texts, samples and batches).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from personagraph.errors import ConfigError, VocabularyError
from personagraph.vocabulary import TYPE_PATTERN

_PACKAGE_DIR = Path(__file__).resolve().parent
TYPE_SLOT = "__TYPE__"
RELATIONS_SLOT = "__RELATIONS__"


def cypher_dir() -> Path:
    """The installed copy (inside the wheel) or the repository's ``cypher/`` folder."""
    for candidate in (_PACKAGE_DIR / "cypher", _PACKAGE_DIR.parent / "cypher"):
        if candidate.is_dir():
            return candidate
    raise ConfigError("the cypher/ query folder is missing from this installation")


@dataclass(frozen=True)
class Query:
    name: str
    text: str
    description: str
    params: str
    write: bool

    def with_type(self, rel_type: str) -> Query:
        """This query with ``__TYPE__`` replaced by a validated relation type."""
        if not TYPE_PATTERN.match(rel_type):
            raise VocabularyError(f"relation type {rel_type!r} must match {TYPE_PATTERN.pattern}")
        if TYPE_SLOT not in self.text:
            raise ConfigError(f"query {self.name} has no relation type slot")
        return Query(self.name, self.text.replace(TYPE_SLOT, rel_type), self.description, self.params, self.write)

    def with_relations(self, types: tuple[str, ...]) -> Query:
        """This query with ``__RELATIONS__`` replaced by ``T1|T2|…`` (each type validated)."""
        for rel_type in types:
            if not TYPE_PATTERN.match(rel_type):
                raise VocabularyError(f"relation type {rel_type!r} must match {TYPE_PATTERN.pattern}")
        return Query(
            self.name, self.text.replace(RELATIONS_SLOT, "|".join(types)), self.description, self.params, self.write
        )


_HEADER = re.compile(r"^//\s?(.*)$")


def parse(name: str, source: str) -> Query:
    description: list[str] = []
    params = ""
    write = False
    for line in source.splitlines():
        match = _HEADER.match(line.strip())
        if not match:
            if line.strip():
                break
            continue
        body = match.group(1).strip()
        key, _, value = body.partition(":")
        if key.strip().lower() == "params":
            params = value.strip()
        elif key.strip().lower() == "mode":
            write = value.strip().lower() == "write"
        elif body:
            description.append(body)
    return Query(name, source.strip(), " ".join(description), params, write)


@cache
def load(name: str) -> Query:
    """The query ``cypher/<name>.cypher`` (``name`` may contain a folder, e.g. ``explore/degree``)."""
    path = cypher_dir() / f"{name}.cypher"
    if not path.is_file():
        raise ConfigError(f"no query named {name!r} in {cypher_dir()}")
    return parse(name, path.read_text(encoding="utf-8"))


def names(folder: str = "") -> list[str]:
    """Names of the queries in ``cypher/<folder>``, sorted."""
    base = cypher_dir()
    root = base / folder if folder else base
    return sorted(str(p.relative_to(base).with_suffix("")) for p in root.glob("*.cypher"))
