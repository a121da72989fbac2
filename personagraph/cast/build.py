"""Choose a cast from the store: ego network, community or Cypher pattern, then bound and connect it.

``build_cast(store, CastSpec(...))`` loads the part of the graph the spec needs (loader), picks
the members on networkx (select), and returns a ``Cast`` with the members' texts and the typed
edges among them.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from personagraph.cast import loader, select
from personagraph.cast.model import Cast, CastMember, CastRelation
from personagraph.errors import ConfigError
from personagraph.store.graph import GraphStore

if TYPE_CHECKING:
    import networkx as nx

Echo = Callable[[str], None]


@dataclass
class CastSpec:
    """What the designer asked for; persona references are ids or phrases of persona text."""

    seed: str | None = None
    hops: int = 2
    relations: Sequence[str] | None = None
    community: int | str | None = None  # an index, or "seed" for the seed's community
    query: str | None = None
    query_params: dict[str, Any] = field(default_factory=dict)
    size: int = 8
    pins: Sequence[str] = ()
    excludes: Sequence[str] = ()

    @property
    def mode(self) -> str:
        if self.query:
            return "pattern"
        if self.community is not None:
            return "community"
        return "ego"


def spec_types(store: GraphStore, spec: CastSpec) -> list[str] | None:
    return [store.vocabulary.check(t) for t in spec.relations] if spec.relations else None


def _resolve(store: GraphStore, refs: Sequence[str], what: str, echo: Echo | None) -> list[str]:
    ids = []
    for ref in refs:
        found = loader.resolve_persona(store, ref)
        if echo and found["matches"] > 1:
            echo(
                f"{what} {ref!r}: {found['matches']} personas match, using the best connected: {found['id']} {found['text'][:70]}"
            )
        ids.append(found["id"])
    return ids


def build_cast(store: GraphStore, spec: CastSpec, echo: Echo | None = None) -> Cast:
    """The cast the spec describes; ``echo`` receives human notes (which match was used, bounds hit)."""
    if spec.size < 1:
        raise ConfigError("size must be at least 1", param="size")
    if spec.hops < 1:
        raise ConfigError("hops must be at least 1", param="hops")
    types = [store.vocabulary.check(t) for t in spec.relations] if spec.relations else None
    seed = _resolve(store, [spec.seed], "seed", echo)[0] if spec.seed else None
    pins = _resolve(store, spec.pins, "pin", echo)
    excludes = _resolve(store, spec.excludes, "exclude", echo)
    notes: list[str] = []
    communities: list[list[str]] | None = None
    mode = spec.mode

    if mode == "pattern":
        result = loader.run_query(store, spec.query or "", spec.query_params)
        if not result.persona_ids:
            raise ConfigError(
                f"the query returned no personas ({result.rows} rows)",
                hint="return Persona nodes, relationships or ids",
            )
        extra = [x for x in [seed, *pins] if x and x not in result.persona_ids]
        graph = loader.new_graph()
        graph.add_nodes_from(result.persona_ids + extra)
        loader.add_edges(graph, loader.relations_among(store, list(graph.nodes), types))
        candidates: set[str] | None = set(result.persona_ids)
        start = seed
    elif mode == "community":
        graph = loader.load_relation_graph(store, types)
        for persona in [seed, *pins]:
            if persona and persona not in graph:
                graph.add_node(persona)
        communities = select.communities(graph, types)
        if spec.community == "seed":
            if seed is None:
                raise ConfigError("community 'seed' needs seed", param=("community", "seed"))
            index = next(i for i, c in enumerate(communities) if seed in c)
        else:
            index = int(spec.community)  # type: ignore[arg-type]
            if not 0 <= index < len(communities):
                raise ConfigError(f"no community {index}: the graph has {len(communities)} (0 is the largest)")
        candidates = set(communities[index])
        start = seed if seed in candidates else None
        if seed is not None and start is None:
            pins = [seed, *pins]
        notes.append(
            f"community {index} of {len(communities)} (Louvain, seed {select.LOUVAIN_SEED}): {len(candidates)} personas"
        )
    else:
        if seed is None and not pins:
            raise ConfigError("give seed, community or query to choose a cast", param=("seed", "community", "query"))
        seed = seed or pins[0]
        ball = loader.load_ball(store, [seed, *pins], spec.hops, types, excludes)
        graph = ball.graph
        notes.extend(ball.notes)
        candidates = select.ego_candidates(graph, seed, spec.hops, types, excludes)
        start = seed

    choice = select.choose_cast(
        graph, size=spec.size, start=start, candidates=candidates, types=types, pins=pins, excludes=excludes
    )
    notes.extend(choice.notes)
    if communities is None:
        communities = select.communities(graph, types)
    cast = _assemble(store, graph, choice, communities, mode, spec, notes)
    if echo:
        for note in notes:
            echo(note)
    return cast


def _assemble(
    store: GraphStore,
    graph: nx.MultiDiGraph,
    choice: select.CastChoice,
    communities: list[list[str]],
    mode: str,
    spec: CastSpec,
    notes: list[str],
) -> Cast:
    rows = loader.persona_rows(store, choice.members)
    community_of = {pid: i for i, members in enumerate(communities) for pid in members}
    members = []
    for pid in choice.members:
        row = rows.get(pid)
        if row is None:  # deleted between the two reads; nothing sensible to show
            continue
        members.append(
            CastMember(
                id=pid,
                text=row["text"],
                cluster=row.get("cluster"),
                community=community_of.get(pid),
                hop=row.get("hop"),
                origin=row.get("origin"),
            )
        )
    kept = {m.id for m in members}
    # The evidence sentences ride along to the cards and lorebooks (one more query, for the members only).
    evidence = {
        (r["src"], r["type"], r["dst"]): r.get("evidence") or ""
        for r in loader.relations_among(store, sorted(kept), spec_types(store, spec))
    }
    relations = [
        CastRelation(src=s, type=t, dst=d, evidence=evidence.get((s, t, d), ""))
        for s, t, d in choice.relations
        if s in kept and d in kept
    ]
    params: dict[str, Any] = {
        "size": spec.size,
        "hops": spec.hops if mode == "ego" else None,
        "relations": list(spec.relations) if spec.relations else None,
        "community": spec.community,
        "query": spec.query,
        "pins": list(spec.pins),
        "excludes": list(spec.excludes),
    }
    return Cast(
        members=members,
        relations=relations,
        mode=mode,  # type: ignore[arg-type]
        seed=choice.start,
        params={k: v for k, v in params.items() if v not in (None, [])},
        connected=choice.connected,
        notes=notes,
        cluster_labels=loader.cluster_labels(store, [m.cluster for m in members]),
    )


def cast_from_ids(store: GraphStore, ids: Sequence[str], types: Sequence[str] | None = None) -> Cast:
    """A cast of exactly these personas (for tests and scripts), with the edges among them."""
    rows = loader.persona_rows(store, ids)
    missing = [i for i in ids if i not in rows]
    if missing:
        raise ConfigError(f"no persona with id {missing[0]}")
    relations = loader.relations_among(store, ids, types)
    graph = loader.new_graph()
    graph.add_nodes_from(ids)
    loader.add_edges(graph, relations)
    connected = select.undirected(graph).number_of_nodes() == 0 or _is_connected(graph)
    members = [
        CastMember(
            id=i,
            text=rows[i]["text"],
            cluster=rows[i].get("cluster"),
            hop=rows[i].get("hop"),
            origin=rows[i].get("origin"),
        )
        for i in ids
    ]
    return Cast(
        members=members,
        relations=[CastRelation(**r) for r in relations],
        mode="ids",
        seed=ids[0] if ids else None,
        connected=connected,
        notes=[] if connected else ["the cast is NOT connected"],
        cluster_labels=loader.cluster_labels(store, [m.cluster for m in members]),
    )


def _is_connected(graph: nx.MultiDiGraph) -> bool:
    import networkx as nx

    return bool(nx.is_connected(select.undirected(graph)))
