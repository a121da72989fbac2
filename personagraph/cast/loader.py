"""Move subgraphs from the store into networkx: neighbourhoods, query results, batches, the whole graph.

Store code only: every query is a file in ``cypher/cast/``; the choosing happens in
``personagraph.cast.select`` on the graphs built here. Graphs are ``nx.MultiDiGraph`` with persona
ids as nodes and the relation type as each edge's key (and ``type`` attribute).
"""

from __future__ import annotations

import re
from collections.abc import Collection, Iterable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from personagraph.errors import ConfigError, VocabularyError
from personagraph.store.graph import GraphStore, chunked
from personagraph.vocabulary import STRUCTURAL

if TYPE_CHECKING:
    import networkx as nx

PERSONA_ID = re.compile(r"^p_[0-9a-f]{16}$")
MAX_NODES = 20000
_FETCH = 500


def new_graph() -> nx.MultiDiGraph:
    import networkx as nx

    return nx.MultiDiGraph()


def add_edges(graph: nx.MultiDiGraph, rows: Iterable[dict[str, Any]]) -> None:
    for row in rows:
        graph.add_edge(row["src"], row["dst"], key=row["type"], type=row["type"])


def resolve_persona(store: GraphStore, ref: str) -> dict[str, Any]:
    """A persona by id, or by a phrase of its text (the best connected match wins)."""
    ref = ref.strip()
    if PERSONA_ID.match(ref):
        row = store.persona(ref)
        if row is None:
            raise ConfigError(f"no persona with id {ref}")
        return {"id": row["id"], "text": row["text"], "matches": 1}
    if not ref:
        raise ConfigError("empty persona reference")
    rows = store.run("cast/find_personas", q=ref, limit=10)
    if not rows:
        raise ConfigError(f"no persona id or text matches {ref!r}")
    return {"id": rows[0]["id"], "text": rows[0]["text"], "matches": len(rows)}


def persona_rows(store: GraphStore, ids: Collection[str]) -> dict[str, dict[str, Any]]:
    """id -> {id, text, cluster, hop, origin, uses} for the ids that exist."""
    found: dict[str, dict[str, Any]] = {}
    for chunk in chunked(sorted(set(ids)), _FETCH):
        for row in store.run("cast/personas_by_id", ids=chunk):
            found[row["id"]] = row
    return found


def relations_among(
    store: GraphStore, ids: Collection[str], types: Collection[str] | None = None
) -> list[dict[str, Any]]:
    """Edges with both ends in ``ids``, sorted."""
    wanted = sorted(set(ids))
    rows: list[dict[str, Any]] = []
    for chunk in chunked(wanted, _FETCH):
        rows.extend(store.run("cast/relations_among", ids=chunk, targets=wanted, types=list(types) if types else None))
    return sorted(rows, key=lambda r: (r["src"], r["type"], r["dst"]))


def cluster_labels(store: GraphStore, clusters: Collection[int | None]) -> dict[int, str]:
    """The store's :Cluster labels (``personagraph sample``'s clusters) for these cluster ids."""
    wanted = {c for c in clusters if c is not None}
    if not wanted:
        return {}
    return {
        int(row["id"]): str(row["label"])
        for row in store.run("sampling/list_clusters")
        if row.get("id") in wanted and row.get("label")
    }


@dataclass
class Ball:
    """A neighbourhood loaded from the store, and whether a bound cut it short."""

    graph: nx.MultiDiGraph
    truncated: bool = False
    notes: list[str] = field(default_factory=list)


def load_ball(
    store: GraphStore,
    roots: Iterable[str],
    hops: int,
    types: Collection[str] | None = None,
    excludes: Collection[str] = (),
    max_nodes: int = MAX_NODES,
) -> Ball:
    """Every persona within ``hops`` of any root, and the typed edges among them, hop by hop."""
    graph = new_graph()
    seen = list(dict.fromkeys(roots))
    graph.add_nodes_from(seen)
    frontier = [r for r in seen if r not in excludes]
    truncated = False
    for _ in range(max(hops, 0)):
        if not frontier:
            break
        known = set(graph.nodes)
        reached: list[str] = []
        for chunk in chunked(frontier, _FETCH):
            rows = store.run("cast/neighbours", ids=chunk, types=list(types) if types else None)
            add_edges(graph, rows)
            reached.extend(n for r in rows for n in (r["src"], r["dst"]) if n not in known)
        frontier = [n for n in dict.fromkeys(reached) if n not in excludes]
        if graph.number_of_nodes() >= max_nodes:
            truncated = True
            break
    ball = Ball(graph, truncated)
    if truncated:
        ball.notes.append(
            f"the neighbourhood was cut at {graph.number_of_nodes()} personas (bound {max_nodes}); fewer hops keep it whole"
        )
    return ball


