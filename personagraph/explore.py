"""The explore catalogue: the named read-only queries in ``cypher/explore/``.

Each file's header names its parameters, and may give a default::

    // params: id: persona id; limit: most rows to return (default 50)

``catalogue()`` lists the queries, ``run()`` fills in defaults, refuses missing or unknown
parameters and anything that would write, and runs the query on a store.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from personagraph import queries
from personagraph.errors import ConfigError, ReadOnlyError
from personagraph.store.base import Row
from personagraph.store.guard import write_clause

if TYPE_CHECKING:
    from personagraph.store import GraphStore

FOLDER = "explore"
_DEFAULT = re.compile(r"\(default\s+([^)]*)\)\s*$")


@dataclass(frozen=True)
class Param:
    name: str
    description: str
    default: Any = None
    required: bool = True


@dataclass(frozen=True)
class ExploreQuery:
    name: str
    description: str
    params: tuple[Param, ...]

    def signature(self) -> str:
        """``id, limit=50``: the parameters as a user would pass them."""
        return ", ".join(p.name if p.required else f"{p.name}={json.dumps(p.default)}" for p in self.params)


def _value(raw: str) -> Any:
    try:
        return json.loads(raw)
    except json.JSONDecodeError:
        return raw.strip()


def parse_params(spec: str) -> tuple[Param, ...]:
    """The ``// params:`` header as Param objects; ``none`` or empty gives no parameters."""
    if spec.strip().lower() in ("", "none"):
        return ()
    params = []
    for part in spec.split(";"):
        name, _, description = part.partition(":")
        if not name.strip():
            continue
        description = description.strip()
        match = _DEFAULT.search(description)
        if match:
            params.append(
                Param(name.strip(), description[: match.start()].strip(), _value(match.group(1)), required=False)
            )
        else:
            params.append(Param(name.strip(), description))
    return tuple(params)


def get(name: str) -> ExploreQuery:
    """The explore query ``name`` (``neighbourhood`` or ``explore/neighbourhood``)."""
    short = name.removeprefix(f"{FOLDER}/")
    if short == SIMILAR.name:
        return SIMILAR
    known = [n.removeprefix(f"{FOLDER}/") for n in queries.names(FOLDER)] + [SIMILAR.name]
    if short not in known:
        raise ConfigError(f"no explore query named {short!r}", hint=f"known: {', '.join(known)}")
    query = queries.load(f"{FOLDER}/{short}")
    return ExploreQuery(short, query.description, parse_params(query.params))


def catalogue() -> list[ExploreQuery]:
    """Every explore query, sorted by name."""
    return sorted([get(name) for name in queries.names(FOLDER)] + [SIMILAR], key=lambda q: q.name)


def bind(query: ExploreQuery, given: dict[str, Any]) -> dict[str, Any]:
    """The parameters to send: ``given`` plus defaults; a missing or unknown name is an error."""
    names = {p.name for p in query.params}
    unknown = sorted(set(given) - names)
    if unknown:
        raise ConfigError(
            f"explore query {query.name} has no parameter {', '.join(unknown)}",
            hint=f"it takes: {query.signature() or 'no parameters'}",
        )
    values = {p.name: p.default for p in query.params if not p.required}
    values.update(given)
    missing = [p.name for p in query.params if p.required and p.name not in values]
    if missing:
        raise ConfigError(
            f"explore query {query.name} needs {', '.join(missing)}",
            hint=" ".join(f"-p {p.name}=… ({p.description})" for p in query.params if p.name in missing),
        )
    return values


def run(store: GraphStore, name: str, params: dict[str, Any] | None = None, settings: Any = None) -> list[Row]:
    """Run one explore query read-only and return its rows (``settings``: where ``similar`` keeps vectors)."""
    query = get(name)
    if query is SIMILAR:
        return similar(store, **bind(query, params or {}), settings=settings)
    text = queries.load(f"{FOLDER}/{query.name}")
    clause = write_clause(text.text)
    if text.write or clause:
        # ArcadeDB's Bolt server does not enforce read sessions, so the package refuses itself.
        raise ReadOnlyError(f"explore query {query.name} would write ({clause or 'mode: write'}); explore is read-only")
    return store.run(f"{FOLDER}/{query.name}", **bind(query, params or {}))


# `similar` is not a Cypher file: neither store runs a vector search in Cypher on the package's
# personas (ArcadeDB's Cypher has no db.index.vector procedures and its own vector index is reached
# through SQL; the vectors live beside the graph, not as node properties), so the search runs here
# over the kept embeddings, the same on both stores.
SIMILAR = ExploreQuery(
    "similar",
    "Personas nearest in meaning to a text (cosine over the kept embeddings; computed once per persona).",
    (
        Param("q", "text to compare with"),
        Param("limit", "most rows to return", 10, required=False),
        Param("embedder", "minilm or static", "minilm", required=False),
    ),
)


def similar(store: GraphStore, q: str, limit: int = 10, embedder: str = "minilm", settings: Any = None) -> list[Row]:
    """The ``limit`` personas nearest to the text ``q``, best first, with their cosine score."""
    import numpy as np

    from personagraph.embeddings.embeddings import Embeddings

    if not str(q).strip():
        raise ConfigError("similar needs a text to compare with", hint="-p q=TEXT", param="q")
    if not isinstance(limit, int) or limit < 1:
        raise ConfigError(f"limit must be a whole number of at least 1, not {limit!r}", param="limit")
    embeddings = Embeddings.for_store(store, embedder, settings)
    ids, vectors = embeddings.vectors()
    if not ids:
        return []
    query = embeddings.encode([str(q)])[0]
    scores = vectors @ query
    top = np.argsort(-scores, kind="stable")[:limit]
    chosen = [ids[int(k)] for k in top]
    texts = {row["id"]: row["text"] for row in store.run("persona_texts", ids=chosen)}
    return [
        {"id": pid, "score": round(float(scores[k]), 4), "text": texts.get(pid)}
        for pid, k in zip(chosen, top, strict=True)
    ]
