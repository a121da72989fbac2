"""`cluster`'s write-back on the embedded store: updates in id order (as it was) against record order, with and without the cluster index.

    python benchmarks/write_back.py               # 1M personas + 3M relations, 50k updates a variant
    python benchmarks/write_back.py --scale 0.1   # 100k + 300k

Builds a store with the importer (the scale benchmark's files), then sets ``cluster`` and
``community`` with the package's own query (``sampling/set_strata``, 5,000 rows a transaction) on a
fresh random subset of personas for each variant, one process, one JVM:

- id order with the ``cluster`` index: what the write-back did before (the baseline);
- record order (element ids ``#bucket:position`` ascending) with the index;
- record order without the index: what ``cluster`` does now for 20k personas or more;
- id order without the index (to separate the two effects).

A first untimed variant warms the JVM. Printed: rows/s and CPU seconds of this process (the JVM's
threads included) per variant, then the time to re-create the index. Results go to
benchmarks/results/write_back.json.
"""

from __future__ import annotations

import os
import random
import sys
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "benchmarks"))

import ingest  # noqa: E402
from results_file import bench_parser, finish_results, process_cpu, start_results, work_folder  # noqa: E402

from personagraph.store import GraphStore, open_store  # noqa: E402
from personagraph.store.rid_pairs import rid_codes  # noqa: E402

VARIANTS = (
    ("warm-up (not counted)", "id", True),
    ("id order, cluster index (before)", "id", True),
    ("record order, cluster index", "record", True),
    ("record order, no cluster index (now)", "record", False),
    ("id order, no cluster index", "id", False),
)
ROWS_PER_WRITE = 5000


def update(store: GraphStore, chosen: list[tuple[str, str]], order: str, seed: int) -> None:
    if order == "id":
        chosen = sorted(chosen)
    else:
        codes = rid_codes([rid for _, rid in chosen])
        chosen = [chosen[i] for i in codes.argsort(kind="stable").tolist()]
    rng = random.Random(seed)
    rows = [{"id": pid, "cluster": rng.randrange(1000), "community": rng.randrange(100)} for pid, _ in chosen]
    for start in range(0, len(rows), ROWS_PER_WRITE):
        store.run("sampling/set_strata", rows=rows[start : start + ROWS_PER_WRITE])


def bench(store: GraphStore, per_variant: int, seed: int) -> dict[str, Any]:
    t = time.perf_counter()
    columns = store.run_columns("scan_rids_persona")
    pairs = list(zip(columns["id"], columns["rid"], strict=True))
    print(f"  {len(pairs):,} ids and record ids read in {time.perf_counter() - t:.1f} s")
    random.Random(seed).shuffle(pairs)
    figures: dict[str, Any] = {"personas": len(pairs), "rows_per_variant": per_variant, "variants": []}
    for k, (name, order, index) in enumerate(VARIANTS):
        chosen = pairs[k * per_variant : (k + 1) * per_variant]
        if not index:
            store.run_script("sampling/drop_cluster_index")
        wall, used = time.perf_counter(), process_cpu()
        update(store, chosen, order, seed + k)
        wall, used = time.perf_counter() - wall, process_cpu() - used
        if not index:
            started = time.perf_counter()
            store.run_script("schema")
            figures["index_recreated_s"] = round(time.perf_counter() - started, 2)
        if k == 0:
            continue
        rate = round(len(chosen) / wall)
        figures["variants"].append(
            {
                "variant": name,
                "rows": len(chosen),
                "wall_s": round(wall, 2),
                "cpu_s": round(used, 2),
                "rows_per_s": rate,
            }
        )
        print(f"  {name:<40} {rate:>8,} rows/s  {wall:6.1f} s wall  {used:6.1f} s CPU  (load {os.getloadavg()[0]:.1f})")
    base = figures["variants"][0]["rows_per_s"]
    for variant in figures["variants"]:
        variant["x_before"] = round(variant["rows_per_s"] / base, 2)
    print(f"  the cluster index re-created over {len(pairs):,} personas in {figures['index_recreated_s']} s")
    return figures


def main() -> None:
    parser = bench_parser(
        "write_back",
        __doc__.splitlines()[0],
        "1.0: 1M personas + 3M relations",
        "4g",
        "PERSONAGRAPH_JVM_HEAP of the import and the updates",
    )
    parser.add_argument("--rows", type=int, default=50_000, help="personas updated per variant")
    args = parser.parse_args()
    os.environ["PERSONAGRAPH_JVM_HEAP"] = args.jvm_heap
    n = int(1_000_000 * args.scale)
    if args.rows * len(VARIANTS) > n:
        parser.error(f"--rows {args.rows} x {len(VARIANTS)} variants is more than the {n:,} personas")
    with work_folder("personagraph-write-back-") as work:
        results = start_results("write_back", args, work)
        store_path = ingest.imported_store(work, n, args.seed, "writeback")
        store = open_store(str(store_path))
        results["write_back"] = bench(store, args.rows, args.seed)
        store.close()
    finish_results(args.out, results)


if __name__ == "__main__":
    main()
