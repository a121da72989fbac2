"""Coverage figures of a batch, on plain arrays: strata covered, covering radius, usage evenness.

Distances are Euclidean between L2-normalised embeddings (``sqrt(2 - 2 cos)``, 0 to 2). The
covering radius of a batch is the largest distance from any candidate to its nearest chosen
persona: the hole the batch leaves. Exact needs candidates × batch dot products; above
``max_exact`` candidates it is estimated on a seeded random subset of them (the estimate can only
be lower than the exact figure), and the report says which.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import numpy as np

if TYPE_CHECKING:
    from typing import TypeAlias

    from personagraph.sampling.vector_rows import DiskRows

    VectorRows: TypeAlias = np.ndarray | DiskRows


@dataclass
class TypeSets:
    """The distinct relation types at each candidate row, as codes into ``names``: row i's codes are
    ``codes[offsets[i]:offsets[i + 1]]``. A list of str per row costs ~100 bytes a row more (1 GB at 10M)."""

    names: list[str]
    offsets: np.ndarray
    codes: np.ndarray

    def __len__(self) -> int:
        return len(self.offsets) - 1

    def __getitem__(self, row: int) -> list[str]:
        return [self.names[c] for c in self.codes[self.offsets[row] : self.offsets[row + 1]].tolist()]

    def codes_of(self, rows: np.ndarray) -> np.ndarray:
        """The codes of every row in ``rows``, concatenated (a row's types counted once each)."""
        rows = np.asarray(rows, dtype=np.int64)
        starts, stops = self.offsets[rows], self.offsets[rows + 1]
        lengths = stops - starts
        positions = np.repeat(starts - np.cumsum(lengths) + lengths, lengths) + np.arange(lengths.sum())
        return self.codes[positions]


PRODUCT_CELLS = 2**26  # cosines computed at once: 256 MB of float32


def nearest_distances(
    vectors: VectorRows, chosen: np.ndarray, rows: np.ndarray | None = None, chunk: int = 4096
) -> np.ndarray:
    """Distance from each candidate (or each of ``rows``) to its nearest chosen persona."""
    centers = np.ascontiguousarray(vectors[chosen], dtype=np.float32)
    rows = np.arange(len(vectors)) if rows is None else rows
    # Fewer rows a block for a large batch: 4,096 rows against 100k chosen were a 1.6 GB product.
    chunk = max(256, min(chunk, PRODUCT_CELLS // max(1, len(centers))))
    out = np.empty(len(rows), dtype=np.float32)
    for start in range(0, len(rows), chunk):
        block = np.asarray(vectors[rows[start : start + chunk]], dtype=np.float32)
        best = (block @ centers.T).max(axis=1)
        out[start : start + chunk] = np.sqrt(np.clip(2.0 - 2.0 * best, 0.0, None))
    return out


def covering_radius(
    vectors: VectorRows,
    chosen: np.ndarray,
    *,
    max_exact: int = 100_000,
    seed: int | None = 0,
    rows: np.ndarray | None = None,
) -> dict[str, Any]:
    """``max`` (the covering radius), ``mean`` and ``p95`` nearest-chosen distance, and how measured."""
    chosen = np.asarray(chosen, dtype=np.int64)
    if len(chosen) == 0 or len(vectors) == 0:
        return {"max": None, "mean": None, "p95": None, "exact": True, "evaluated": 0}
    exact = rows is None and len(vectors) <= max_exact
    if rows is None:
        rows = (
            np.arange(len(vectors))
            if exact
            else np.sort(np.random.default_rng(seed).choice(len(vectors), max_exact, replace=False))
        )
    dist = nearest_distances(vectors, chosen, rows)
    return {
        "max": round(float(dist.max()), 4),
        "mean": round(float(dist.mean()), 4),
        "p95": round(float(np.percentile(dist, 95)), 4),
        "exact": bool(exact),
        "evaluated": len(rows),
    }


def evaluation_rows(count: int, max_exact: int = 100_000, seed: int | None = 0) -> np.ndarray | None:
    """The candidate rows on which radii are measured: all (None) or a seeded subset."""
    if count <= max_exact:
        return None
    return np.sort(np.random.default_rng(seed).choice(count, max_exact, replace=False))


def gini(values: Sequence[float] | np.ndarray) -> float:
    """Gini coefficient of non-negative values: 0 when all equal, towards 1 when one holds all."""
    x = np.sort(np.asarray(values, dtype=np.float64))
    if len(x) == 0 or x.sum() == 0:
        return 0.0
    n = len(x)
    index = np.arange(1, n + 1)
    return float((2.0 * (index * x).sum()) / (n * x.sum()) - (n + 1) / n)


def facet_coverage(values: Iterable[Any], chosen_values: Iterable[Any]) -> dict[str, Any]:
    """How many distinct values of a facet the batch touches, of those among the candidates."""
    total = Counter(v for v in values if v is not None)
    got = Counter(v for v in chosen_values if v is not None)
    return {
        "covered": len(set(got) & set(total)),
        "total": len(total),
        "batch": {str(k): got[k] for k in sorted(got, key=str)},
    }


def array_facet_coverage(values: np.ndarray, chosen_values: np.ndarray) -> dict[str, Any]:
    """``facet_coverage`` of integer arrays, counted by numpy (10M values as a list: ~80 MB and seconds)."""
    present = np.unique(values)
    got, counts = np.unique(chosen_values, return_counts=True)
    return {
        "covered": int(np.isin(got, present).sum()),
        "total": len(present),
        "batch": {
            str(k): int(c)
            for k, c in sorted(zip(got.tolist(), counts.tolist(), strict=True), key=lambda kc: str(kc[0]))
        },
    }


def _type_coverage(rel_types: TypeSets, chosen: np.ndarray) -> dict[str, Any]:
    names = np.array(rel_types.names, dtype=object)
    every = np.unique(rel_types.codes)
    got, counts = np.unique(rel_types.codes_of(chosen), return_counts=True)
    batch = dict(zip(names[got].tolist(), counts.tolist(), strict=True))
    return {
        "covered": len(got),
        "total": len(every),
        "batch": {str(k): int(batch[k]) for k in sorted(batch, key=str)},
    }


def coverage_report(
    *,
    chosen: np.ndarray,
    clusters: np.ndarray | None = None,
    vectors: VectorRows | None = None,
    hops: np.ndarray | None = None,
    rel_types: Sequence[Sequence[str]] | TypeSets | None = None,
    uses_after: np.ndarray | None = None,
    baseline: np.ndarray | None = None,
    max_exact: int = 100_000,
    seed: int | None = 0,
) -> dict[str, Any]:
    """All coverage figures of one batch over its candidates (arrays indexed by candidate).

    ``baseline`` is a random batch of the same size on the same candidates: its covering radius
    is reported beside the batch's, measured on the same rows.
    """
    chosen = np.asarray(chosen, dtype=np.int64)
    report: dict[str, Any] = {"size": len(chosen)}
    if clusters is not None:
        present = {int(c) for c in np.unique(clusters) if c >= 0}
        covered = {int(c) for c in np.unique(np.asarray(clusters)[chosen]) if c >= 0}
        counts = Counter(int(c) for c in np.asarray(clusters)[chosen].tolist() if c >= 0)
        report["clusters"] = {
            "covered": len(covered & present),
            "total": len(present),
            "batch": {str(k): counts[k] for k in sorted(counts)},
        }
    if vectors is not None and len(chosen):
        rows = evaluation_rows(len(vectors), max_exact, seed)
        radius = covering_radius(vectors, chosen, rows=rows)
        radius["exact"] = rows is None
        report["radius"] = radius
        if baseline is not None and len(baseline):
            report["radius_random"] = covering_radius(vectors, baseline, rows=rows) | {"exact": rows is None}
            if radius["max"] and report["radius_random"]["max"]:
                report["radius_ratio"] = round(radius["max"] / report["radius_random"]["max"], 4)
    if hops is not None:
        hops = np.asarray(hops)
        report["hops"] = array_facet_coverage(hops, hops[chosen])
    if isinstance(rel_types, TypeSets):
        report["relation_types"] = _type_coverage(rel_types, chosen)
    elif rel_types is not None:
        every = [t for types in rel_types for t in set(types)]
        picked = [t for i in chosen for t in set(rel_types[int(i)])]
        report["relation_types"] = facet_coverage(every, picked)
    if uses_after is not None:
        report["uses_gini"] = round(gini(uses_after), 4)
        report["never_used"] = int((np.asarray(uses_after) == 0).sum())
    return report
