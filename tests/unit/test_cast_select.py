"""Choosing a cast on plain networkx graphs: connected, bounded, pins and excludes honoured."""

from __future__ import annotations

import networkx as nx
import pytest

from personagraph.cast.select import choose_cast, communities, ego_candidates, undirected
from personagraph.errors import ConfigError


def graph_of(edges: list[tuple[str, str, str]], nodes: tuple[str, ...] = ()) -> nx.MultiDiGraph:
    graph = nx.MultiDiGraph()
    graph.add_nodes_from(nodes)
    for src, rel_type, dst in edges:
        graph.add_edge(src, dst, key=rel_type, type=rel_type)
    return graph


# Two dense villages joined by one bridge (c-x), a tail beyond, and an island pair far away.
VILLAGES = graph_of(
    [
        ("a", "COLLEAGUE", "b"),
        ("b", "COLLEAGUE", "c"),
        ("a", "RIVAL", "c"),
        ("c", "FRIEND_OF", "d"),
        ("d", "RIVAL", "a"),
        ("c", "SUPPLIER_OF", "x"),
        ("x", "COLLEAGUE", "y"),
        ("y", "COLLEAGUE", "z"),
        ("x", "RIVAL", "z"),
        ("z", "FAMILY_OF", "w"),
        ("w", "MENTOR_OF", "t1"),
        ("t1", "MENTOR_OF", "t2"),
        ("i1", "FRIEND_OF", "i2"),
    ],
    nodes=("lonely",),
)


def is_connected(graph: nx.MultiDiGraph, members: list[str]) -> bool:
    return bool(nx.is_connected(undirected(graph).subgraph(members)))


@pytest.mark.parametrize("size", [1, 2, 3, 5, 8, 11])
def test_cast_is_connected_and_bounded(size: int) -> None:
    choice = choose_cast(VILLAGES, size=size, start="a")
    assert len(choice.members) == min(size, 10)  # 10 personas are reachable from a
    assert choice.members[0] == "a"
    assert choice.connected and is_connected(VILLAGES, choice.members)
    assert len(set(choice.members)) == len(choice.members)
    for src, _, dst in choice.relations:
        assert src in choice.members and dst in choice.members


def test_growth_prefers_near_and_tightly_tied_personas() -> None:
    choice = choose_cast(VILLAGES, size=4, start="a")
    assert set(choice.members) == {"a", "b", "c", "d"}  # the village before the bridge
    assert choice.relations == sorted(
        [
            ("a", "COLLEAGUE", "b"),
            ("b", "COLLEAGUE", "c"),
            ("a", "RIVAL", "c"),
            ("c", "FRIEND_OF", "d"),
            ("d", "RIVAL", "a"),
        ]
    )


def test_same_graph_same_cast() -> None:
    first = choose_cast(VILLAGES, size=6, start="b")
    shuffled = graph_of(sorted(((s, t, d) for s, d, t in VILLAGES.edges(keys=True)), reverse=True), nodes=("lonely",))
    assert choose_cast(shuffled, size=6, start="b").members == first.members


def test_too_few_reachable_personas_is_said() -> None:
    choice = choose_cast(VILLAGES, size=5, start="i1")
    assert choice.members == ["i1", "i2"]
    assert choice.connected
    assert any("only 2 connected personas" in note for note in choice.notes)


def test_pins_that_need_more_than_size_are_refused() -> None:
    with pytest.raises(ConfigError, match="raise size to 7"):
        choose_cast(VILLAGES, size=6, start="a", pins=["t2"])
    choice = choose_cast(VILLAGES, size=7, start="a", pins=["t2"])
    assert choice.members == ["a", "c", "x", "z", "w", "t1", "t2"] and choice.connected


def test_unreachable_pin_makes_a_disconnected_cast_and_says_so() -> None:
    choice = choose_cast(VILLAGES, size=4, start="a", pins=["i1"])
    assert "i1" in choice.members and len(choice.members) == 4
    assert not choice.connected
    assert len(choice.components) == 2
    assert any("NOT connected" in note and "i1" in note for note in choice.notes)


def test_excluded_personas_are_never_used_even_as_bridges() -> None:
    choice = choose_cast(VILLAGES, size=11, start="a", excludes=["x"])
    assert "x" not in choice.members
    assert set(choice.members) == {"a", "b", "c", "d"}  # the bridge is gone
    with pytest.raises(ConfigError, match="excluded"):
        choose_cast(VILLAGES, size=3, start="x", excludes=["x"])
    with pytest.raises(ConfigError, match="both pinned and excluded"):
        choose_cast(VILLAGES, size=3, start="a", pins=["b"], excludes=["b"])


def test_relation_filter_limits_the_paths() -> None:
    choice = choose_cast(VILLAGES, size=10, start="a", types={"COLLEAGUE"})
    assert set(choice.members) == {"a", "b", "c"}
    assert {t for _, t, _ in choice.relations} == {"COLLEAGUE"}


def test_candidates_bound_growth_but_not_pin_paths() -> None:
    ball = ego_candidates(VILLAGES, "a", hops=1)
    assert ball == {"a", "b", "c", "d"}
    choice = choose_cast(VILLAGES, size=10, start="a", candidates=ball, pins=["y"])
    assert {"x", "y"} <= set(choice.members)  # x is the bridge to the pin, outside the ball
    assert "z" not in choice.members and choice.connected


def test_ego_candidates_respect_hops_types_and_excludes() -> None:
    assert ego_candidates(VILLAGES, "c", hops=1) == {"a", "b", "c", "d", "x"}
    assert ego_candidates(VILLAGES, "c", hops=2, types={"SUPPLIER_OF", "COLLEAGUE"}) == {"b", "a", "c", "x", "y"}
    assert ego_candidates(VILLAGES, "c", hops=3, excludes={"x"}) == {"a", "b", "c", "d"}


def test_communities_are_deterministic_and_ordered() -> None:
    first = communities(VILLAGES)
    assert first == communities(VILLAGES)
    assert [len(c) for c in first] == sorted((len(c) for c in first), reverse=True)
    assert sorted(p for c in first for p in c) == sorted(VILLAGES.nodes)
    village_a = next(c for c in first if "a" in c)
    assert {"a", "b", "c", "d"} <= set(village_a) and "t2" not in village_a


def test_size_must_be_positive_and_pins_fit() -> None:
    with pytest.raises(ConfigError):
        choose_cast(VILLAGES, size=0, start="a")
    with pytest.raises(ConfigError, match="do not fit"):
        choose_cast(VILLAGES, size=2, start="a", pins=["b", "c"])
    with pytest.raises(ConfigError, match="not in the graph"):
        choose_cast(VILLAGES, size=2, start="a", pins=["nobody"])
