"""Pairs of unit vectors with cosine ≥ a threshold: blocked matrix products, by cells at scale.

- ``exact``: blocked matrix products over the upper triangle; n², fine up to a few tens of
  thousands of vectors.
- ``cells`` (default at scale): the inverted-file idea with matrix products. Vectors are
  clustered (two-level faiss spherical k-means, ~128 vectors a cell: ``cells.py``, nprobe 16); each
  vector lives in its nearest cell and probes its ``nprobe`` nearest cells; for every cell, one
  matrix product of the vectors probing it against the vectors living in it. A pair is found when
  either one probes the other's cell. The
  same work as an IVF range search, but as BLAS products instead of one-vector-at-a-time scans:
  measured ~3× faster than faiss ``IndexIVFFlat.range_search`` at higher recall (benchmarks/dedup.py).
- ``ivf``: faiss ``IndexIVFFlat`` range search from every vector, hits re-scored exactly.

Only recall depends on the method (every pair is scored with the float32 vectors); the tests and
the benchmark measure it against brute force. Pure code on arrays: no store imports; faiss is
imported lazily.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np

from personagraph.dedup.lsh import PairSet, unique_pairs

BRUTE_FORCE_MAX = 20_000
DEFAULT_NPROBE = 16  # faiss IVF
# Two-level cells on the scale corpus at 300k: 12 probes, pair recall 0.9958 (82 s CPU); 20: 0.9992 (108 s).
CELL_PROBES = 16
MAX_NEIGHBOURS = 1000  # per persona, the closest kept (bounds memory when a low threshold finds many)
Progress = Callable[[int], None]


def _empty() -> PairSet:
    return PairSet(np.zeros((0, 2), dtype=np.int64), np.zeros(0, dtype=np.float32), 0)


def _cap_neighbours(pairs: np.ndarray, sims: np.ndarray, limit: int) -> tuple[np.ndarray, np.ndarray]:
    """Keep, for each left member, its ``limit`` most similar partners."""
    if not len(pairs):
        return pairs, sims
    order = np.lexsort((-sims, pairs[:, 0]))
    pairs, sims = pairs[order], sims[order]
    first = np.concatenate([[True], pairs[1:, 0] != pairs[:-1, 0]])
    start = np.maximum.accumulate(np.where(first, np.arange(len(pairs)), 0))
    keep = (np.arange(len(pairs)) - start) < limit
    return pairs[keep], sims[keep]


def brute_force_pairs(
    vectors: np.ndarray,
    threshold: float,
    block: int = 2048,
    max_neighbours: int = MAX_NEIGHBOURS,
    progress: Progress | None = None,
) -> PairSet:
    """Every pair (i < j) with cosine ≥ threshold, by blocked products of the upper triangle."""
    vectors = np.ascontiguousarray(vectors, dtype=np.float32)
    n = len(vectors)
    found_pairs, found_sims = [], []
    for start in range(0, n, block):
        rows = vectors[start : start + block]
        sims = rows @ vectors[start:].T
        # Only j > i: mask the block's lower triangle and diagonal.
        sims[np.tril_indices(len(rows), 0, sims.shape[1])] = -np.inf
        i, j = np.nonzero(sims >= threshold)
        if len(i):
            found_pairs.append(np.stack([i + start, j + start], axis=1).astype(np.int64))
            found_sims.append(sims[i, j])
        if progress:
            progress(len(rows))
    if not found_pairs:
        return _empty()
    pairs, sims_all = np.concatenate(found_pairs), np.concatenate(found_sims)
    pairs, sims_all = _cap_neighbours(pairs, sims_all, max_neighbours)
    order = np.lexsort((pairs[:, 1], pairs[:, 0]))
    return PairSet(pairs[order], sims_all[order], len(pairs))


def ivf_params(n: int) -> tuple[int, int]:
    """(nlist, training sample size) for n vectors: ~4·√n cells, ~40 training points per cell."""
    nlist = int(max(1, min(65536, 4 * np.sqrt(n), n // 40)))
    return nlist, min(n, 40 * nlist)


def build_ivf(vectors: np.ndarray, nlist: int | None = None, seed: int = 0) -> Any:
    """A trained faiss IndexIVFFlat (inner product) holding ``vectors``."""
    import faiss

    n, dim = vectors.shape
    cells, train_size = ivf_params(n)
    nlist = nlist or cells
    quantizer = faiss.IndexFlatIP(dim)
    index = faiss.IndexIVFFlat(quantizer, dim, nlist, faiss.METRIC_INNER_PRODUCT)
    rng = np.random.default_rng(seed)
    sample = vectors[np.sort(rng.choice(n, size=train_size, replace=False))] if train_size < n else vectors
    index.cp.seed = seed
    index.cp.niter = 10
    index.cp.min_points_per_centroid = 1  # a smaller training sample is fine here; no warning
    index.train(np.ascontiguousarray(sample, dtype=np.float32))
    for start in range(0, n, 100_000):
        index.add(np.ascontiguousarray(vectors[start : start + 100_000], dtype=np.float32))
    return index


def ivf_pairs(
    vectors: np.ndarray,
    threshold: float,
    nprobe: int = DEFAULT_NPROBE,
    margin: float = 0.02,
    max_neighbours: int = MAX_NEIGHBOURS,
    index: Any = None,
    chunk: int = 20_000,
    progress: Progress | None = None,
) -> PairSet:
    """Pairs with cosine ≥ threshold via an IVF range search (radius threshold − margin), re-scored exactly."""
    vectors = np.ascontiguousarray(vectors, dtype=np.float32)
    n = len(vectors)
    if n < 2:
        return _empty()
    index = index if index is not None else build_ivf(vectors)
    index.nprobe = nprobe
    found_pairs, found_sims, looked = [], [], 0
    for start in range(0, n, chunk):
        queries = vectors[start : start + chunk]
        lims, _, ids = index.range_search(queries, float(threshold - margin))
        query = np.repeat(np.arange(start, start + len(queries), dtype=np.int64), np.diff(lims).astype(np.int64))
        hit = ids.astype(np.int64)
        keep = hit != query  # a pair may be found from either side: both count, deduplicated below
        left, right = np.minimum(query, hit)[keep], np.maximum(query, hit)[keep]
        looked += len(left)
        sims = np.einsum("ij,ij->i", vectors[left], vectors[right])
        ok = sims >= threshold
        if ok.any():
            found_pairs.append(np.stack([left[ok], right[ok]], axis=1))
            found_sims.append(sims[ok])
        if progress:
            progress(len(queries))
    if not found_pairs:
        return PairSet(np.zeros((0, 2), dtype=np.int64), np.zeros(0, dtype=np.float32), looked)
    pairs, sims_all = _dedupe(np.concatenate(found_pairs), np.concatenate(found_sims))
    pairs, sims_all = _cap_neighbours(pairs, sims_all, max_neighbours)
    order = np.lexsort((pairs[:, 1], pairs[:, 0]))
    return PairSet(pairs[order], sims_all[order], looked)


def _dedupe(pairs: np.ndarray, sims: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Distinct (i, j) rows (non-negative indexes), each with the similarity of its first
    occurrence, in (i, j) order. Each pair is one int64 key ``i·n + j``: ``np.unique(axis=0)`` on the
    rows sorted a structured copy, several times the pairs' memory (the 10M dedup peaked there)."""
    if not len(pairs):
        return pairs, sims
    n = int(pairs.max()) + 1
    if n > _KEY_LIMIT or int(pairs.min()) < 0:  # the key would overflow or collide: rows as rows
        _, first = np.unique(pairs, axis=0, return_index=True)
    else:
        _, first = np.unique(pairs[:, 0].astype(np.int64) * n + pairs[:, 1], return_index=True)
    return pairs[first], sims[first]


