"""``personagraph view``: the HTML viewer for any subgraph of the store.

Three ways to name the subgraph: a read-only Cypher query (the personas and persona-to-persona
relationships it returns; when it returns no relationship, the relations among its personas),
a persona's neighbourhood (``hops`` deep), or a sampled batch (the personas with
``(:Persona)-[:USED_IN]->(:Batch {id})`` and the relations among them).
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any

from personagraph.cast import loader, select
from personagraph.errors import ConfigError
from personagraph.export import viewer
from personagraph.store.graph import GraphStore

DEFAULT_LIMIT = 1500
# The page lays out its nodes in the browser with an O(n²) force layout and overlap removal (per
# community once there are more than 300, all at once before, and for one big community always).
# Measured with the page's own layout code in V8 (node 20) on the shared 2-core machine, load ~30:
# 500 personas 11 s, 1,000 46 s, 2,000 113 s; 5,000 would be ~12 minutes there, and --limit 100000
# wrote a 28.7 MB page Chromium never finished. Beyond MAX_LIMIT the view is refused.
MAX_LIMIT = 5000


def _limit(ids: list[str], limit: int, notes: list[str]) -> list[str]:
    if len(ids) > limit:
        notes.append(f"showing the first {limit} of {len(ids)} personas (a higher limit shows more)")
        return ids[:limit]
    return ids


def _communities(ids: Sequence[str], relations: Sequence[dict[str, Any]]) -> dict[str, int]:
    graph = loader.new_graph()
    graph.add_nodes_from(ids)
    loader.add_edges(graph, relations)
    return {pid: i for i, members in enumerate(select.communities(graph)) for pid in members}


def view_data(
    store: GraphStore,
    *,
    query: str | None = None,
    params: dict[str, Any] | None = None,
    persona: str | None = None,
    hops: int = 2,
    batch: str | None = None,
    relations: Sequence[str] | None = None,
    limit: int = DEFAULT_LIMIT,
    title: str | None = None,
) -> dict[str, Any]:
    """Viewer data for exactly one of ``query``, ``persona`` or ``batch``."""
    if sum(x is not None for x in (query, persona, batch)) != 1:
        raise ConfigError("give exactly one of query, persona or batch", param=("query", "persona", "batch"))
    if limit < 1:
        raise ConfigError("limit must be at least 1", param="limit")
    if limit > MAX_LIMIT:
        raise ConfigError(
            f"limit {limit} is more personas than the page's layout settles (at most {MAX_LIMIT}; the layout is "
            "quadratic: 2,000 personas took 113 s on a 2-core machine)",
            hint="show less: one batch, one persona's neighbourhood with hops 1, fewer relation types, or a query "
            "with WHERE and LIMIT; a GraphML export for a desktop tool (Gephi, yEd)",
            param="limit",
        )
    types = [store.vocabulary.check(t) for t in relations] if relations else None
    notes: list[str] = []
    seed: str | None = None
    returned: list[dict[str, Any]] | None = None
    if query is not None:
        result = loader.run_query(store, query, params)
        ids = _limit(result.persona_ids, limit, notes)
        returned = result.relations or None
        subtitle = f"query result: {result.rows} rows"
        heading = title or "PersonaGraph query"
    elif persona is not None:
        if hops < 1:
            raise ConfigError("hops must be at least 1", param="hops")
        found = loader.resolve_persona(store, persona)
        seed = found["id"]
        ball = loader.load_ball(store, [found["id"]], hops, types, max_nodes=limit)
        notes.extend(ball.notes)
        ids = _limit(sorted(ball.graph.nodes, key=lambda n: (n != found["id"], n)), limit, notes)
        subtitle = f"{hops}-hop neighbourhood of {found['id']}: {found['text'][:90]}"
        heading = title or "PersonaGraph neighbourhood"
    else:
        info, ids = loader.batch_ids(store, str(batch))
        ids = _limit(ids, limit, notes)
        subtitle = f"batch {info['id']}: task {info.get('task')}, strategy {info.get('strategy')}, {len(ids)} personas"
        heading = title or f"PersonaGraph batch {info['id']}"
    keep = set(ids)
    if returned is not None:
        edges = [r for r in returned if r["src"] in keep and r["dst"] in keep and (types is None or r["type"] in types)]
    else:
        edges = loader.relations_among(store, ids, types)
    rows = loader.persona_rows(store, ids)
    personas = [rows[i] for i in ids if i in rows]
    if not personas:
        notes.append("no personas to show")
    return viewer.graph_data(
        heading,
        personas,
        edges,
        subtitle=subtitle,
        notes=notes,
        communities=_communities([p["id"] for p in personas], edges),
        seed=seed,
        cluster_labels=loader.cluster_labels(store, [p.get("cluster") for p in personas]),
    )


def write_view(store: GraphStore, out: str | Path, **kwargs: Any) -> tuple[Path, dict[str, Any]]:
    """Write the viewer page for the subgraph ``view_data`` describes; returns its path and the data."""
    data = view_data(store, **kwargs)
    return viewer.write(data, out), data
