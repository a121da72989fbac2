"""The strategies and coverage figures on constructed arrays with known answers."""

from __future__ import annotations

import numpy as np
import pytest

from personagraph.errors import ConfigError
from personagraph.sampling import coverage, strategies


def blobs(k: int = 12, per: int = 200, d: int = 32, seed: int = 0, tiny: int = 0) -> tuple[np.ndarray, np.ndarray]:
    """k tight clusters on the sphere (plus ``tiny`` clusters of 3 points each)."""
    rng = np.random.default_rng(seed)
    centres = rng.standard_normal((k + tiny, d)).astype(np.float32)
    sizes = [per] * k + [3] * tiny
    x = np.concatenate(
        [c + 0.15 * rng.standard_normal((s, d)).astype(np.float32) for c, s in zip(centres, sizes, strict=True)]
    )
    x /= np.linalg.norm(x, axis=1, keepdims=True)
    return x.astype(np.float32), np.repeat(np.arange(k + tiny), sizes)


def test_allocate_shapes() -> None:
    sizes = np.array([100, 25, 4, 0, 1])
    prop = strategies.allocate(sizes, 20, "proportional")
    assert prop.sum() == 20 and prop[3] == 0 and (prop[[0, 1, 2, 4]] >= 1).all()
    assert prop[0] > prop[1] > prop[2]
    uni = strategies.allocate(sizes, 13, "uniform")
    assert uni.sum() == 13 and uni[4] == 1 and uni[3] == 0 and uni[2] == 4  # capped at the stratum size
    root = strategies.allocate(sizes, 20, "sqrt")
    assert root.sum() == 20 and root[0] > root[1] > root[2]
    assert strategies.allocate(sizes, 10_000, "sqrt").tolist() == sizes.tolist()  # everyone, no more
    few = strategies.allocate(sizes, 2, "uniform", seed=3)
    assert few.sum() == 2 and few.max() == 1 and few[3] == 0
    with pytest.raises(ConfigError):
        strategies.allocate(sizes, 5, "cubic")


def test_stratified_covers_every_cluster_when_n_at_least_k() -> None:
    _, clusters = blobs(k=12, per=50, tiny=5)
    for allocation in strategies.ALLOCATIONS:
        chosen = strategies.select_stratified(clusters, 17, allocation=allocation, seed=1)
        assert len(chosen) == 17 and len(set(chosen.tolist())) == 17
        assert set(clusters[chosen].tolist()) == set(range(17))


def test_strategies_are_deterministic_for_a_seed() -> None:
    x, clusters = blobs()
    for name in ("random", "stratified", "kcenter"):
        a = strategies.select(name, 50, count=len(x), strata=clusters, vectors=x, seed=4)
        b = strategies.select(name, 50, count=len(x), strata=clusters, vectors=x, seed=4)
        c = strategies.select(name, 50, count=len(x), strata=clusters, vectors=x, seed=5)
        assert a.tolist() == b.tolist() and len(a) == 50
        assert a.tolist() != c.tolist()


def test_kcenter_radius_below_random() -> None:
    # Twelve big clusters and eight tiny ones: random batches miss tiny ones, k-center does not.
    x, clusters = blobs(k=12, per=200, tiny=8, seed=2)
    k = 40
    chosen = strategies.select_kcenter(x, clusters, k, seed=0)
    report = coverage.coverage_report(
        chosen=chosen, clusters=clusters, vectors=x, baseline=strategies.select_random(len(x), k, seed=1)
    )
    assert report["clusters"]["covered"] == 20 and report["clusters"]["total"] == 20
    assert report["radius"]["exact"] is True
    assert report["radius"]["max"] < report["radius_random"]["max"]
    assert report["radius_ratio"] < 0.85
    # Within one stratum, k-center is plain Gonzalez: its radius is at most twice the optimum,
    # so it is never worse than random by more than that; here it is simply better.
    one = np.zeros(len(x), dtype=np.int64)
    kc = coverage.covering_radius(x, strategies.select_kcenter(x, one, k, seed=0))
    rnd = coverage.covering_radius(x, strategies.select_random(len(x), k, seed=0))
    assert kc["max"] < rnd["max"]


def test_least_used_first_and_consecutive_batches_disjoint() -> None:
    x, clusters = blobs(k=6, per=40)
    uses = np.zeros(len(x), dtype=np.int64)
    for name in ("random", "stratified", "kcenter"):
        uses[:] = 0
        seen: set[int] = set()
        for i in range(6):  # 6 batches of 40 = every persona once
            chosen = strategies.select(name, 40, count=len(x), strata=clusters, vectors=x, uses=uses, seed=i)
            assert not seen & set(chosen.tolist()), f"{name}: batch {i} reused a persona before the space was spent"
            seen |= set(chosen.tolist())
            uses[chosen] += 1
        assert uses.tolist() == [1] * len(x)
        chosen = strategies.select(name, 40, count=len(x), strata=clusters, vectors=x, uses=uses, seed=9)
        assert len(chosen) == 40  # the space is spent: reuse, still one each


