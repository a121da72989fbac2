"""Every explore query, on both executors, checked against networkx on the same (example) graph.

The graph is the Kelvark world from examples/ loaded with the package's importer, plus hops,
provenance and usage (tests/integration/world_reference.py). Building it takes a few seconds, so
one test per executor loads it once and runs every check; a failure names the query.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable
from typing import Any

import networkx as nx
import pytest

from personagraph import explore, queries
from personagraph.errors import ConfigError
from personagraph.store import GraphStore
from tests.integration.world_reference import World, lineage_walk, load, reference

Check = Callable[[GraphStore, World], None]
CHECKS: dict[str, Check] = {}
ALL = 100_000  # a limit above any row count here


def check(name: str) -> Callable[[Check], Check]:
    def register(fn: Check) -> Check:
        CHECKS[name] = fn
        return fn

    return register


def run(store: GraphStore, name: str, **params: Any) -> list[dict[str, Any]]:
    return explore.run(store, name, params)


def degree(world: World, pid: str) -> int:
    return int(world.multi.degree(pid))


@check("neighbourhood")
def _neighbourhood(store: GraphStore, world: World) -> None:
    for prefix in ("A night-shift intensive care nurse", "The chess coach's 11-year-old", "A reclusive clock repairer"):
        pid = world.key(prefix)
        dist = nx.single_source_shortest_path_length(world.simple, pid, cutoff=2)
        expected = sorted(
            ((n, d, world.types_between(pid, n) if d == 1 else []) for n, d in dist.items() if d),
            key=lambda x: (x[1], x[0]),
        )
        rows = run(store, "neighbourhood", id=pid, limit=ALL)
        assert [(r["id"], r["hops"], sorted(r["direct"])) for r in rows] == expected
        assert len(run(store, "neighbourhood", id=pid, limit=3)) == min(3, len(expected))


@check("relation_types")
def _relation_types(store: GraphStore, world: World) -> None:
    count = Counter(r["type"] for r in world.relations)
    expected = [
        {
            "type": t,
            "relations": n,
            "sources": len({r["src"] for r in world.relations if r["type"] == t}),
            "targets": len({r["dst"] for r in world.relations if r["type"] == t}),
        }
        for t, n in sorted(count.items(), key=lambda x: (-x[1], x[0]))
    ]
    assert run(store, "relation_types") == expected


@check("degree_distribution")
def _degree_distribution(store: GraphStore, world: World) -> None:
    histogram = Counter(d for _, d in world.multi.degree())
    assert run(store, "degree_distribution") == [{"degree": d, "personas": n} for d, n in sorted(histogram.items())]


@check("top_hubs")
def _top_hubs(store: GraphStore, world: World) -> None:
    ranked = sorted(world.personas, key=lambda p: (-degree(world, p), -world.simple.degree(p), p))
    rows = run(store, "top_hubs")
    assert [(r["id"], r["degree"], r["neighbours"]) for r in rows] == [
        (p, degree(world, p), world.simple.degree(p)) for p in ranked[:10]
    ]


@check("personas_per_hop")
def _per_hop(store: GraphStore, world: World) -> None:
    rows = run(store, "personas_per_hop")
    by_hop: dict[int, list[str]] = {}
    for pid, p in world.personas.items():
        by_hop.setdefault(p["hop"], []).append(pid)
    assert [(r["hop"], r["personas"]) for r in rows] == [(h, len(ps)) for h, ps in sorted(by_hop.items())]
    for row in rows:
        members = by_hop[row["hop"]]
        assert row["mean_degree"] == pytest.approx(sum(degree(world, p) for p in members) / len(members), abs=0.006)
        assert 1 <= len(row["examples"]) <= 3
        assert all(t in {world.personas[p]["text"] for p in members} for t in row["examples"])


@check("personas_per_origin")
def _per_origin(store: GraphStore, world: World) -> None:
    count = Counter(p["origin"] for p in world.personas.values())
    assert {r["origin"]: r["personas"] for r in run(store, "personas_per_origin")} == count
    assert set(count) == {"text", "persona", "import"}


@check("personas_per_cluster")
def _per_cluster(store: GraphStore, world: World) -> None:
    count = Counter(p["cluster"] for p in world.personas.values())
    assert {r["cluster"]: r["personas"] for r in run(store, "personas_per_cluster")} == count
    assert None in count and len(count) == 8


@check("shortest_path")
def _shortest_path(store: GraphStore, world: World) -> None:
    ends = [
        ("A 45-year-old shipyard welder", "The widow of a fisherman"),
        ("A 12-year-old who draws comics", "A navy procurement officer"),
        ("The hospital chaplain", "Une institutrice retraitée"),
    ]
    pairs = [(world.key(a), world.key(b)) for a, b in ends]
    for a, b in pairs:
        rows = run(store, "shortest_path", a=a, b=b)
        assert len(rows) == 1
        row = rows[0]
        assert row["hops"] == nx.shortest_path_length(world.simple, a, b) == len(row["relations"])
        ids = row["ids"]
        assert ids[0] == a and ids[-1] == b and len(ids) == row["hops"] + 1
        for i, rel_type in enumerate(row["relations"]):
            assert rel_type in world.types_between(ids[i], ids[i + 1])
    lonely = world.key("A reclusive clock repairer")
    assert run(store, "shortest_path", a=lonely, b=pairs[0][0]) == []
    assert run(store, "shortest_path", a=pairs[0][0], b=pairs[0][0]) == []


@check("isolated_personas")
def _isolated(store: GraphStore, world: World) -> None:
    expected = sorted(p for p in world.personas if world.simple.degree(p) == 0)
    assert [r["id"] for r in run(store, "isolated_personas")] == expected and expected


@check("rivals_of_colleagues")
def _rivals_of_colleagues(store: GraphStore, world: World) -> None:
    def typed(node: str, rel_type: str) -> set[str]:
        return {
            r["dst"] if r["src"] == node else r["src"]
            for r in world.relations
            if r["type"] == rel_type and node in (r["src"], r["dst"])
        }

    found = 0
    for prefix in (
        "A night-shift intensive care nurse",
        "A 45-year-old shipyard welder",
        "The head teacher",
        "The fish auctioneer",
    ):
        pid = world.key(prefix)
        expected = sorted((c, r) for c in typed(pid, "COLLEAGUE") for r in typed(c, "RIVAL") if r != pid)
        rows = run(store, "rivals_of_colleagues", id=pid)
        assert [(row["colleague_id"], row["rival_id"]) for row in rows] == expected
        found += len(expected)
    assert found > 0


@check("lineage")
def _lineage(store: GraphStore, world: World) -> None:
    hops = {p: v["hop"] for p, v in world.personas.items()}
    root = next(p for p, _ in world.derived)
    walks = {p: lineage_walk(world, p) for p in world.personas}
    broken = sorted(p for p, walk in walks.items() if hops[walk[-1]] > 0)
    deepest = max((p for p in world.personas if p not in broken), key=lambda p: (hops[p], p))
    for pid in [deepest, root, *broken[:2], *sorted(p for p in world.personas if hops[p] == 2)[:3]]:
        walk = walks[pid]
        rows = run(store, "lineage", id=pid)
        assert [r["id"] for r in rows] == walk and [r["step"] for r in rows] == list(range(len(walk)))
        assert [r["hop"] for r in rows] == [hops[p] for p in walk]
        assert rows[0]["relation"] is None
        for i in range(1, len(walk)):
            assert rows[i]["relation"] in world.types_between(walk[i - 1], walk[i])
            assert rows[i]["relation"] != "FRIEND_OF"  # friendships carry an earlier hop
        for row in rows:
            assert sorted(row["texts"]) == sorted(t for p, t in world.derived if p == row["id"])
            assert sorted(row["sources"]) == sorted(world.texts[t] for t in row["texts"])
    assert hops[deepest] >= 3 and len(walks[deepest]) == hops[deepest] + 1
    assert run(store, "lineage", id=root)[0]["texts"]  # a Text-to-Persona root shows its text


@check("triangles")
def _triangles(store: GraphStore, world: World) -> None:
    expected = sorted(tuple(sorted(c)) for c in nx.enumerate_all_cliques(world.simple) if len(c) == 3)
    rows = run(store, "triangles", limit=ALL)
    assert [(r["a_id"], r["b_id"], r["c_id"]) for r in rows] == expected
    assert sum(nx.triangles(world.simple).values()) == 3 * len(rows) > 0
    assert len(run(store, "triangles")) == min(100, len(expected))


@check("search")
def _search(store: GraphStore, world: World) -> None:
    for q in ("welder", "STOCZNI", "café", "Kelvark"):
        hits = [p for p, v in world.personas.items() if q.lower() in v["text"].lower()]
        expected = sorted(hits, key=lambda p: (-degree(world, p), p))[:25]
        rows = run(store, "search", q=q)
        assert [(r["id"], r["degree"]) for r in rows] == [(p, degree(world, p)) for p in expected] and rows


@check("mutual_relations")
def _mutual(store: GraphStore, world: World) -> None:
    expected = sorted(
        (
            (r1["src"], r1["type"], r2["type"], r1["dst"])
            for r1 in world.relations
            for r2 in world.relations
            if r1["src"] == r2["dst"] and r1["dst"] == r2["src"] and r1["src"] < r1["dst"]
        ),
        key=lambda row: (row[0], row[3], row[1], row[2]),
    )
    rows = run(store, "mutual_relations")
    assert [(r["a_id"], r["a_to_b"], r["b_to_a"], r["b_id"]) for r in rows] == expected and expected


@check("most_used")
def _most_used(store: GraphStore, world: World) -> None:
    stats = {
        p: (v["uses"], sum(p in m for m in world.batches.values()), sum(p == s for s in world.samples.values()))
        for p, v in world.personas.items()
    }
    used = sorted((p for p, s in stats.items() if any(s)), key=lambda p: (-stats[p][0], -stats[p][1], -stats[p][2], p))
    rows = run(store, "most_used", limit=ALL)
    assert [(r["id"], r["uses"], r["batches"], r["samples"]) for r in rows] == [(p, *stats[p]) for p in used]
    assert len(run(store, "most_used", limit=2)) == 2


@check("relations_of")
def _relations_of(store: GraphStore, world: World) -> None:
    pid = world.key("A 45-year-old shipyard welder")
    expected = sorted(
        (r["type"], "out" if r["src"] == pid else "in", r["dst"] if r["src"] == pid else r["src"], r["evidence"])
        for r in world.relations
        if pid in (r["src"], r["dst"])
    )
    rows = run(store, "relations_of", id=pid)
    assert [(r["type"], r["direction"], r["other_id"], r["evidence"]) for r in rows] == expected
    assert len(rows) == degree(world, pid)


@check("common_neighbours")
def _common(store: GraphStore, world: World) -> None:
    found = 0
    for a_prefix, b_prefix in (
        ("An orthopaedic surgeon", "A physiotherapist"),
        ("A 45-year-old shipyard welder", "A shipyard foreman"),
        ("A night-shift intensive care nurse", "A reclusive clock repairer"),
    ):
        a, b = world.key(a_prefix), world.key(b_prefix)
        common = sorted(set(world.simple[a]) & set(world.simple[b]) - {a, b})
        rows = run(store, "common_neighbours", a=a, b=b)
        assert [r["id"] for r in rows] == common
        for row in rows:
            assert sorted(row["with_a"]) == world.types_between(a, row["id"])
            assert sorted(row["with_b"]) == world.types_between(b, row["id"])
        found += len(common)
    assert found > 0


@check("label_links")
def _label_links(store: GraphStore, world: World) -> None:
    count = Counter(
        (world.personas[r["src"]]["label"], world.personas[r["dst"]]["label"], r["type"]) for r in world.relations
    )
    rows = run(store, "label_links", limit=ALL)
    assert {(r["from_label"], r["to_label"], r["type"]): r["relations"] for r in rows} == count
    assert [r["relations"] for r in rows] == sorted(count.values(), reverse=True)


@check("text_yield")
def _text_yield(store: GraphStore, world: World) -> None:
    count = Counter(t for _, t in world.derived)
    ranked = sorted(world.texts, key=lambda t: (-count[t], t))
    rows = run(store, "text_yield", limit=ALL)
    assert [(r["id"], r["source"], r["personas"]) for r in rows] == [(t, world.texts[t], count[t]) for t in ranked]
    assert rows[0]["personas"] == 2


@check("reach")
def _reach(store: GraphStore, world: World) -> None:
    # Over persona-to-persona relations only: the world's usage, sample and text edges are left out.
    for prefix in ("A night-shift intensive care nurse", "The chess coach's 11-year-old", "A reclusive clock repairer"):
        pid = world.key(prefix)
        within_two = nx.single_source_shortest_path_length(world.simple, pid, cutoff=2)
        assert run(store, "reach", id=pid) == [
            {"id": pid, "degree": degree(world, pid), "reach_2": len(within_two) - 1}
        ]


def test_every_explore_query_has_a_check() -> None:
    names = {n.removeprefix("explore/") for n in queries.names("explore")}
    assert names == set(CHECKS)
    assert len(names) >= 14


def test_explore_queries_match_networkx(store: GraphStore) -> None:
    world = reference()
    load(store, world)
    failures = []
    for name, fn in sorted(CHECKS.items()):
        try:
            fn(store, world)
        except Exception as exc:
            failures.append(f"{name}: {type(exc).__name__}: {str(exc)[:600]}")
    assert not failures, "\n".join(failures)


def test_explore_refuses_bad_parameters(store: GraphStore) -> None:
    with pytest.raises(ConfigError, match="needs id"):
        explore.run(store, "neighbourhood", {})
    with pytest.raises(ConfigError, match="no parameter colour"):
        explore.run(store, "top_hubs", {"colour": "red"})
    with pytest.raises(ConfigError, match="no explore query named"):
        explore.run(store, "drop_everything", {})
