"""The dedup merge on a store larger than its page cache: groups in id order (as `dedup` gives
them) against record order of the canonical persona, in batches of 2,000 and 10,000 duplicates.

    python benchmarks/merge_order.py               # 1M personas + 3M relations, 20k duplicates a variant
    python benchmarks/merge_order.py --scale 0.3   # 300k + 900k

At 10M the embedded database (6.5 GB on disk, vectors apart) outgrew the 4 GB page cache `dedup`
ran with, and its merge took ~11 ms a duplicate, half of it in commits (py-spy): each batch's pages
lie all over the store. Here a store is built with the importer (the scale benchmark's files) and
opened with a page cache of 0.6 of its size on disk, as at 10M (``--cache-share``), then ``merge_groups`` merges a fresh
random set of pairs (canonical, duplicate) for each variant, one process, one JVM, the persona
property indexes dropped once around all variants (as a large merge does):

- id order, 2,000 a batch: what the merge does (the baseline; the ids are hashes, so this is a
  random order of records, like the rank order `dedup` finds its groups in);
- record order of the canonical (element ids ``#bucket:position`` ascending), 2,000 a batch: the
  change tried, so that one batch's updates share pages;
- record order, 10,000 a batch; id order, 10,000 a batch (to separate the two effects).

A first untimed variant warms the JVM. Printed: duplicates/s and CPU seconds of this process (the
JVM's threads included) per variant. Results go to benchmarks/results/merge_order.json.
"""

from __future__ import annotations

import os
import random
import shutil
import sys
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "benchmarks"))

import ingest  # noqa: E402
from results_file import bench_parser, finish_results, process_cpu, start_results, work_folder  # noqa: E402

from personagraph.dedup.merge import Group, merge_groups  # noqa: E402
from personagraph.store import GraphStore, open_store  # noqa: E402
from personagraph.store.rid_pairs import rid_codes  # noqa: E402

VARIANTS = (
    ("warm-up (not counted)", False, 2000),
    ("id order, 2,000 a batch (as now)", False, 2000),
    ("record order, 2,000 a batch", True, 2000),
    ("record order, 10,000 a batch", True, 10_000),
    ("id order, 10,000 a batch", False, 10_000),
)


def in_record_order(groups: list[Group], rid: dict[str, str]) -> list[Group]:
    codes = rid_codes([rid[g.canonical] for g in groups])
    return [groups[i] for i in codes.argsort(kind="stable").tolist()]


def bench(store: GraphStore, per_variant: int, seed: int) -> dict[str, Any]:
    ids = sorted(store.run_columns("scan_rids_persona")["id"])
    random.Random(seed).shuffle(ids)
    figures: dict[str, Any] = {"personas": len(ids), "duplicates_per_variant": per_variant, "variants": []}
    with store.indexes_dropped("dedup_drop_persona_indexes"):
        for k, (name, record_order, batch) in enumerate(VARIANTS):
            chosen = ids[2 * k * per_variant : 2 * (k + 1) * per_variant]
            pairs = sorted(zip(chosen[::2], chosen[1::2], strict=True))
            groups = [Group(c, (d,)) for c, d in pairs]
            wall, used = time.perf_counter(), process_cpu()
            if record_order:  # the record ids' lookup is counted: the merge would have to make it
                rid = {row["id"]: row["rid"] for row in store.run("rids_persona", ids=[g.canonical for g in groups])}
                groups = in_record_order(groups, rid)
            counts = merge_groups(store, groups, batch_size=batch, drop_indexes=False)
            wall, used = time.perf_counter() - wall, process_cpu() - used
            if counts.personas_merged != len(groups):
                raise SystemExit(f"{name}: merged {counts.personas_merged} of {len(groups)} duplicates")
            if k == 0:
                continue
            rate = round(len(groups) / wall)
            figures["variants"].append(
                {
                    "variant": name,
                    "duplicates": len(groups),
                    "edges_moved": counts.edges_moved,
                    "wall_s": round(wall, 2),
                    "cpu_s": round(used, 2),
                    "duplicates_per_s": rate,
                    "ms_per_duplicate": round(1000 * wall / len(groups), 2),
                }
            )
            print(
                f"  {name:<36} {rate:>7,} duplicates/s  {1000 * wall / len(groups):6.2f} ms each  "
                f"{wall:6.1f} s wall  {used:6.1f} s CPU  (load {os.getloadavg()[0]:.1f})"
            )
    base = figures["variants"][0]["duplicates_per_s"]
    for variant in figures["variants"]:
        variant["x_before"] = round(variant["duplicates_per_s"] / base, 2)
    return figures


def main() -> None:
    parser = bench_parser(
        "merge_order",
        __doc__.splitlines()[0],
        "1.0: 1M personas + 3M relations",
        "4g",
        "PERSONAGRAPH_JVM_HEAP of the import and the merges",
    )
    parser.add_argument("--duplicates", type=int, default=20_000, help="duplicates merged per variant")
    parser.add_argument(
        "--cache-share",
        type=float,
        default=0.6,
        help="page cache as a share of the store on disk (10M: 4 GB for 6.5 GB)",
    )
    args = parser.parse_args()
    os.environ["PERSONAGRAPH_JVM_HEAP"] = args.jvm_heap
    n = int(1_000_000 * args.scale)
    if 2 * args.duplicates * len(VARIANTS) > n:
        parser.error(f"--duplicates {args.duplicates} x 2 x {len(VARIANTS)} variants is more than the {n:,} personas")
    with work_folder("personagraph-merge-order-") as work:
        results = start_results("merge_order", args, work)
        store_path = ingest.imported_store(work, n, args.seed, "merge")
        store_mb = ingest.disk_mb(store_path)
        cache_mb = max(64, int(store_mb * args.cache_share))
        os.environ["ARCADEDB_JVM_ARGS"] = f"{os.environ.get('ARCADEDB_JVM_ARGS', '')} -Darcadedb.maxPageRAM={cache_mb}"
        print(f"  store {store_mb:,} MB on disk; page cache {cache_mb:,} MB")
        results["store_mb"], results["page_cache_mb"] = store_mb, cache_mb
        store = open_store(str(store_path))
        results["merge_order"] = bench(store, args.duplicates, args.seed)
        store.close()
        shutil.rmtree(store_path, ignore_errors=True)
    finish_results(args.out, results)


if __name__ == "__main__":
    main()
