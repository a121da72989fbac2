"""Batch selection on plain arrays: random, stratified, kcenter, graph and relation groups.

Every strategy takes the candidates as arrays (one row per candidate persona) and returns the
indices it chose, deterministic for a given ``seed``. Two rules hold for all of them:

- **Least used first.** A batch of n takes every candidate whose ``uses`` is below the level
  t at which n are reached (``usage_tiers``), and chooses the rest among those used exactly t
  times; the quotas are split over what that tier holds in each stratum. So no persona is taken
  a second time while unused ones remain, consecutive batches are disjoint until the candidate
  space is spent, and a stratum whose members are all used gives its share to the others.
- **Quotas.** ``stratified``, ``kcenter`` and ``graph`` split the batch over strata first (see
  ``allocate``); when the batch has at least as many slots as there are non-empty strata, every
  stratum gets at least one.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np

from personagraph.errors import ConfigError

if TYPE_CHECKING:
    from personagraph.sampling.coverage import VectorRows

STRATEGIES = ("random", "stratified", "kcenter", "graph")
ALLOCATIONS = ("proportional", "uniform", "sqrt")


def _rng(seed: int | None) -> np.random.Generator:
    return np.random.default_rng(seed)


def _check_allocation(allocation: str) -> None:
    if allocation not in ALLOCATIONS:
        raise ConfigError(f"unknown allocation {allocation!r}", hint=f"choose one of {', '.join(ALLOCATIONS)}")


def apportion(weights: np.ndarray, total: int, caps: np.ndarray) -> np.ndarray:
    """Split ``total`` slots by ``weights`` (largest remainder), never above ``caps``; spill-over is re-split."""
    out = np.zeros(len(weights), dtype=np.int64)
    remaining = int(min(total, caps.sum()))
    open_ = (caps > 0) & (weights > 0)
    if remaining and not open_.any():
        open_ = caps > 0
        weights = np.ones(len(weights))
    while remaining > 0 and open_.any():
        w = np.where(open_, weights, 0.0)
        share = remaining * w / w.sum()
        floor = np.minimum(np.floor(share).astype(np.int64), caps - out)
        left = remaining - int(floor.sum())
        if left > 0:
            # Largest remainders first; ties broken by stratum order, which is stable and seed-free.
            frac = np.where(open_ & (out + floor < caps), share - np.floor(share), -1.0)
            top = np.argsort(-frac, kind="stable")[:left]
            top = top[frac[top] >= 0]
            floor[top] += 1
        out += floor
        remaining -= int(floor.sum())
        open_ = open_ & (out < caps)
        if floor.sum() == 0:  # nothing more fits anywhere
            break
    return out


def allocate(sizes: np.ndarray, n: int, allocation: str = "sqrt", seed: int | None = 0) -> np.ndarray:
    """Quota per stratum for a batch of ``n``: proportional to size, uniform, or to its square root.

    When ``n`` is at least the number of non-empty strata, each of them gets one slot first and
    the rest is split by the weights (capped by the stratum's size). With fewer slots than strata,
    ``n`` strata are drawn (seeded) with probability following the weights, one slot each.
    """
    _check_allocation(allocation)
    sizes = np.asarray(sizes, dtype=np.int64)
    if allocation == "proportional":
        weights = sizes.astype(np.float64)
    elif allocation == "uniform":
        weights = (sizes > 0).astype(np.float64)
    else:
        weights = np.sqrt(sizes.astype(np.float64))
    nonempty = np.flatnonzero(sizes > 0)
    n = int(min(n, sizes.sum()))
    quotas = np.zeros(len(sizes), dtype=np.int64)
    if n <= 0:
        return quotas
    if n < len(nonempty):
        p = weights[nonempty] / weights[nonempty].sum()
        picked = _rng(seed).choice(nonempty, size=n, replace=False, p=p)
        quotas[picked] = 1
        return quotas
    quotas[nonempty] = 1
    return quotas + apportion(weights, n - len(nonempty), sizes - quotas)


def usage_tiers(uses: np.ndarray, n: int) -> tuple[np.ndarray, np.ndarray]:
    """(forced, eligible) index arrays: all candidates used fewer than t times, and those used
    exactly t times, where t is the least level with at least ``n`` candidates at or below it."""
    levels, counts = np.unique(uses, return_counts=True)
    reach = np.cumsum(counts)
    t = levels[min(int(np.searchsorted(reach, n)), len(levels) - 1)]
    return np.flatnonzero(uses < t), np.flatnonzero(uses == t)


@dataclass(frozen=True)
class _Groups:
    """Rows sorted by (stratum, random key): each stratum is one contiguous run."""

    order: np.ndarray
    labels: np.ndarray
    starts: np.ndarray
    sizes: np.ndarray


def _group(rows: np.ndarray, strata: np.ndarray, rng: np.random.Generator) -> _Groups:
    key = rng.random(len(rows))
    order = rows[np.lexsort((key, strata[rows]))]
    labels, starts, sizes = np.unique(strata[order], return_index=True, return_counts=True)
    return _Groups(order, labels, starts, sizes)


def _first(groups: _Groups, quotas: np.ndarray) -> np.ndarray:
    """The first ``quotas[i]`` entries of each stratum's run (a random choice within it)."""
    take = quotas > 0
    starts, counts = groups.starts[take], quotas[take]
    offsets = np.arange(counts.sum()) - np.repeat(np.cumsum(counts) - counts, counts)
    return groups.order[np.repeat(starts, counts) + offsets]


def _uses(uses: np.ndarray | None, n: int) -> np.ndarray:
    return np.zeros(n, dtype=np.int64) if uses is None else np.asarray(uses, dtype=np.int64)


def select_random(count: int, n: int, uses: np.ndarray | None = None, seed: int | None = 0) -> np.ndarray:
    """The baseline: a uniform draw among the least-used candidates."""
    rng = _rng(seed)
    u = _uses(uses, count)
    order = np.lexsort((rng.random(count), u))
    return np.sort(order[: min(n, count)])


def select_stratified(
    strata: np.ndarray, n: int, uses: np.ndarray | None = None, allocation: str = "sqrt", seed: int | None = 0
) -> np.ndarray:
    """A quota per stratum (``allocate``), filled with a random choice of its least-used members."""
    strata = np.asarray(strata)
    n = int(min(n, len(strata)))
    forced, eligible = usage_tiers(_uses(uses, len(strata)), n)
    groups = _group(eligible, strata, _rng(seed))
    quotas = allocate(groups.sizes, n - len(forced), allocation, seed)
    return np.sort(np.concatenate([forced, _first(groups, quotas)]))


class _Stratum:
    """Greedy farthest-point state of one stratum: a pool of its eligible members and each one's
    largest cosine to the points chosen in the stratum so far (farthest = smallest)."""

    def __init__(self, members: np.ndarray, chosen: np.ndarray, vectors: VectorRows, pool_size: int) -> None:
        self.members = members  # shuffled
        self.vectors = vectors
        self.pool_size = max(1, pool_size)
        self.cursor = 0
        self.chosen: list[int] = [int(c) for c in chosen]
        self._refill()

    def _refill(self) -> None:
        """Next pool: up to pool_size members not drawn yet."""
        stop = min(len(self.members), self.cursor + self.pool_size)
        self.pool = self.members[self.cursor : stop]
        self.cursor = stop
        if len(self.pool) == 0:
            self.best = np.zeros(0, dtype=np.float32)
            return
        self.matrix = np.ascontiguousarray(self.vectors[self.pool], dtype=np.float32)
        if self.chosen:
            self.best = (self.matrix @ np.asarray(self.vectors[self.chosen], dtype=np.float32).T).max(axis=1)
        else:
            # Nothing chosen here yet: start from the member nearest the pool's mean (the best
            # single representative, which matters when a stratum gets only one slot).
            self.best = np.full(len(self.pool), -1.0, dtype=np.float32)  # the lowest cosine there is
            self.best[int(np.argmax(self.matrix @ self.matrix.mean(axis=0)))] = -np.inf

    def gap(self) -> float:
        """Distance from the farthest remaining pool member to the points chosen here (4 before
        the first pick, -1 when the stratum is spent)."""
        if len(self.pool) == 0:
            return -1.0
        low = float(self.best.min())
        if low == np.inf:
            return -1.0
        return 4.0 if low == -np.inf else float(np.sqrt(max(0.0, 2.0 - 2.0 * low)))

    def take(self) -> int:
        row = int(np.argmin(self.best))
        pick = int(self.pool[row])
        self.chosen.append(pick)
        np.maximum(self.best, self.matrix @ self.matrix[row], out=self.best)
        self.best[row] = np.inf
        if self.best.min() == np.inf:  # pool spent: draw the next members
            self._refill()
        return pick


def select_kcenter(
    vectors: VectorRows,
    strata: np.ndarray,
    n: int,
    uses: np.ndarray | None = None,
    allocation: str = "sqrt",
    seed: int | None = 0,
    pool_factor: int = 32,
    floor_share: float = 0.5,
) -> np.ndarray:
    """Greedy farthest-point (k-center) in embedding space, within per-stratum quotas.

    ``vectors`` must be L2-normalised float32. First every stratum fills a floor quota
    (``allocate`` of ``floor_share`` × n, so each stratum with eligible members gets at least
    one slot when n allows) by farthest-point within it; then each further slot goes to the
    stratum whose farthest member is farthest from the points the batch holds there (Gonzalez's
    greedy, distances measured within strata, so a pick costs one pass over one stratum's pool).
    Pools are random draws of at most ``pool_factor`` × the stratum's quota, refilled when spent.
    """
    import heapq

    strata = np.asarray(strata)
    n = int(min(n, len(strata)))
    forced, eligible = usage_tiers(_uses(uses, len(strata)), n)
    groups = _group(eligible, strata, _rng(seed))
    slots = n - len(forced)
    guide = allocate(groups.sizes, slots, allocation, seed)
    floor = allocate(groups.sizes, max(min(slots, len(groups.sizes)), int(slots * floor_share)), allocation, seed)
    forced_by = {int(label): forced[strata[forced] == label] for label in np.unique(strata[forced])}
    empty = np.zeros(0, dtype=np.int64)
    states = [
        _Stratum(
            groups.order[start : start + size], forced_by.get(int(label), empty), vectors, pool_factor * max(1, int(q))
        )
        for label, start, size, q in zip(groups.labels, groups.starts, groups.sizes, guide, strict=True)
    ]
    picked: list[int] = [int(f) for f in forced]
    for state, quota in zip(states, floor, strict=True):
        for _ in range(int(quota)):
            picked.append(state.take())
    heap = [(-state.gap(), i) for i, state in enumerate(states) if state.gap() >= 0]
    heapq.heapify(heap)
    while len(picked) < n and heap:
        _, i = heapq.heappop(heap)
        picked.append(states[i].take())
        gap = states[i].gap()
        if gap >= 0:
            heapq.heappush(heap, (-gap, i))
    return np.sort(np.asarray(picked, dtype=np.int64))


def select_graph(
    communities: np.ndarray, hops: np.ndarray, n: int, uses: np.ndarray | None = None, seed: int | None = 0
) -> np.ndarray:
    """Spread over the graph: quotas (square root of size) over (community, hop) pairs."""
    communities = np.asarray(communities, dtype=np.int64)
    hops = np.asarray(hops, dtype=np.int64)
    # One integer per (community, hop) pair; np.unique keeps it compact.
    _, strata = np.unique(np.stack([communities, hops], axis=1), axis=0, return_inverse=True)
    return select_stratified(strata.ravel(), n, uses, "sqrt", seed)


def select_groups(
    edges: np.ndarray,
    n: int,
    communities: np.ndarray | None = None,
    uses: np.ndarray | None = None,
    seed: int | None = 0,
) -> np.ndarray:
    """``n`` related pairs (rows of ``edges``, candidate indices) spread over communities.

    Pairs are taken in order of their two personas' summed ``uses`` (least used first); within
    one level, round-robin over the communities of their first persona, in random order. A
    persona joins at most one pair of the batch while pairs without repeats remain. Returns the
    chosen rows of ``edges`` (shape n×2).
    """
    edges = np.asarray(edges, dtype=np.int64).reshape(-1, 2)
    if len(edges) == 0 or n <= 0:
        return np.zeros((0, 2), dtype=np.int64)
    count = int(edges.max()) + 1
    u = _uses(uses, count)
    comm = np.zeros(count, dtype=np.int64) if communities is None else np.asarray(communities, dtype=np.int64)
    rng = _rng(seed)
    level = u[edges[:, 0]] + u[edges[:, 1]]
    stratum = comm[edges[:, 0]]
    # Rank of each pair within its (level, community) run, in random order: the round-robin turn.
    shuffled = np.lexsort((rng.random(len(edges)), stratum, level))
    run_key = np.stack([level[shuffled], stratum[shuffled]], axis=1)
    new_run = np.ones(len(edges), dtype=bool)
    new_run[1:] = (run_key[1:] != run_key[:-1]).any(axis=1)
    run_start = np.maximum.accumulate(np.where(new_run, np.arange(len(edges)), 0))
    turn = np.empty(len(edges), dtype=np.int64)
    turn[shuffled] = np.arange(len(edges)) - run_start
    community_order = rng.permutation(int(stratum.max()) + 2)[stratum + 1]
    order = np.lexsort((community_order, turn, level))
    chosen: list[int] = []
    taken: set[int] = set()
    seen: set[int] = set()
    for allow_repeat in (False, True):
        for row in order.tolist():
            if len(chosen) >= n:
                break
            a, b = int(edges[row, 0]), int(edges[row, 1])
            if row in taken or (not allow_repeat and (a in seen or b in seen)):
                continue
            chosen.append(row)
            taken.add(row)
            seen.update((a, b))
    return edges[np.array(sorted(chosen), dtype=np.int64)]


def select(
    strategy: str,
    n: int,
    *,
    count: int,
    strata: np.ndarray | None = None,
    vectors: VectorRows | None = None,
    uses: np.ndarray | None = None,
    communities: np.ndarray | None = None,
    hops: np.ndarray | None = None,
    allocation: str = "sqrt",
    seed: int | None = 0,
) -> np.ndarray:
    """Dispatch by strategy name; ``count`` is the number of candidates."""
    if strategy == "random":
        return select_random(count, n, uses, seed)
    if strategy == "stratified":
        return select_stratified(_need(strata, "strata (clusters)"), n, uses, allocation, seed)
    if strategy == "kcenter":
        if vectors is None:
            raise ConfigError("this strategy needs embeddings", hint="run `personagraph cluster` first")
        return select_kcenter(vectors, _need(strata, "strata (clusters)"), n, uses, allocation, seed)
    if strategy == "graph":
        return select_graph(_need(communities, "communities"), _need(hops, "hops"), n, uses, seed)
    raise ConfigError(f"unknown strategy {strategy!r}", hint=f"choose one of {', '.join(STRATEGIES)}")


def _need(value: np.ndarray | None, what: str) -> np.ndarray:
    if value is None:
        raise ConfigError(f"this strategy needs {what}", hint="run `personagraph cluster` first")
    return value
