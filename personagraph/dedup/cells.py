"""Cells of the similarity search: two-level centroids, so the work per vector does not grow with n.

The cell search (``ann.cell_pairs``, ``sharded.cell_group_pairs``) compares every vector with the
residents of the ``nprobe`` cells nearest to it. With one flat set of centroids the cost per vector
is ``cells + nprobe · n / cells`` dot products, least at √(nprobe·n) cells: O(n^1.5) in all (589 s
of a 1,163 s dedup at 1M personas; ~x31 that at 10M). Here the cells hold ~``CELL_SIZE`` vectors
each (n / ``CELL_SIZE`` of them), found in two steps: ``coarse`` centroids (~2·√cells), then
``fine`` ones trained within each coarse cell, as many as its share of the data; a vector is
compared with the fine centroids of its ``COARSE_PROBES`` nearest coarse cells only. The work per
vector is ~``nprobe · CELL_SIZE`` products (times the skew of real cells) plus ~``(1 + COARSE_PROBES)
· √cells`` centroid scores: close to linear in n (``benchmarks/cells.py`` prints both layouts).

A near-duplicate whose cell lies outside the coarse cells looked at is found from its partner's
side, or not at all: the recall against brute force is measured by the tests and the benchmark
(pairs are scored with the exact vectors, so there are no false ones). Pure code on arrays; faiss
is imported lazily.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

CELL_SIZE = 128  # residents per cell, on average: the width of each product
# Coarse cells whose fine centroids a vector is compared with (pair recall on the unit tests' world:
# 3: 0.968, 5: 0.995, 8: 0.999).
COARSE_PROBES = 8
TRAIN_PER_CELL = 10  # training points per fine cell
CHUNK = 65_536  # vectors placed at once at most


@dataclass(frozen=True)
class Cells:
    """``coarse`` (k1, d) and ``fine`` (cells, d) centroids; the fine cells of coarse cell ``c`` are
    ``offsets[c]`` .. ``offsets[c + 1] - 1`` (as many as its share of the training sample asks)."""

    coarse: np.ndarray
    fine: np.ndarray
    offsets: np.ndarray

    @property
    def count(self) -> int:
        return len(self.fine)


def layout(n: int) -> tuple[int, int]:
    """(coarse cells, fine cells) for n vectors: ~n / CELL_SIZE fine cells, ~2·√ of that coarse ones."""
    cells = max(1, n // CELL_SIZE)
    return max(1, min(cells, round(2 * math.sqrt(cells)))), cells


def train_size(n: int, shape: tuple[int, int] | None = None) -> int:
    """Training points for n vectors."""
    return min(n, TRAIN_PER_CELL * (shape or layout(n))[1])


def _kmeans(points: np.ndarray, k: int, seed: int) -> np.ndarray:
    """k spherical centroids of ``points`` (faiss); fewer points than k: the points, then repeats."""
    if len(points) <= k:
        picks = np.resize(np.arange(max(1, len(points))), k)
        return np.ascontiguousarray(points[picks], dtype=np.float32)
    import faiss

    kmeans = faiss.Kmeans(
        points.shape[1], k, niter=10, spherical=True, seed=seed, min_points_per_centroid=1, verbose=False
    )
    kmeans.train(np.ascontiguousarray(points, dtype=np.float32))
    return np.asarray(kmeans.centroids, dtype=np.float32)


def train(sample: np.ndarray, n: int, seed: int = 0, shape: tuple[int, int] | None = None) -> Cells:
    """Two-level centroids for n vectors, from a ``sample`` of them (``train_size(n)`` rows, seeded).

    Each coarse cell gets fine cells in proportion to its share of the sample, so fine cells hold
    ~``CELL_SIZE`` vectors however unevenly the coarse ones split the data (with as many fine cells
    for each, the largest held 11x the mean on the static embeddings of the scale corpus).
    ``shape`` (k1, cells) overrides ``layout(n)``; (1, √(12·n)) is the flat layout this replaced
    (the baseline of ``benchmarks/cells.py``)."""
    sample = np.ascontiguousarray(sample, dtype=np.float32)
    k1, cells = shape or layout(n)
    coarse = _kmeans(sample, k1, seed)
    home = nearest(sample, coarse, 1)[:, 0]
    members = np.bincount(home, minlength=k1)
    share = np.maximum(1, np.round(cells * members / max(1, len(sample)))).astype(np.int64)
    offsets = np.concatenate([[0], np.cumsum(share)])
    fine = np.empty((int(offsets[-1]), sample.shape[1]), dtype=np.float32)
    for c in range(k1):
        own = sample[home == c]
        fine[offsets[c] : offsets[c + 1]] = _kmeans(own, int(share[c]), seed + 1 + c) if len(own) else coarse[c]
    return Cells(coarse, fine, offsets)


def nearest(points: np.ndarray, centroids: np.ndarray, k: int) -> np.ndarray:
    """(n, k) int32: each point's k most similar centroids, nearest first (faiss exact search)."""
    import faiss

    index = faiss.IndexFlatIP(centroids.shape[1])
    index.add(np.ascontiguousarray(centroids, dtype=np.float32))
    out = np.empty((len(points), k), dtype=np.int32)
    for start in range(0, len(points), CHUNK):
        _, ids = index.search(np.ascontiguousarray(points[start : start + CHUNK], dtype=np.float32), k)
        out[start : start + len(ids)] = ids
    return out


