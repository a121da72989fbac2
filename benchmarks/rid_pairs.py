"""The bulk loader's memory of written edges: ``RidPairs`` against the Python set of RID tuples it replaced.

    python benchmarks/rid_pairs.py                 # 10M pairs
    python benchmarks/rid_pairs.py --pairs 30000000

Both get the same pairs (RIDs as ArcadeDB prints them, shared string objects as the node map holds
them), in the import's pattern: a batch of 50,000 is checked against what is known
(``intersection``), then added. Printed beside each other: seconds (CPU of this process) and the
memory each structure holds at the end: the process's resident memory before and after its run
(/proc/self/statm; Linux), ``RidPairs`` first so the set cannot reuse pages it freed. Results go to benchmarks/results/rid_pairs.json.
"""

from __future__ import annotations

import argparse
import os
import random
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "benchmarks"))

from results_file import save_results  # noqa: E402

from personagraph.store.rid_pairs import RidPairs  # noqa: E402

BATCH = 50_000


def batches(n: int, nodes: int, seed: int) -> list[list[tuple[str, str]]]:
    rng = random.Random(seed)
    rids = [f"#{1 + i % 8}:{i // 8}" for i in range(nodes)]  # eight buckets, as a type has here
    pairs = [(rids[rng.randrange(nodes)], rids[rng.randrange(nodes)]) for _ in range(n)]
    return [pairs[i : i + BATCH] for i in range(0, n, BATCH)]


def rss() -> int:
    with open("/proc/self/statm") as f:
        return int(f.read().split()[1]) * os.sysconf("SC_PAGE_SIZE")


def run(structure: object, work: list[list[tuple[str, str]]]) -> tuple[float, int]:
    """CPU seconds of checking then adding every batch; pairs found already there."""
    found = 0
    cpu = time.process_time()
    for shared in work:
        batch = [(a, b) for a, b in shared]  # new tuples, as the loader makes per batch (the strings shared)
        present = structure.intersection(batch)  # type: ignore[attr-defined]
        found += len(present)
        structure.update(p for p in batch if p not in present)  # type: ignore[attr-defined]
    return time.process_time() - cpu, found


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--pairs", type=int, default=10_000_000)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--out", type=Path, default=ROOT / "benchmarks" / "results" / "rid_pairs.json")
    args = parser.parse_args()
    work = batches(args.pairs, max(2, args.pairs // 3), args.seed)

    before = rss()
    compact = RidPairs()
    ours_cpu, ours_found = run(compact, work)
    ours_bytes = rss() - before
    before = rss()
    reference: set[tuple[str, str]] = set()
    set_cpu, set_found = run(reference, work)
    set_bytes = rss() - before
    size = len(reference)
    assert ours_found == set_found and len(compact) == size, "RidPairs disagrees with the set"

    print(f"{size:,} distinct pairs of {args.pairs:,}, batches of {BATCH:,}")
    print(
        f"  set of RID tuples  cpu {set_cpu:7.1f} s   memory {set_bytes / 2**20:8.1f} MB ({set_bytes / size:.0f} B a pair)"
    )
    print(
        f"  RidPairs           cpu {ours_cpu:7.1f} s   memory {ours_bytes / 2**20:8.1f} MB "
        f"({ours_bytes / size:.0f} B a pair)"
    )
    save_results(
        args.out,
        {
            "benchmark": "rid_pairs",
            "pairs": args.pairs,
            "distinct": size,
            "batch": BATCH,
            "set": {"cpu_s": round(set_cpu, 2), "bytes": set_bytes},
            "rid_pairs": {"cpu_s": round(ours_cpu, 2), "bytes": ours_bytes},
        },
    )


if __name__ == "__main__":
    main()
