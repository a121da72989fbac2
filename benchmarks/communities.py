"""Louvain communities at scale: networkx (pure Python) against networkit's PLM, same graphs.

    python benchmarks/communities.py                          # 100k/300k and 1M/3M
    python benchmarks/communities.py --sizes 100000 --skip-networkx-above 200000
    python benchmarks/communities.py --sizes 1000000,3000000 --plm-alone --out benchmarks/results/communities-plm.json

The graphs are the relations ``benchmarks/ingest.py`` and ``benchmarks/scale.py`` import: N personas
(content-hash ids) and 3N relations between personas drawn at random, seeded. Each method runs
in a child process on the same edge list (read from a file), through the package's function with
the package's contract (ids in, community per id out): ``sampling.clustering.louvain_communities``
(networkx) and ``sampling.communities.louvain_communities`` (networkit). Printed per method: wall
and CPU seconds (CPU is the figure to trust on a shared machine), the child's peak RSS (VmHWM),
the number of communities and the modularity of the result (computed the same way for both).
``plm-alone`` is PLM as ``cluster`` feeds it (int arrays of row numbers), with its own time and its
own growth of RSS (peak reset before it starts).
Results go to benchmarks/results/communities.json.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from results_file import save_results  # noqa: E402

from personagraph.ids import persona_id  # noqa: E402


def write_graph(path: Path, n: int, seed: int) -> None:
    rng = random.Random(seed)
    ids = [persona_id(f"persona number {i}") for i in range(n)]
    with path.open("w") as out:
        out.write(" ".join(ids) + "\n")
        for _ in range(3 * n):
            out.write(f"{ids[rng.randrange(n)]} {ids[rng.randrange(n)]}\n")


def _status_mb(field: str) -> int:
    status = Path("/proc/self/status").read_text()
    return next(int(line.split()[1]) // 1024 for line in status.splitlines() if line.startswith(field))


def plm_alone(path: str, seed: int) -> dict[str, Any]:
    """networkit's PLM by itself, as `cluster` feeds it: the graph read straight into int arrays of row
    numbers (sorted id keys, binary search; no Python object per persona or edge), then the peak RSS
    reset (/proc/self/clear_refs) so PLM's own growth is measured: graph build, PLM, numbering."""
    import numpy as np

    from personagraph.embeddings.vectors import encode_ids
    from personagraph.sampling.communities import numbered_communities, simple_edges

    with open(path) as handle:
        keys = encode_ids(handle.readline().split())
        order = np.argsort(keys, kind="stable")
        sorted_keys = keys[order]
        ends = encode_ids(handle.read().split())
    pos = order[np.searchsorted(sorted_keys, ends)]
    del ends
    rank = np.empty(len(keys), dtype=np.int64)
    rank[order] = np.arange(len(keys))
    src, dst = simple_edges(pos[0::2], pos[1::2], len(keys))
    del pos, sorted_keys, order
    import networkit  # noqa: F401  (its libraries loaded before the reset: ~170 MB that are not PLM's data)

    before = _status_mb("VmRSS")
    Path("/proc/self/clear_refs").write_text("5")  # VmHWM := VmRSS
    wall, cpu = time.perf_counter(), time.process_time()
    labels = numbered_communities(len(keys), src, dst, rank, seed=seed)
    wall, cpu = time.perf_counter() - wall, time.process_time() - cpu
    peak = _status_mb("VmHWM")
    return {
        "wall_s": round(wall, 2),
        "cpu_s": round(cpu, 2),
        "rss_before_mb": before,
        "peak_rss_mb": peak,
        "plm_growth_mb": peak - before,
        "edges": len(src),
        "communities": int(labels.max()) + 1,
    }