def load_relation_graph(store: GraphStore, types: Collection[str] | None = None) -> nx.MultiDiGraph:
    """Every persona-to-persona edge of the allowed types (personas without one are left out).

    One unordered query: the whole graph is wanted at once, so the keyset pages of ``iter_relations`` buy nothing here.
    """
    graph = new_graph()
    rows = store.run("cast/all_relations", types=list(types) if types else None)
    # Sorted so that Louvain (which depends on insertion order) sees the same graph every time.
    add_edges(graph, sorted(rows, key=lambda r: (r["src"], r["type"], r["dst"])))
    return graph


# -- query results --------------------------------------------------------------------------------

_STRIP = re.compile(r"'(?:[^'\\]|\\.)*'|\"(?:[^\"\\]|\\.)*\"|//[^\n]*|/\*.*?\*/", re.S)
_REL_TYPES = re.compile(r"\[\s*(?:[A-Za-z_]\w*|`[^`]*`)?\s*:\s*([^\]*{]+)")


def relation_types_in(cypher: str) -> list[str]:
    """Relation types named in the query's relationship patterns (``[r:RIVAL|COLLEAGUE*1..2]``)."""
    bare = _STRIP.sub("''", cypher)
    found: list[str] = []
    for match in _REL_TYPES.finditer(bare):
        for part in re.split(r"[|&:!]", match.group(1)):
            name = part.strip().strip("`").strip()
            if name:
                found.append(name)
    return list(dict.fromkeys(found))


def check_query_types(store: GraphStore, cypher: str, allow_structural: bool = True) -> None:
    """Refuse a query naming a relation type outside the vocabulary (a typo matches nothing, silently)."""
    allowed = set(store.vocabulary.types) | (set(STRUCTURAL) if allow_structural else set())
    for name in relation_types_in(cypher):
        if name not in allowed:
            raise VocabularyError(
                f"the query names relation type {name!r}, which is not in the vocabulary",
                hint=f"known: {', '.join(store.vocabulary.types)}",
            )


@dataclass
class QueryResult:
    """Persona ids and persona-to-persona edges found in a query's rows."""

    persona_ids: list[str]
    relations: list[dict[str, Any]]
    rows: int


def persona_elements(rows: list[dict[str, Any]]) -> QueryResult:
    """Walk the returned values: Persona nodes, relationships between personas, and bare persona ids."""
    ids: dict[str, None] = {}
    rels: dict[tuple[str, str, str], None] = {}

    def walk(value: Any) -> None:
        if isinstance(value, str):
            if PERSONA_ID.match(value):
                ids.setdefault(value)
        elif isinstance(value, list):
            for item in value:
                walk(item)
        elif isinstance(value, dict):
            if "_labels" in value:
                if "Persona" in value["_labels"] and isinstance(value.get("id"), str):
                    ids.setdefault(value["id"])
            elif "_type" in value:
                start, end = value.get("_start"), value.get("_end")
                if (
                    isinstance(start, str)
                    and isinstance(end, str)
                    and PERSONA_ID.match(start)
                    and PERSONA_ID.match(end)
                ):
                    rels.setdefault((start, value["_type"], end))
            else:
                for item in value.values():
                    walk(item)

    for row in rows:
        walk(list(row.values()))
    for src, _, dst in rels:
        ids.setdefault(src)
        ids.setdefault(dst)
    relations = [{"src": s, "type": t, "dst": d} for s, t, d in sorted(rels)]
    return QueryResult(list(ids), relations, len(rows))


def run_query(
    store: GraphStore, cypher: str, params: dict[str, Any] | None = None, name: str | None = None
) -> QueryResult:
    """Run a read-only query (write clauses are refused before it runs) and collect its personas."""
    check_query_types(store, cypher)
    rows = store.cypher(cypher, params or {}, write=False, name=name)
    return persona_elements(rows)


def batch_ids(store: GraphStore, batch: str) -> tuple[dict[str, Any], list[str]]:
    """A batch's properties and the ids of the personas it used."""
    info = store.run("cast/get_batch", batch=batch)
    if not info:
        raise ConfigError(f"no batch with id {batch!r}")
    return info[0], [row["id"] for row in store.run("cast/batch_personas", batch=batch)]
