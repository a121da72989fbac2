"""Distinct pairs of dedup's cell search: one int64 key a pair (now) against ``np.unique(axis=0)`` (before).

    python benchmarks/dedupe_pairs.py              # 30M pairs, half of them found twice (45M rows)
    python benchmarks/dedupe_pairs.py --pairs 5000000

The cell search finds a pair from each side and in every cell both ends probe, so its pairs are
deduplicated once at the end (``ann._dedupe``); at 10M the run peaked there. Both ways run in this
process on the same rows; printed: CPU seconds and the peak of numpy's allocations above the input
(tracemalloc), and they must give the same pairs and similarities. Results go to
benchmarks/results/dedupe_pairs.json.
"""

from __future__ import annotations

import argparse
import os
import sys
import time
import tracemalloc
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "benchmarks"))

from results_file import save_results  # noqa: E402

from personagraph.dedup.ann import _dedupe  # noqa: E402


def before(pairs: np.ndarray, sims: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    _, first = np.unique(pairs, axis=0, return_index=True)
    return pairs[first], sims[first]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--pairs", type=int, default=30_000_000, help="distinct pairs (default 30M)")
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--out", type=Path, default=ROOT / "benchmarks" / "results" / "dedupe_pairs.json")
    args = parser.parse_args()
    rng = np.random.default_rng(args.seed)
    first = rng.integers(0, 10_000_000, args.pairs)
    pairs = np.stack([first, first + rng.integers(1, 1000, args.pairs)], axis=1)
    sims = rng.random(args.pairs).astype(np.float32)
    again = rng.choice(args.pairs, args.pairs // 2, replace=False)
    pairs, sims = np.concatenate([pairs, pairs[again]]), np.concatenate([sims, sims[again]])
    del first, again
    print(f"{len(pairs):,} rows ({pairs.nbytes / 2**20:,.0f} MB of pairs)")
    figures, results = {}, []
    for name, run in (("before: np.unique(axis=0)", before), ("now: one int64 key a pair", _dedupe)):
        tracemalloc.start()
        used = time.process_time()
        got = run(pairs, sims)
        used = time.process_time() - used
        peak = tracemalloc.get_traced_memory()[1]
        tracemalloc.stop()
        results.append(got)
        figures[name] = {"cpu_s": round(used, 2), "peak_mb": round(peak / 2**20), "distinct": len(got[0])}
        print(f"  {name:<28} {used:6.1f} s CPU  peak {peak / 2**20:,.0f} MB above the input  {len(got[0]):,} distinct")
    (a, sa), (b, sb) = results
    if not (np.array_equal(a, b) and np.array_equal(sa, sb)):
        raise SystemExit("the two ways gave different pairs")
    save_results(
        args.out,
        {
            "benchmark": "dedupe_pairs",
            "rows": len(pairs),
            "variants": figures,
            "machine": {"cpus": os.cpu_count(), "loadavg": [round(x, 2) for x in os.getloadavg()]},
        },
    )


if __name__ == "__main__":
    main()