def child(method: str, path: str, seed: int) -> dict[str, Any]:
    from personagraph.sampling.communities import modularity

    if method == "plm-alone":
        return plm_alone(path, seed)

    with open(path) as handle:
        nodes = handle.readline().split()
        edges = [tuple(line.split()) for line in handle]
    if method == "networkx":
        from personagraph.sampling.clustering import louvain_communities
    else:
        from personagraph.sampling.communities import louvain_communities
    wall, cpu = time.perf_counter(), time.process_time()
    result = louvain_communities(nodes, edges, seed=seed)  # type: ignore[arg-type]
    wall, cpu = time.perf_counter() - wall, time.process_time() - cpu
    status = Path("/proc/self/status").read_text()
    hwm = next(int(line.split()[1]) // 1024 for line in status.splitlines() if line.startswith("VmHWM"))
    return {
        "wall_s": round(wall, 2),
        "cpu_s": round(cpu, 2),
        "peak_rss_mb": hwm,
        "communities": len({c for c in result.values() if c >= 0}),
        "modularity": round(modularity(nodes, edges, result), 4),  # type: ignore[arg-type]
    }


def run_child(method: str, path: Path, seed: int) -> dict[str, Any]:
    env = dict(os.environ, PYTHONPATH=str(ROOT) + os.pathsep + os.environ.get("PYTHONPATH", ""))
    load = os.getloadavg()[0]
    done = subprocess.run(
        [sys.executable, __file__, "--child", method, str(path), str(seed)],
        capture_output=True,
        text=True,
        env=env,
        check=False,
    )
    if done.returncode != 0:
        raise RuntimeError(f"{method} failed: {done.stderr[-2000:]}")
    result = dict(json.loads(done.stdout.strip().splitlines()[-1]))
    result["loadavg"] = [round(load, 2), round(os.getloadavg()[0], 2)]
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="100000,1000000", help="personas per graph (3x as many relations)")
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--skip-networkx-above", type=int, default=10**9)
    parser.add_argument("--out", type=Path, default=ROOT / "benchmarks" / "results" / "communities.json")
    parser.add_argument(
        "--plm-alone", action="store_true", help="only PLM by itself on int arrays (no networkx, no id dict)"
    )
    parser.add_argument("--child", nargs=3, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        method, path, seed = args.child
        print(json.dumps(child(method, path, int(seed))))
        return
    results: dict[str, Any] = {"benchmark": "communities", "seed": args.seed, "graphs": []}
    with tempfile.TemporaryDirectory(prefix="personagraph-communities-") as work:
        for n in [int(s) for s in args.sizes.split(",")]:
            path = Path(work) / f"graph-{n}.txt"
            write_graph(path, n, args.seed)
            graph: dict[str, Any] = {"personas": n, "relations": 3 * n}
            # PLM alone always; the whole library runs (networkit, networkx up to a size) unless --plm-alone.
            methods = ["plm-alone"]
            if not args.plm_alone:
                methods += ["networkit"] + (["networkx"] if n <= args.skip_networkx_above else [])
            for method in methods:
                graph[method] = figures = run_child(method, path, args.seed)
                load = f"(load {figures['loadavg'][0]:.1f} -> {figures['loadavg'][1]:.1f})"
                if method == "plm-alone":
                    what = (
                        f"PLM alone wall {figures['wall_s']:>8.1f} s  cpu {figures['cpu_s']:>8.1f} s  "
                        f"RSS {figures['rss_before_mb']:,} -> peak {figures['peak_rss_mb']:,} MB "
                        f"(+{figures['plm_growth_mb']:,})  {figures['communities']:>7,} communities"
                    )
                else:
                    what = (
                        f"{method:<9} wall {figures['wall_s']:>8.1f} s  cpu {figures['cpu_s']:>8.1f} s  "
                        f"peak RSS {figures['peak_rss_mb']:>6,} MB  {figures['communities']:>7,} communities  "
                        f"modularity {figures['modularity']:.4f}"
                    )
                print(f"{n:>10,} personas, {3 * n:>10,} relations  {what}  {load}", flush=True)
            results["graphs"].append(graph)
    save_results(args.out, results)


if __name__ == "__main__":
    main()
