"""The cell search of dedup's embedding stage: two-level cells (linear) against the flat layout it replaced.

    python benchmarks/cells.py --cache STORE/embeddings/personas/static   # kept vectors of a store
    python benchmarks/cells.py                                            # planted synthetic vectors

For each size (first N vectors; default 100k, 300k, 1M or as many as there are), ``ann.cell_pairs`` at
cosine 0.9 runs twice on the same vectors in this process: the two-level layout (``dedup/cells.py``:
~256 vectors a cell, a vector compared with the fine centroids of its 3 nearest coarse cells) and,
as the baseline, the flat layout of before (one level of √(12·n) cells, every centroid compared:
work per vector growing like √n). Printed beside each other: seconds (wall and CPU of this process),
pairs found, and recall against brute force on 2,000 query rows (every pair with one end among them).
Results go to benchmarks/results/cells.json.
"""

from __future__ import annotations

import argparse
import math
import sys
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "benchmarks"))

from results_file import save_results  # noqa: E402

from personagraph.dedup import ann  # noqa: E402


def cache_vectors(folder: Path, limit: int) -> np.ndarray:
    """Up to ``limit`` vectors of an embedding cache folder, part after part (float32, unit rows)."""
    parts, held = [], 0
    for path in sorted(folder.glob("part-*.vectors.npy")):
        part = np.load(path, mmap_mode="r")
        parts.append(np.asarray(part[: limit - held], dtype=np.float32))
        held += len(parts[-1])
        if held >= limit:
            break
    if not parts:
        raise SystemExit(f"no vectors in {folder}")
    return np.concatenate(parts)


def planted_vectors(n: int, seed: int = 0, dim: int = 256) -> np.ndarray:
    """Unit vectors in 2,000 loose clusters, 5% of them near-copies of another row."""
    rng = np.random.default_rng(seed)
    centres = rng.normal(size=(2000, dim)).astype(np.float32)
    vectors = centres[rng.integers(0, 2000, n)] + rng.normal(scale=0.9, size=(n, dim)).astype(np.float32)
    copies = rng.choice(n, size=n // 20, replace=False)
    vectors[copies] = vectors[rng.integers(0, n, len(copies))] + rng.normal(scale=0.02, size=(len(copies), dim))
    vectors /= np.linalg.norm(vectors, axis=1, keepdims=True)
    return vectors


def truth_of(vectors: np.ndarray, queries: np.ndarray) -> set[tuple[int, int]]:
    truth: set[tuple[int, int]] = set()
    for start in range(0, len(queries), 500):
        rows = queries[start : start + 500]
        sims = vectors[rows] @ vectors.T
        sims[np.arange(len(rows)), rows] = -1
        qi, j = np.nonzero(sims >= 0.9)
        truth |= {(min(int(rows[a]), int(b)), max(int(rows[a]), int(b))) for a, b in zip(qi, j, strict=True)}
    return truth


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cache", type=Path, help="an embedding cache folder (default: planted synthetic vectors)")
    parser.add_argument("--sizes", default="100000,300000,1000000")
    parser.add_argument("--skip-flat-above", type=int, default=10**9, help="no flat baseline above this size")
    parser.add_argument("--out", type=Path, default=ROOT / "benchmarks" / "results" / "cells.json")
    args = parser.parse_args()
    sizes = [int(s) for s in args.sizes.split(",")]
    everything = cache_vectors(args.cache, max(sizes)) if args.cache else planted_vectors(max(sizes))
    results: dict = {"benchmark": "cells", "source": "cache" if args.cache else "planted", "runs": []}
    print(f"{len(everything):,} vectors ({everything.shape[1]}-d) from {'a cache' if args.cache else 'planting'}")
    for n in sizes:
        vectors = everything[:n]
        n = len(vectors)
        queries = np.sort(np.random.default_rng(3).choice(n, min(n, 2000), replace=False))
        truth = truth_of(vectors, queries)
        asked = set(queries.tolist())
        row: dict = {"vectors": n, "brute_force_pairs_of_queries": len(truth)}
        flat = (1, int(max(1, min(65536, math.sqrt(12 * n), n // 20))))
        for name, shape in (("two-level", None), ("flat (before)", flat)):
            if shape is not None and n > args.skip_flat_above:
                continue
            wall, cpu = time.perf_counter(), time.process_time()
            found = ann.cell_pairs(vectors, 0.9, shape=shape)
            wall, cpu = time.perf_counter() - wall, time.process_time() - cpu
            got = {p for p in map(tuple, found.pairs.tolist()) if p[0] in asked or p[1] in asked}
            recall = len(got & truth) / len(truth) if truth else 1.0
            row[name] = {
                "wall_s": round(wall, 1),
                "cpu_s": round(cpu, 1),
                "pairs": len(found.pairs),
                "recall": round(recall, 4),
            }
            print(
                f"  {n:>10,} {name:<14} wall {wall:7.1f} s  cpu {cpu:7.1f} s  pairs {len(found.pairs):>9,}  "
                f"recall {recall:.4f} (of {len(truth):,})"
            )
        results["runs"].append(row)
        save_results(args.out, results)


if __name__ == "__main__":
    main()
