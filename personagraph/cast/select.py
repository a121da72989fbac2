"""Choose a connected cast on a networkx graph: pure code, no store.

The working graph is a ``nx.MultiDiGraph`` whose nodes are persona ids and whose edges carry the
relation type as their key (``graph.add_edge(src, dst, key="RIVAL", type="RIVAL")``). The store
layer (``personagraph.cast.subgraph``) builds it; everything here only looks at it.

A cast grows from a start persona in BFS order: among the personas adjacent to the cast so far,
the nearest to the start comes first, then the one with most ties into the cast, then the one
whose ties bring relation types the cast lacks (variety makes better drama), then the most central
(degree), then the smallest id, so the same graph always gives the same cast. Pinned
personas are joined to the start first, along shortest paths; excluded ones are never used, not
even as a bridge.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from personagraph.errors import ConfigError

if TYPE_CHECKING:
    import networkx as nx

LOUVAIN_SEED = 42


@dataclass(frozen=True)
class CastChoice:
    """The personas chosen, in the order they joined, and the typed edges among them."""

    members: list[str]
    relations: list[tuple[str, str, str]]  # (src, type, dst)
    start: str
    connected: bool
    components: list[list[str]] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)


def undirected(graph: nx.MultiDiGraph, types: Collection[str] | None = None, drop: Collection[str] = ()) -> nx.Graph:
    """A simple undirected graph of ``graph`` keeping only edges of ``types`` and nodes not in ``drop``."""
    import networkx as nx

    simple = nx.Graph()
    dropped = set(drop)
    simple.add_nodes_from(sorted(n for n in graph.nodes if n not in dropped))
    for src, dst, rel_type in graph.edges(keys=True):
        if src in dropped or dst in dropped or src == dst:
            continue
        if types is None or rel_type in types:
            simple.add_edge(src, dst)
    return simple


def communities(graph: nx.MultiDiGraph, types: Collection[str] | None = None, seed: int = LOUVAIN_SEED) -> list[list[str]]:
    """Louvain communities (networkx, fixed seed), largest first; ties broken by smallest id.

    Community ``N`` of the CLI is the N-th entry of this list, so numbering is stable for a
    given graph. Isolated personas form communities of one at the end.
    """
    import networkx as nx

    simple = undirected(graph, types)
    if simple.number_of_edges() == 0:
        found: list[set[str]] = [{n} for n in simple.nodes]
    else:
        found = nx.community.louvain_communities(simple, seed=seed)
    ordered = [sorted(c) for c in found]
    ordered.sort(key=lambda members: (-len(members), members[0]))
    return ordered


def most_central(simple: nx.Graph, among: Iterable[str]) -> str:
    """The member with the highest degree in ``simple`` (ties: smallest id)."""
    candidates = sorted(among)
    if not candidates:
        raise ConfigError("no persona to start the cast from")
    return min(candidates, key=lambda n: (-simple.degree(n) if n in simple else 0, n))


def _join_path(simple: nx.Graph, core: set[str], target: str) -> list[str] | None:
    """Shortest path (as new nodes to add) from any node of ``core`` to ``target``; None if none."""
    if target in core:
        return []
    if target not in simple:
        return None
    # Multi-source BFS from the core, neighbours visited in id order so the path is deterministic.
    parents: dict[str, str | None] = {n: None for n in sorted(core) if n in simple}
    frontier = list(parents)
    while frontier:
        nxt: list[str] = []
        for node in frontier:
            for neighbour in sorted(simple.neighbors(node)):
                if neighbour in parents:
                    continue
                parents[neighbour] = node
                if neighbour == target:
                    path = [target]
                    step = parents[target]
                    while step is not None and step not in core:
                        path.append(step)
                        step = parents[step]
                    return list(reversed(path))
                nxt.append(neighbour)
        frontier = nxt
    return None


def choose_cast(
    graph: nx.MultiDiGraph,
    *,
    size: int,
    start: str | None = None,
    candidates: Collection[str] | None = None,
    types: Collection[str] | None = None,
    pins: Iterable[str] = (),
    excludes: Iterable[str] = (),
) -> CastChoice:
    """A connected cast of at most ``size`` personas of ``graph``.

    ``candidates`` bounds where the cast may grow (the seed's ego network, a community, a query's
    result); pinned personas, and the personas on the shortest paths that join them to the cast,
    may come from anywhere in ``graph``. ``types`` keeps only those relation types. If a pinned
    persona has no path to the others, the cast is returned with ``connected=False`` and a note.
    """
    import networkx as nx

    if size < 1:
        raise ConfigError("--size must be at least 1")
    excluded = set(excludes)
    pinned = list(dict.fromkeys(p for p in pins))
    clash = sorted(excluded.intersection(pinned))
    if clash:
        raise ConfigError(f"persona {clash[0]} is both pinned and excluded")
    missing = [p for p in pinned if p not in graph]
    if missing:
        raise ConfigError(f"pinned persona {missing[0]} is not in the graph")
    simple = undirected(graph, types, drop=excluded)
    pool = set(simple.nodes) if candidates is None else {c for c in candidates if c in simple}
    notes: list[str] = []

    if start is not None and start in excluded:
        raise ConfigError(f"the seed persona {start} is excluded")
    if start is None:
        start = pinned[0] if pinned else most_central(simple, pool)
    if start not in simple:
        raise ConfigError(f"the seed persona {start} is not in the graph")
    required = [start, *[p for p in pinned if p != start]]
    if len(required) > size:
        raise ConfigError(f"{len(required)} pinned personas do not fit in --size {size}")

    members = [start]
    core = {start}
    unreachable: list[str] = []
    # Join the pins nearest first, each along a shortest path from the cast so far.
    for pin in sorted(required[1:], key=lambda p: (_distance(simple, start, p), p)):
        path = _join_path(simple, core, pin)
        if path is None:
            unreachable.append(pin)
            members.append(pin)
            core.add(pin)
            continue
        for node in path:
            members.append(node)
            core.add(node)
    if len(members) > size:
        raise ConfigError(
            f"the pinned personas need {len(members)} members to be connected, more than --size {size}",
            hint=f"raise --size to {len(members)} or pin fewer personas",
        )

    distance = nx.single_source_shortest_path_length(simple.subgraph(pool | core), start)
    degree = dict(simple.degree())
    kinds = _type_index(graph, types)
    seen_types = {t for a in core for b in core for t in kinds.get((a, b), ())}

    def rank(n: str) -> tuple[int, int, int, int, str]:
        ties = [m for m in simple.neighbors(n) if m in core]
        fresh = {t for m in ties for t in kinds.get((n, m), ())} - seen_types
        return (distance.get(n, len(simple)), -len(ties), -len(fresh), -degree[n], n)

    while len(members) < size:
        frontier = {n for m in members for n in simple.neighbors(m) if n in pool and n not in core}
        if not frontier:
            break
        best = min(frontier, key=rank)
        seen_types.update(t for m in simple.neighbors(best) if m in core for t in kinds.get((best, m), ()))
        members.append(best)
        core.add(best)
    if len(members) < size:
        notes.append(f"only {len(members)} connected personas were within reach (asked for {size})")

    cast_graph = simple.subgraph(members)
    parts = sorted((sorted(c) for c in nx.connected_components(cast_graph)), key=lambda c: (-len(c), c[0]))
    connected = len(parts) == 1
    if not connected:
        notes.append(
            f"the cast is NOT connected: {len(parts)} separate groups; "
            + ", ".join(unreachable or [p[0] for p in parts[1:]])
            + " cannot be reached from the seed through the allowed relations"
        )
    relations = sorted(
        (src, rel_type, dst)
        for src, dst, rel_type in graph.edges(keys=True)
        if src in core and dst in core and src != dst and (types is None or rel_type in types)
    )
    return CastChoice(members=members, relations=relations, start=start, connected=connected, components=parts, notes=notes)


def _type_index(graph: nx.MultiDiGraph, types: Collection[str] | None) -> dict[tuple[str, str], set[str]]:
    """(a, b) -> relation types between a and b, either direction."""
    index: dict[tuple[str, str], set[str]] = {}
    for src, dst, rel_type in graph.edges(keys=True):
        if types is None or rel_type in types:
            index.setdefault((src, dst), set()).add(rel_type)
            index.setdefault((dst, src), set()).add(rel_type)
    return index


def _distance(simple: nx.Graph, a: str, b: str) -> int:
    import networkx as nx

    try:
        return int(nx.shortest_path_length(simple, a, b))
    except (nx.NetworkXNoPath, nx.NodeNotFound):
        return len(simple) + 1


def ego_candidates(graph: nx.MultiDiGraph, seed: str, hops: int, types: Collection[str] | None = None, excludes: Collection[str] = ()) -> set[str]:
    """Personas within ``hops`` of ``seed`` through allowed relations, not passing through excluded ones."""
    import networkx as nx

    simple = undirected(graph, types, drop=excludes)
    if seed not in simple:
        return set()
    return set(nx.single_source_shortest_path_length(simple, seed, cutoff=hops))