def test_spent_stratum_gives_its_share_to_others() -> None:
    clusters = np.array([0] * 3 + [1] * 30)
    uses = np.zeros(33, dtype=np.int64)
    uses[:3] = 1  # stratum 0 fully used once
    for chosen in (
        strategies.select_stratified(clusters, 10, uses=uses, allocation="uniform", seed=0),
        strategies.select_kcenter(np.eye(33, dtype=np.float32), clusters, 10, uses=uses, seed=0),
    ):
        assert len(chosen) == 10 and all(uses[c] == 0 for c in chosen)
    # Once fewer unused remain than the batch needs, all of them are taken, then the least used.
    uses[3:28] = 1
    chosen = strategies.select_stratified(clusters, 10, uses=uses, seed=0)
    assert set(range(28, 33)) <= set(chosen.tolist()) and len(chosen) == 10


def test_graph_strategy_spreads_over_communities_and_hops() -> None:
    communities = np.repeat(np.arange(5), 40)
    hops = np.tile(np.arange(4), 50)
    chosen = strategies.select_graph(communities, hops, 20, seed=0)
    assert len(chosen) == 20
    assert {(int(communities[i]), int(hops[i])) for i in chosen} == {(c, h) for c in range(5) for h in range(4)}


def test_groups_spread_and_avoid_repeats() -> None:
    # A chain 0-1-2-...-19 in two communities: pairs without a shared persona come first.
    edges = np.array([[i, i + 1] for i in range(19)])
    communities = np.array([0] * 10 + [1] * 10)
    pairs = strategies.select_groups(edges, 6, communities, seed=0)
    assert pairs.shape == (6, 2)
    assert len(set(pairs.ravel().tolist())) == 12
    assert {int(communities[a]) for a, _ in pairs} == {0, 1}
    assert len(strategies.select_groups(edges, 50, communities, seed=0)) == 19  # all pairs, no more
    uses = np.zeros(20, dtype=np.int64)
    uses[:10] = 3
    used = strategies.select_groups(edges, 3, communities, uses=uses, seed=0)
    assert (used >= 10).all()  # the unused half first


def test_gini_known_values() -> None:
    assert coverage.gini([1, 1, 1, 1]) == pytest.approx(0.0)
    assert coverage.gini([0, 0, 0, 4]) == pytest.approx(0.75)
    assert coverage.gini([]) == 0.0
    assert coverage.gini([1, 2, 3, 4]) == pytest.approx(0.25)


def test_covering_radius_known_geometry() -> None:
    x = np.eye(4, dtype=np.float32)  # four orthogonal unit vectors: distance sqrt(2) between any two
    r = coverage.covering_radius(x, np.array([0, 1]))
    assert r["max"] == pytest.approx(np.sqrt(2), abs=1e-3) and r["exact"]
    assert r["mean"] == pytest.approx(np.sqrt(2) / 2, abs=1e-3)
    assert coverage.covering_radius(x, np.arange(4))["max"] == pytest.approx(0.0, abs=1e-3)
    est = coverage.covering_radius(np.tile(x, (10, 1)), np.array([0]), max_exact=8)
    assert est["exact"] is False and est["evaluated"] == 8


def test_coverage_report_facets() -> None:
    hops = np.array([0, 1, 1, 2, 3])
    rels = [["RIVAL"], [], ["COLLEAGUE", "RIVAL"], ["PATIENT_OF"], []]
    report = coverage.coverage_report(
        chosen=np.array([0, 2]), hops=hops, rel_types=rels, uses_after=np.array([1, 0, 1, 0, 0])
    )
    assert report["hops"]["covered"] == 2 and report["hops"]["total"] == 4
    assert report["relation_types"]["covered"] == 2 and report["relation_types"]["total"] == 3
    assert report["never_used"] == 3 and report["uses_gini"] == pytest.approx(0.6)


def test_candidate_pages_come_sorted_by_id_whatever_order_the_store_returns() -> None:
    from personagraph.sampling.candidates import CandidateColumns

    columns = CandidateColumns(["age"])
    columns.add({"id": ["c", "a"], "hop": np.array([2.0, np.nan]), "rels": [["RIVAL"], []], "attrs": [[40], [None]]})
    columns.add({"id": ["e", "d"], "hop": [0, 1], "degree": [3, 1], "origin": ["t2p", None], "rels": [[], ["X", "X"]]})
    got = columns.candidates()
    assert got.ids == ["a", "c", "d", "e"]
    assert got.hops.tolist() == [-1, 2, 1, 0] and got.degrees.tolist() == [-1, -1, 1, 3]
    assert got.origins == ["", "", "", "t2p"] and got.attributes["age"] == [None, 40, None, None]
    assert [got.rels[i] for i in range(4)] == [[], ["RIVAL"], ["X"], []]


def test_sorted_columns_orders_rows_by_a_key_stably() -> None:
    from personagraph.store.graph import sorted_columns

    columns = {
        "src": ["b", "a", "b", "a"],
        "n": np.array([1, 2, 3, 4]),
        "props": [{}, None, {"x": 1}, {}],
        "none": None,
    }
    got = sorted_columns(columns, "src")
    assert got["src"] == ["a", "a", "b", "b"] and got["n"].tolist() == [2, 4, 1, 3]
    assert got["props"] == [None, {}, {}, {"x": 1}] and got["none"] is None
    ordered = {"src": ["a", "b"], "n": [1, 2]}
    assert sorted_columns(ordered, "src") is ordered
    as_array = sorted_columns({"src": np.array([3, 1, 2]), "n": [30, 10, 20]}, "src")
    assert as_array["src"].tolist() == [1, 2, 3] and as_array["n"] == [10, 20, 30]
