"""dedup's cell stage: each group of cells reading its slice of every shard's visits (now) against
reading every shard's probes whole (before).

    python benchmarks/cell_groups.py                      # 1M planted vectors, 160 groups
    python benchmarks/cell_groups.py --n 300000 --groups 48

At 10M the stage ran 154 groups of cells, each over everyone probing one of its cells (~1M rows),
and each group loaded all 153 shards' probe files (~0.8 GB) to find its visits: ~31 min in all,
~12 s a group. A group's scan is (number of groups) times its own visits, and the number of groups
grows with N; this benchmark keeps the 10M run's number of groups on fewer vectors: planted
vectors (``cells.planted_vectors``), cells trained once, probes for shards of 65,536 rows written
in both layouts, then every group run one after the other in this process, both ways, on the
same files. The two must find the same pairs, or the run fails. Printed: wall and CPU seconds of the stage
both ways. Results go to benchmarks/results/cell_groups.json.
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "benchmarks"))

from cells import planted_vectors  # noqa: E402
from results_file import process_cpu, save_results  # noqa: E402

from personagraph.dedup import cells as two_level  # noqa: E402
from personagraph.dedup import sharded  # noqa: E402
from personagraph.dedup.ann import CELL_PROBES, _dedupe  # noqa: E402
from personagraph.engine.shards import gather_vectors  # noqa: E402

SHARD_ROWS = 65_536


def before(
    cells: tuple[int, int],
    probe_files: Sequence[str],
    vector_files: Sequence[str],
    starts: Sequence[int],
    threshold: float,
) -> tuple[np.ndarray, np.ndarray]:
    """``sharded.cell_group_pairs`` as it was: every shard's probes loaded whole, its visits found by a scan."""
    lo, hi = cells
    idx_parts, probe_parts = [], []
    for path in probe_files:
        with np.load(path) as data:
            idx_parts.append(data["idx"])
            probe_parts.append(data["probes"])
    idx = np.concatenate(idx_parts)
    probes = np.concatenate(probe_parts)
    del idx_parts, probe_parts
    visit_rows, visit_slots = np.nonzero((probes >= lo) & (probes < hi))
    visit_cells = probes[visit_rows, visit_slots]
    home = probes[:, 0]
    del probes, visit_slots
    involved = np.unique(visit_rows)
    vectors = gather_vectors(idx[involved], vector_files, starts)
    by_cell = np.argsort(visit_cells, kind="stable")
    probing_sorted = visit_rows[by_cell]
    probing_bounds = np.searchsorted(visit_cells[by_cell], np.arange(lo, hi + 1))
    residents_all = np.flatnonzero((home >= lo) & (home < hi))
    residents_sorted = residents_all[np.argsort(home[residents_all], kind="stable")]
    resident_bounds = np.searchsorted(home[residents_sorted], np.arange(lo, hi + 1))
    found_pairs, found_sims = [], []
    for cell in range(hi - lo):
        residents = residents_sorted[resident_bounds[cell] : resident_bounds[cell + 1]]
        if not len(residents):
            continue
        probing = probing_sorted[probing_bounds[cell] : probing_bounds[cell + 1]]
        pairs, sims = sharded.cell_pairs_of(vectors, idx[involved], idx[probing], idx[residents], threshold)
        found_pairs.append(pairs)
        found_sims.append(sims)
    if not found_pairs:
        return np.zeros((0, 2), dtype=np.int64), np.zeros(0, dtype=np.float32)
    return np.concatenate(found_pairs), np.concatenate(found_sims).astype(np.float32)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=1_000_000, help="vectors (default 1M)")
    parser.add_argument(
        "--groups", type=int, default=160, help="groups of cells (default 160, about the 154 of the 10M run)"
    )
    parser.add_argument("--threshold", type=float, default=0.9)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--out", type=Path, default=ROOT / "benchmarks" / "results" / "cell_groups.json")
    args = parser.parse_args()
    load_start = [round(x, 2) for x in os.getloadavg()]
    with tempfile.TemporaryDirectory(prefix="personagraph-cell-groups-") as tmp:
        work = Path(tmp)
        t = time.perf_counter()
        vectors = planted_vectors(args.n, args.seed)
        starts = list(range(0, args.n, SHARD_ROWS))
        bounds = [*starts, args.n]
        vector_files = []
        for k, start in enumerate(starts):
            np.save(work / f"v{k}.npy", vectors[start : bounds[k + 1]].astype(np.float16))
            vector_files.append(str(work / f"v{k}.npy"))
        rng = np.random.default_rng(args.seed)
        sample = np.sort(rng.choice(args.n, size=two_level.train_size(args.n), replace=False))
        layout = two_level.train(vectors[sample], args.n, args.seed)
        nprobe = two_level.probe_count(layout, CELL_PROBES)
        del vectors
        old_files, new_files = [], []
        for k, start in enumerate(starts):
            rows = np.arange(bounds[k + 1] - start)
            probes = two_level.probes(sharded.vector_rows(vector_files[k], rows), layout, nprobe)
            idx = rows + start
            np.savez(work / f"p{k}.npz", idx=idx, rows=rows, probes=probes)
            sharded.write_visits(str(work / f"q{k}"), idx, probes, layout.count)
            old_files.append(str(work / f"p{k}.npz"))
            new_files.append(str(work / f"q{k}"))
        print(
            f"{args.n:,} vectors, {layout.count:,} cells, {nprobe} probes each, {len(starts)} shards: ready in {time.perf_counter() - t:.0f} s"
        )
        step = -(-layout.count // args.groups)
        groups = [(lo, min(layout.count, lo + step)) for lo in range(0, layout.count, step)]
        figures: dict[str, Any] = {}
        found: dict[str, set[tuple[int, int]]] = {}
        for name, run, files in (
            ("before: every shard's probes whole", before, old_files),
            ("now: each shard's slice", sharded.cell_group_pairs, new_files),
        ):
            wall, used = time.perf_counter(), process_cpu()
            parts = [run(group, files, vector_files, starts, args.threshold) for group in groups]
            wall, used = time.perf_counter() - wall, process_cpu() - used
            pairs, _ = _dedupe(np.concatenate([p for p, _ in parts]), np.concatenate([s for _, s in parts]))
            found[name] = {tuple(p) for p in pairs.tolist()}
            figures[name] = {"wall_s": round(wall, 2), "cpu_s": round(used, 2), "pairs": len(found[name])}
            print(
                f"  {name:<36} {wall:7.1f} s wall  {used:7.1f} s CPU  {len(found[name]):,} pairs  (load {os.getloadavg()[0]:.1f})"
            )
        names = list(figures)
        if found[names[0]] != found[names[1]]:
            raise SystemExit("the two ways found different pairs")
        ratio = round(figures[names[0]]["cpu_s"] / max(figures[names[1]]["cpu_s"], 1e-9), 2)
        print(f"  before / now, CPU: x{ratio}")
    save_results(
        args.out,
        {
            "benchmark": "cell_groups",
            "n": args.n,
            "groups": len(groups),
            "cells": layout.count,
            "nprobe": nprobe,
            "threshold": args.threshold,
            "variants": figures,
            "before_over_now_cpu": ratio,
            "machine": {
                "cpus": os.cpu_count(),
                "loadavg_at_start": load_start,
                "loadavg_at_end": [round(x, 2) for x in os.getloadavg()],
            },
        },
    )


if __name__ == "__main__":
    main()
