"""Choose a connected cast on a networkx graph: pure code, no store.

The working graph is a ``nx.MultiDiGraph`` whose nodes are persona ids and whose edges carry the
relation type as their key (``graph.add_edge(src, dst, key="RIVAL", type="RIVAL")``). The store
layer (``personagraph.cast.loader``) builds it; everything here only looks at it.

A cast grows from a start persona in BFS order: among the personas adjacent to the cast so far,
the nearest to the start (its depth in the growing cast) comes first, then the one with most ties
into the cast, then the one whose ties bring relation types the cast lacks (variety makes better
drama), then the most central (degree), then the smallest id, so the same graph always gives the
same cast. Pinned
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


def communities(
    graph: nx.MultiDiGraph, types: Collection[str] | None = None, seed: int = LOUVAIN_SEED
) -> list[list[str]]:
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


def most_central(simple: nx.Graph | Adjacency, among: Iterable[str]) -> str:
    """The member with the highest degree (ties: smallest id)."""
    candidates = sorted(among)
    if not candidates:
        raise ConfigError("no persona to start the cast from")
    return min(candidates, key=lambda n: (-simple.degree(n) if n in simple else 0, n))


class Adjacency:
    """Undirected, type-filtered neighbours of a MultiDiGraph, computed only for the nodes visited.

    Building a whole undirected copy costs O(edges) per cast; a cast touches a few hundred nodes.
    """

    def __init__(
        self, graph: nx.MultiDiGraph, types: Collection[str] | None = None, drop: Collection[str] = ()
    ) -> None:
        self.graph = graph
        self.types = set(types) if types is not None else None
        self.drop = set(drop)
        self._neighbours: dict[str, list[str]] = {}

    def __contains__(self, node: object) -> bool:
        return node in self.graph and node not in self.drop

    def allowed(self, keys: Iterable[str]) -> list[str]:
        return [k for k in keys if self.types is None or k in self.types]

    def kinds(self, a: str, b: str) -> set[str]:
        """Relation types between ``a`` and ``b``, either direction."""
        found = set(self.allowed(self.graph.succ[a].get(b, {})))
        found.update(self.allowed(self.graph.succ[b].get(a, {})))
        return found

    def neighbours(self, node: str) -> list[str]:
        """Sorted neighbours through allowed types, excluded nodes and self-loops left out."""
        cached = self._neighbours.get(node)
        if cached is None:
            near: set[str] = set()
            for side in (self.graph.succ[node], self.graph.pred[node]):
                near.update(
                    other
                    for other, keys in side.items()
                    if other != node and other not in self.drop and self.allowed(keys)
                )
            cached = self._neighbours[node] = sorted(near)
        return cached

    def degree(self, node: str) -> int:
        return len(self.neighbours(node))

    def ball(self, start: str, cutoff: int) -> dict[str, int]:
        """BFS depth of every node within ``cutoff`` hops of ``start``."""
        depth = {start: 0}
        frontier = [start]
        for level in range(1, cutoff + 1):
            reached = []
            for node in frontier:
                for other in self.neighbours(node):
                    if other not in depth:
                        depth[other] = level
                        reached.append(other)
            if not reached:
                break
            frontier = reached
        return depth


def _join_path(adjacency: Adjacency, core: set[str], target: str) -> list[str] | None:
    """Shortest path (as new nodes to add) from any node of ``core`` to ``target``; None if none."""
    if target in core:
        return []
    if target not in adjacency:
        return None
    # Multi-source BFS from the core, neighbours visited in id order so the path is deterministic.
    parents: dict[str, str | None] = {n: None for n in sorted(core) if n in adjacency}
    frontier = list(parents)
    while frontier:
        nxt: list[str] = []
        for node in frontier:
            for neighbour in adjacency.neighbours(node):
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


def _components(adjacency: Adjacency, members: list[str]) -> list[list[str]]:
    inside, seen, parts = set(members), set(), []
    for node in sorted(members):
        if node in seen:
            continue
        part, stack = [], [node]
        seen.add(node)
        while stack:
            current = stack.pop()
            part.append(current)
            for other in adjacency.neighbours(current):
                if other in inside and other not in seen:
                    seen.add(other)
                    stack.append(other)
        parts.append(sorted(part))
    return sorted(parts, key=lambda c: (-len(c), c[0]))


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
    if size < 1:
        raise ConfigError("size must be at least 1", param="size")
    excluded = set(excludes)
    pinned = list(dict.fromkeys(p for p in pins))
    clash = sorted(excluded.intersection(pinned))
    if clash:
        raise ConfigError(f"persona {clash[0]} is both pinned and excluded")
    missing = [p for p in pinned if p not in graph]
    if missing:
        raise ConfigError(f"pinned persona {missing[0]} is not in the graph")
    adjacency = Adjacency(graph, types, excluded)

    def in_pool(node: str) -> bool:
        return node in adjacency and (candidates is None or node in candidates)

    if start is not None and start in excluded:
        raise ConfigError(f"the seed persona {start} is excluded")
    if start is None:
        start = pinned[0] if pinned else most_central(adjacency, [n for n in (candidates or graph.nodes) if in_pool(n)])
    if start not in adjacency:
        raise ConfigError(f"the seed persona {start} is not in the graph")
    required = [start, *[p for p in pinned if p != start]]
    if len(required) > size:
        raise ConfigError(f"{len(required)} pinned personas do not fit in size {size}", param="size")

    members = [start]
    # Depth in the growing cast: the seed 0, then one more than the shallowest member it ties to.
    depth = {start: 0}
    unreachable: list[str] = []
    # Join the pins nearest first, each along a shortest path from the cast so far.
    far = len(graph) + 1
    near = adjacency.ball(start, cutoff=size) if len(required) > 1 else {}
    for pin in sorted(required[1:], key=lambda p: (near.get(p, far), p)):
        path = _join_path(adjacency, set(members), pin)
        if path is None:
            unreachable.append(pin)
            members.append(pin)
            depth[pin] = far
            continue
        for node in path:
            depth[node] = 1 + min((depth[m] for m in adjacency.neighbours(node) if m in depth), default=far)
            members.append(node)
    if len(members) > size:
        raise ConfigError(
            f"the pinned personas need {len(members)} members to be connected, more than size {size}",
            hint=f"raise size to {len(members)} or pin fewer personas",
            param="size",
        )

    core = set(members)
    seen_types = {t for a in core for b in adjacency.neighbours(a) if b in core for t in adjacency.kinds(a, b)}

    def rank(n: str) -> tuple[int, int, int, int, str]:
        ties = [m for m in adjacency.neighbours(n) if m in core]
        fresh = {t for m in ties for t in adjacency.kinds(n, m)} - seen_types
        return (1 + min(depth[m] for m in ties), -len(ties), -len(fresh), -adjacency.degree(n), n)

    notes: list[str] = []
    while len(members) < size:
        frontier = {n for m in members for n in adjacency.neighbours(m) if n not in core and in_pool(n)}
        if not frontier:
            break
        best = min(frontier, key=rank)
        depth[best] = rank(best)[0]
        seen_types.update(t for m in adjacency.neighbours(best) if m in core for t in adjacency.kinds(best, m))
        members.append(best)
        core.add(best)
    if len(members) < size:
        notes.append(f"only {len(members)} connected personas were within reach (asked for {size})")

    parts = _components(adjacency, members)
    connected = len(parts) == 1
    if not connected:
        notes.append(
            f"the cast is NOT connected: {len(parts)} separate groups; "
            + ", ".join(unreachable or [p[0] for p in parts[1:]])
            + " cannot be reached from the seed through the allowed relations"
        )
    relations = sorted(
        (src, rel_type, dst)
        for src in core
        for dst, keys in graph.succ[src].items()
        if dst in core and dst != src
        for rel_type in adjacency.allowed(keys)
    )
    return CastChoice(
        members=members, relations=relations, start=start, connected=connected, components=parts, notes=notes
    )


def ego_candidates(
    graph: nx.MultiDiGraph, seed: str, hops: int, types: Collection[str] | None = None, excludes: Collection[str] = ()
) -> set[str]:
    """Personas within ``hops`` of ``seed`` through allowed relations, not passing through excluded ones."""
    adjacency = Adjacency(graph, types, excludes)
    if seed not in adjacency:
        return set()
    return set(adjacency.ball(seed, hops))
