"""Louvain communities of the relation graph at scale: networkit's PLM instead of networkx.

networkx's Louvain is pure Python: on the 1M-persona / 3M-relation graph of ``benchmarks/scale.py``
it is minutes and gigabytes of Python objects. networkit (MIT, C++ with wheels on PyPI) runs the same
method, PLM, on a compact adjacency array; ``docs/scaling.md`` has the two side by side with the
modularity each reached. python-igraph's ``community_multilevel`` would do the job as well, but
it is GPL-2.0 and this package is Apache-2.0.

``louvain_communities`` keeps the API and the numbering of ``sampling.clustering.louvain_communities``:
a community per persona id, -1 for a persona without relations, communities numbered by decreasing
size (ties: the one holding the smallest id first). It is deterministic for a seed: PLM runs on one
thread, visiting the nodes in an order shuffled by networkit's generator seeded with ``seed``
(PLM's parallel moves would make the result depend on thread timing).
"""

from __future__ import annotations

from array import array
from collections.abc import Iterable, Sequence

import numpy as np

# PLM's passes over the nodes per level (networkit's default is 32). On a random graph of 3 edges a
# node (the scale benchmark's, no community structure: the slow case) 8 passes took 11.5 s of CPU at
# 300k nodes against 31.7 s for 32, modularity 0.4036 against 0.4045; at 1M 49.7 s against 162.5 s,
# 0.4084 against 0.4083 (docs/scaling.md). Graphs with communities converge in fewer passes.
PLM_MAX_ITER = 8


def _edge_arrays(index: dict[str, int], edges: Iterable[tuple[str, str]]) -> tuple[np.ndarray, np.ndarray]:
    """The undirected simple graph's edges as two int arrays (u < v), without self-loops, parallel
    edges or edges to unknown ids (networkx's ``Graph`` folds the same way)."""
    # 8 bytes an end (a list of ints would hold a 28-byte object for each: ~1.7 GB more at 30M edges)
    sources, targets = array("q"), array("q")
    add_source, add_target = sources.append, targets.append
    for a, b in edges:
        u, v = index.get(a), index.get(b)
        if u is None or v is None:
            continue
        add_source(u)
        add_target(v)
    src = np.frombuffer(sources, dtype=np.int64) if sources else np.zeros(0, dtype=np.int64)
    dst = np.frombuffer(targets, dtype=np.int64) if targets else np.zeros(0, dtype=np.int64)
    return simple_edges(src, dst, len(index))


def simple_edges(src: np.ndarray, dst: np.ndarray, node_count: int) -> tuple[np.ndarray, np.ndarray]:
    """Node-index edge arrays folded into the undirected simple graph: u < v, each pair once, no self-loops."""
    keep = src != dst
    low, high = np.minimum(src[keep], dst[keep]), np.maximum(src[keep], dst[keep])
    keys = np.unique(low * node_count + high)  # one key per unordered pair, sorted
    return keys // node_count, keys % node_count


def community_labels(node_count: int, src: np.ndarray, dst: np.ndarray, seed: int, resolution: float) -> np.ndarray:
    """PLM community of each node 0..node_count-1 on the undirected simple graph given by ``src``/``dst``."""
    import networkit as nk

    graph = nk.Graph(node_count, weighted=False, directed=False)
    if len(src):
        graph.addEdges((src.astype(np.uint64), dst.astype(np.uint64)))
    threads = nk.engineering.getMaxNumberOfThreads()
    nk.engineering.setNumberOfThreads(1)
    try:
        nk.engineering.setSeed(int(seed) % 2**63, False)
        plm = nk.community.PLM(graph, refine=True, gamma=float(resolution), par="none randomized", maxIter=PLM_MAX_ITER)
        plm.run()
        labels = np.asarray(plm.getPartition().getVector(), dtype=np.int64)
    finally:
        nk.engineering.setNumberOfThreads(threads)
    return labels


def numbered_communities(
    node_count: int, src: np.ndarray, dst: np.ndarray, id_rank: np.ndarray, seed: int = 0, resolution: float = 1.0
) -> np.ndarray:
    """Community of each node 0..node_count-1 (an int array), -1 for a node without edges, on the
    simple graph ``src``/``dst`` (``simple_edges``); communities numbered by decreasing size, ties
    to the one holding the node of lowest ``id_rank`` (the rank of its id in sorted order)."""
    result = np.full(node_count, -1, dtype=np.int64)
    if not len(src):
        return result
    labels = community_labels(node_count, src, dst, seed, resolution)
    degree = np.bincount(src, minlength=node_count) + np.bincount(dst, minlength=node_count)
    related = np.flatnonzero(degree > 0)
    del degree
    parts, members = np.unique(labels[related], return_inverse=True)
    sizes = np.bincount(members, minlength=len(parts))
    # Ties of size go to the community holding the smallest id, as networkx's ordering does.
    smallest = np.full(len(parts), node_count, dtype=np.int64)
    np.minimum.at(smallest, members, id_rank[related])
    order = np.lexsort((smallest, -sizes))
    number = np.empty(len(parts), dtype=np.int64)
    number[order] = np.arange(len(parts))
    result[related] = number[members]
    return result


def louvain_communities(
    nodes: Sequence[str], edges: Iterable[tuple[str, str]], seed: int = 0, resolution: float = 1.0
) -> dict[str, int]:
    """Community per persona id (Louvain on the undirected relation graph, seeded), -1 without relations.

    The same contract as ``sampling.clustering.louvain_communities`` (networkx), on networkit's PLM.
    """
    index: dict[str, int] = {}
    for node in nodes:
        index.setdefault(node, len(index))
    src, dst = _edge_arrays(index, edges)
    ids = list(index)
    id_rank = np.empty(len(ids), dtype=np.int64)
    id_rank[np.argsort(np.asarray(ids, dtype=str), kind="stable")] = np.arange(len(ids))
    labels = numbered_communities(len(ids), src, dst, id_rank, seed, resolution)
    return dict(zip(ids, labels.tolist(), strict=True))


def modularity(nodes: Sequence[str], edges: Iterable[tuple[str, str]], communities: dict[str, int]) -> float:
    """Newman modularity of ``communities`` (ids with -1 left out) on the undirected simple graph."""
    index = {node: i for i, node in enumerate(dict.fromkeys(nodes))}
    src, dst = _edge_arrays(index, edges)
    if not len(src):
        return 0.0
    label = np.array([communities.get(node, -1) for node in index], dtype=np.int64)
    m = len(src)
    inside = np.count_nonzero(label[src] == label[dst])
    degree = np.bincount(src, minlength=len(index)) + np.bincount(dst, minlength=len(index))
    related = degree > 0
    per_community = np.bincount(label[related] - label[related].min(), weights=degree[related])
    return float(inside / m - np.sum((per_community / (2 * m)) ** 2))