_KEY_LIMIT = 3_037_000_499  # n with n² below 2**63


def cell_pairs(
    vectors: np.ndarray,
    threshold: float,
    nprobe: int = CELL_PROBES,
    max_neighbours: int = MAX_NEIGHBOURS,
    seed: int = 0,
    progress: Progress | None = None,
    shape: tuple[int, int] | None = None,
) -> PairSet:
    """Pairs with cosine ≥ threshold, cell by cell with matrix products (see the module docstring);
    ``shape``: the cells' (coarse cells, fine cells in all) instead of ``cells.layout(n)``."""
    from personagraph.dedup import cells as two_level

    vectors = np.ascontiguousarray(vectors, dtype=np.float32)
    n = len(vectors)
    if n < 2:
        return _empty()
    rng = np.random.default_rng(seed)
    sample = vectors[np.sort(rng.choice(n, size=two_level.train_size(n, shape), replace=False))]
    cells = two_level.train(sample, n, seed, shape)
    nlist = cells.count
    probes = two_level.probes(vectors, cells, nprobe)
    nprobe = probes.shape[1]
    home = probes[:, 0]
    members = np.argsort(home, kind="stable")
    member_start = np.searchsorted(home[members], np.arange(nlist + 1))
    flat = probes.ravel()
    visits = np.argsort(flat, kind="stable")
    visit_start = np.searchsorted(flat[visits], np.arange(nlist + 1))
    visitor = (visits // nprobe).astype(np.int64)
    found_pairs, found_sims = [], []
    for cell in range(nlist):
        residents = members[member_start[cell] : member_start[cell + 1]]
        if not len(residents):
            continue
        probing = visitor[visit_start[cell] : visit_start[cell + 1]]
        sims = vectors[probing] @ vectors[residents].T
        i, j = np.nonzero(sims >= threshold)
        if len(i):
            a, b = probing[i], residents[j]
            keep = a != b
            found_pairs.append(np.stack([np.minimum(a, b)[keep], np.maximum(a, b)[keep]], axis=1))
            found_sims.append(sims[i, j][keep])
        if progress:
            progress(len(residents))
    if not found_pairs:
        return _empty()
    pairs, sims_all = _dedupe(np.concatenate(found_pairs), np.concatenate(found_sims))
    pairs, sims_all = _cap_neighbours(pairs, sims_all, max_neighbours)
    order = np.lexsort((pairs[:, 1], pairs[:, 0]))
    return PairSet(pairs[order], sims_all[order], int(sum(len(p) for p in found_pairs)))


def cosine_pairs(
    vectors: np.ndarray,
    threshold: float = 0.9,
    method: str = "auto",
    nprobe: int = DEFAULT_NPROBE,
    max_neighbours: int = MAX_NEIGHBOURS,
    progress: Progress | None = None,
) -> PairSet:
    """Pairs (i < j) of rows with cosine ≥ threshold; ``method``: auto (exact when small, else cells), exact, cells, ivf."""
    if method not in {"auto", "exact", "cells", "ivf"}:
        raise ValueError(f"unknown similarity search method {method!r}")
    if method == "exact" or (method == "auto" and len(vectors) <= BRUTE_FORCE_MAX):
        return brute_force_pairs(vectors, threshold, max_neighbours=max_neighbours, progress=progress)
    if method == "ivf":
        return ivf_pairs(vectors, threshold, nprobe=nprobe, max_neighbours=max_neighbours, progress=progress)
    return cell_pairs(vectors, threshold, max_neighbours=max_neighbours, progress=progress)


class VectorIndex:
    """Vectors added over time, searched for close neighbours (insert-time dedup).

    Exact (``IndexFlatIP``) while small; rebuilt as an IVF index once it passes ``ivf_from``
    vectors, after which new vectors are added to the trained index without retraining.
    """

    def __init__(self, dim: int, ivf_from: int = 200_000, nprobe: int = DEFAULT_NPROBE) -> None:
        import faiss

        self.dim = dim
        self.ivf_from = ivf_from
        self.nprobe = nprobe
        self._index: Any = faiss.IndexFlatIP(dim)
        self._ivf = False

    def __len__(self) -> int:
        return int(self._index.ntotal)

    def add(self, vectors: np.ndarray) -> None:
        vectors = np.ascontiguousarray(vectors, dtype=np.float32)
        if not len(vectors):
            return
        if not self._ivf and len(self) + len(vectors) >= self.ivf_from:
            held = self._index.reconstruct_n(0, len(self)) if len(self) else np.zeros((0, self.dim), np.float32)
            self._index = build_ivf(np.concatenate([held, vectors]))
            self._index.nprobe = self.nprobe
            self._ivf = True
            return
        self._index.add(vectors)

    def search(self, queries: np.ndarray, threshold: float, k: int = 8) -> tuple[np.ndarray, np.ndarray]:
        """For each query, the best neighbour's position and cosine (−1 and −inf where none reaches threshold)."""
        queries = np.ascontiguousarray(queries, dtype=np.float32)
        best = np.full(len(queries), -1, dtype=np.int64)
        score = np.full(len(queries), -np.inf, dtype=np.float32)
        if not len(self) or not len(queries):
            return best, score
        sims, ids = self._index.search(queries, min(k, len(self)))
        hit = (ids[:, 0] >= 0) & (sims[:, 0] >= threshold)
        best[hit], score[hit] = ids[hit, 0], sims[hit, 0]
        return best, score


__all__ = [
    "BRUTE_FORCE_MAX",
    "VectorIndex",
    "brute_force_pairs",
    "build_ivf",
    "cell_pairs",
    "cosine_pairs",
    "ivf_pairs",
    "unique_pairs",
]
