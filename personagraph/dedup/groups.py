"""Duplicate groups from similar pairs, with a deterministic canonical member.

``components`` joins pairs transitively (connected components, scipy's csgraph): right for high thresholds, where a chain
A~B~C still means near-copies. ``leaders`` never chains: members are taken in canonical order
and each one not yet placed leads a group of its unplaced neighbours, so every member is within
the threshold of its canonical; use it for low thresholds (carving a diverse subset at 0.5).

The canonical member of a group is the one with the lowest rank: callers rank by (hop,
created_at, id), so the persona closest to the seed texts, then the oldest, then the smallest id
survives.

Pure code on arrays: no store imports.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

LINKAGES = ("components", "leaders")


def canonical_rank(hops: Sequence[Any], created: Sequence[Any], ids: Sequence[str]) -> np.ndarray:
    """Rank of each item when sorted by (hop, created_at, id); missing hop or time sort last."""
    big_hop = 1 << 30
    keys = [
        (int(h) if h is not None and h == h else big_hop, c if isinstance(c, str) else "\uffff", str(i))  # h != h: NaN
        for h, c, i in zip(hops, created, ids, strict=True)
    ]
    order = sorted(range(len(keys)), key=keys.__getitem__)
    rank = np.empty(len(keys), dtype=np.int64)
    rank[np.asarray(order, dtype=np.int64)] = np.arange(len(keys), dtype=np.int64)
    return rank


def component_labels(n: int, pairs: np.ndarray) -> np.ndarray:
    """Connected-component label of each of n items joined by ``pairs`` (scipy's csgraph)."""
    from scipy.sparse import coo_matrix
    from scipy.sparse.csgraph import connected_components

    graph = coo_matrix((np.ones(len(pairs), dtype=np.int8), (pairs[:, 0], pairs[:, 1])), shape=(n, n))
    _, labels = connected_components(graph, directed=False)
    return np.asarray(labels, dtype=np.int64)


@dataclass
class Groups:
    """Duplicate groups over items 0..n-1: ``canonical[k]`` keeps, ``members[k]`` (excluding it) merge into it."""

    canonical: list[int]
    members: list[list[int]]

    def __len__(self) -> int:
        return len(self.canonical)

    @property
    def merged(self) -> int:
        return sum(len(m) for m in self.members)

    def mapping(self) -> dict[int, int]:
        """Duplicate item → its canonical item."""
        return {d: c for c, ms in zip(self.canonical, self.members, strict=True) for d in ms}


def components(n: int, pairs: np.ndarray, rank: np.ndarray) -> Groups:
    """Connected components of size ≥ 2; the lowest-ranked member of each is canonical."""
    if not len(pairs):
        return Groups([], [])
    involved = np.unique(pairs)
    local = np.searchsorted(involved, pairs)
    labels = component_labels(len(involved), local)
    by_label: dict[int, list[int]] = {}
    for item, label in zip(involved.tolist(), labels.tolist(), strict=True):
        by_label.setdefault(label, []).append(item)
    # Only items in some pair are labelled, so every component has 2 or more members.
    return _ordered(list(by_label.values()), rank)


def leaders(n: int, pairs: np.ndarray, rank: np.ndarray) -> Groups:
    """Star groups: in rank order, each unplaced item takes its unplaced neighbours."""
    if not len(pairs):
        return Groups([], [])
    neighbours: dict[int, list[int]] = {}
    for a, b in pairs.tolist():
        neighbours.setdefault(a, []).append(b)
        neighbours.setdefault(b, []).append(a)
    placed: set[int] = set()
    groups = []
    for item in sorted(neighbours, key=lambda i: rank[i]):
        if item in placed:
            continue
        followers = [x for x in neighbours[item] if x not in placed]
        if followers:
            placed.add(item)
            placed.update(followers)
            groups.append([item, *followers])
    return _ordered(groups, rank)


def _ordered(groups: list[list[int]], rank: np.ndarray) -> Groups:
    canon, members = [], []
    for group in groups:
        ordered = sorted(set(group), key=lambda i: rank[i])
        canon.append(ordered[0])
        members.append(ordered[1:])
    order = sorted(range(len(canon)), key=lambda k: rank[canon[k]])
    return Groups([canon[k] for k in order], [members[k] for k in order])


def group(n: int, pairs: np.ndarray, rank: np.ndarray, linkage: str = "components") -> Groups:
    """Groups of items joined by ``pairs`` with ``linkage`` (components or leaders)."""
    if linkage == "components":
        return components(n, pairs, rank)
    if linkage == "leaders":
        return leaders(n, pairs, rank)
    raise ValueError(f"unknown linkage {linkage!r}; choose one of {', '.join(LINKAGES)}")