def probe_count(cells: Cells, nprobe: int) -> int:
    """The probes a vector gets: ``nprobe``, or fewer when there are fewer fine cells."""
    return min(nprobe, cells.count)


def probes(points: np.ndarray, cells: Cells, nprobe: int) -> np.ndarray:
    """(n, nprobe) int32: each point's nprobe most similar fine cells among those of its
    ``COARSE_PROBES`` nearest coarse cells, nearest first (column 0: the cell it lives in; equal
    scores: the lower cell first).

    Coarse cell by coarse cell: everyone of a chunk who has it among their nearest is scored
    against its fine centroids in one product, and each point keeps a running best ``nprobe``.
    (Chunk by chunk with a Python step per coarse cell and slot, the products were a few rows each:
    16 s a shard of 65k vectors at 10M.)
    """
    k1, offsets = len(cells.coarse), cells.offsets
    q = min(COARSE_PROBES, k1)
    nprobe = probe_count(cells, nprobe)
    out = np.empty((len(points), nprobe), dtype=np.int32)
    for start in range(0, len(points), CHUNK):
        chunk = np.ascontiguousarray(points[start : start + CHUNK], dtype=np.float32)
        top = nearest(chunk, cells.coarse, q).ravel()  # a point's q coarse cells are distinct
        order = np.argsort(top, kind="stable")
        bounds = np.searchsorted(top[order], np.arange(k1 + 1))
        best = np.full((len(chunk), nprobe), -np.inf, dtype=np.float32)
        ids = np.full((len(chunk), nprobe), -1, dtype=np.int32)
        for c in np.flatnonzero(np.diff(bounds)).tolist():
            rows = order[bounds[c] : bounds[c + 1]] // q
            lo, hi = int(offsets[c]), int(offsets[c + 1])
            scores = np.concatenate([best[rows], chunk[rows] @ cells.fine[lo:hi].T], axis=1)
            cand = np.concatenate(
                [ids[rows], np.broadcast_to(np.arange(lo, hi, dtype=np.int32), (len(rows), hi - lo))], axis=1
            )
            keep = np.argpartition(-scores, nprobe - 1, axis=1)[:, :nprobe]
            best[rows] = np.take_along_axis(scores, keep, axis=1)
            ids[rows] = np.take_along_axis(cand, keep, axis=1)
        # Nearest first; equal scores by cell number (a cell never found, -1 with -inf, goes last).
        ranked = np.lexsort((np.where(ids < 0, np.iinfo(np.int32).max, ids), -best), axis=1)
        chosen = np.take_along_axis(ids, ranked, axis=1)
        # Fewer real cells than nprobe under a point's coarse cells: the rest repeat its own cell.
        out[start : start + len(chunk)] = np.where(chosen >= 0, chosen, chosen[:, :1])
    return out
