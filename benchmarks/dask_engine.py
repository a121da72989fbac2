"""embed, dedup and cluster in memory, on shards in this process (--engine local) and on Dask (--engine dask).

    python benchmarks/dask_engine.py                  # 100k personas
    python benchmarks/dask_engine.py --scale 1000000
    python benchmarks/dask_engine.py --quick          # 20k, for development

The corpus (benchmarks/dedup_corpus.py: 5% planted near-copies, built from the Persona Hub sample;
skipped with a message when the sample is absent) is loaded once into an embedded store by a child
process. Then each stage runs in its own child process per engine: ``memory`` (every persona read
at once: the path before the engines, the baseline), ``local`` (Parquet shards one at a time in the
driver) and ``dask`` (the same shard functions on a LocalCluster of two worker processes on
127.0.0.1, started and closed inside the run, so its start-up is part of the figure). Each row:
wall seconds, the driver's peak RSS (JVM included), the driver's CPU seconds (user + sys) and the
workers' (Dask's worker processes are the driver's children), and the load average before and
after: the machine is shared, so wall times are only comparable within one run.

embed: the static embedder, starting each time with no kept vectors. dedup: both stages, dry run
(the merge is the same single writer on every engine), vectors kept. cluster: k-means (faiss) and
Louvain, vectors kept.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from results_file import save_results  # noqa: E402

RESULTS = Path(__file__).resolve().parent / "results" / "dask_engine.json"
ENGINES = ("memory", "local", "dask")
STAGES = ("embed", "dedup", "cluster")
GB = 1 << 30


def child(args: argparse.Namespace, *extra: str) -> dict[str, Any]:
    env = {
        **os.environ,
        "PYTHONPATH": str(ROOT),
        "PERSONAGRAPH_JVM_HEAP": args.jvm_heap,
        "PERSONAGRAPH_CACHE_DIR": args.cache,
    }
    env.pop("DASK_SCHEDULER_ADDRESS", None)
    command = [sys.executable, __file__, "--store", args.store, "--scale", str(args.scale), *extra]
    proc = subprocess.run(command, env=env, capture_output=True, text=True, check=False)
    if proc.returncode != 0:
        raise SystemExit(f"{' '.join(extra)} failed:\n{proc.stderr[-4000:]}")
    return dict(json.loads(proc.stdout.strip().splitlines()[-1]))


def phase_load(args: argparse.Namespace) -> dict[str, Any]:
    from dedup_corpus import generate

    from personagraph.config import Settings
    from personagraph.models import Persona, Relation
    from personagraph.store import open_store

    corpus = generate(args.scale)
    store = open_store(args.store, Settings(store=args.store))
    people = [Persona(text=t, hop=int(k % 3)) for k, t in enumerate(corpus.texts)]
    started = time.perf_counter()
    if hasattr(store, "bulk_upsert_personas"):
        for start in range(0, len(people), 50_000):
            store.bulk_upsert_personas([{"id": p.id, **p.props()} for p in people[start : start + 50_000]])
    else:
        store.upsert_personas(people)
    ids = [p.id for p in people]
    pairs = [(ids[k], ids[(k * 7919 + 13) % len(ids)]) for k in range(len(ids))]
    pairs = [(a, b) for a, b in pairs if a != b]
    if hasattr(store, "bulk_add_relations"):
        for start in range(0, len(pairs), 50_000):
            store.bulk_add_relations([(a, b, "FRIEND_OF", {}) for a, b in pairs[start : start + 50_000]])
    else:
        store.add_relations([Relation(src=a, dst=b, type="FRIEND_OF") for a, b in pairs])
    seconds = time.perf_counter() - started
    count = store.count("Persona")
    store.close()
    return {"personas": count, "seconds": round(seconds, 1)}


def phase_run(args: argparse.Namespace) -> dict[str, Any]:
    from personagraph.config import Settings
    from personagraph.dedup.run import DedupOptions, dedup_graph
    from personagraph.embeddings.embeddings import Embeddings
    from personagraph.embeddings.sharded import embed_graph
    from personagraph.sampling.strata import compute_strata
    from personagraph.store import open_store

    settings = Settings(store=args.store, cache_dir=args.cache)
    engine = None if args.engine == "memory" else args.engine
    load = os.getloadavg()
    started = time.perf_counter()
    store = open_store(args.store, settings)
    embeddings = Embeddings.for_store(store, "static", settings)
    figures: dict[str, Any] = {}
    if args.stage == "embed":
        embeddings.cache.clear()
        figures["personas"] = embed_graph(store, embeddings, engine)
    elif args.stage == "dedup":
        report = dedup_graph(store, embeddings, DedupOptions(embedder="static"), dry_run=True, engine=engine)
        figures = {"groups": len(report.groups), "duplicates": report.duplicates, "by_stage": report.groups_by_stage}
        figures["stage_seconds"] = {k: round(v, 2) for k, v in report.seconds.items()}
    else:
        strata = compute_strata(store, embeddings, seed=0, engine=engine)
        figures = {"k": strata.k, "communities": strata.communities}
    seconds = time.perf_counter() - started
    store.close()
    me, kids = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
    return {
        "stage": args.stage,
        "engine": args.engine,
        "seconds": round(seconds, 2),
        "driver_cpu_seconds": round(me.ru_utime + me.ru_stime, 2),
        "worker_cpu_seconds": round(kids.ru_utime + kids.ru_stime, 2),
        "driver_peak_rss_gb": round(me.ru_maxrss * 1024 / GB, 2),
        "load_before": [round(x, 2) for x in load],
        "load_after": [round(x, 2) for x in os.getloadavg()],
        **figures,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--scale", type=int, default=100_000)
    parser.add_argument("--quick", action="store_true", help="20k personas")
    parser.add_argument("--jvm-heap", default="2g")
    parser.add_argument("--stages", default=",".join(STAGES))
    parser.add_argument("--engines", default=",".join(ENGINES))
    parser.add_argument("--store", help=argparse.SUPPRESS)
    parser.add_argument("--cache", help=argparse.SUPPRESS)
    parser.add_argument("--phase", choices=["load", "run"], help=argparse.SUPPRESS)
    parser.add_argument("--stage", choices=STAGES, help=argparse.SUPPRESS)
    parser.add_argument("--engine", choices=ENGINES, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.phase:
        result = phase_load(args) if args.phase == "load" else phase_run(args)
        print(json.dumps(result))
        return
    from dedup_corpus import sample_dir

    if not (sample_dir() / "personas.jsonl").exists():
        print(f"skipped: the Persona Hub sample ({sample_dir()}) is absent; the corpus is built from it")
        return
    if args.quick:
        args.scale = 20_000
    from personagraph.config import Settings
    from personagraph.embeddings.embedders import distill_static

    work = Path(tempfile.mkdtemp(prefix="dask-engine-bench-"))
    args.store, args.cache = str(work / "store"), str(work / "cache")
    try:
        models = Path.home() / ".cache" / "personagraph" / "models"
        if models.exists():  # the machine's distilled static model: distilling is not what is measured
            (work / "cache").mkdir()
            (work / "cache" / "models").symlink_to(models, target_is_directory=True)
        distill_static(Settings(cache_dir=args.cache))
        loaded = child(args, "--phase", "load")
        print(f"loaded {loaded['personas']:,} personas in {loaded['seconds']} s")
        rows = []
        for stage in args.stages.split(","):
            by_engine = {}
            for engine in args.engines.split(","):
                row = child(args, "--phase", "run", "--stage", stage, "--engine", engine)
                by_engine[engine] = row
                rows.append(row)
                base = by_engine.get("local") or by_engine.get("memory") or row
                print(
                    f"{stage:8} {engine:7} {row['seconds']:8.2f} s  (x{row['seconds'] / base['seconds']:.2f} of "
                    f"{base['engine']})  driver CPU {row['driver_cpu_seconds']:7.2f} s, workers "
                    f"{row['worker_cpu_seconds']:7.2f} s, driver peak RSS {row['driver_peak_rss_gb']:.2f} GB, "
                    f"load {row['load_before'][0]}"
                )
        overhead = {
            stage: round(d["seconds"] - l_["seconds"], 2)
            for stage in args.stages.split(",")
            for d in rows
            for l_ in rows
            if d["stage"] == l_["stage"] == stage and d["engine"] == "dask" and l_["engine"] == "local"
        }
        print("dask overhead over local (wall seconds, 2 workers on this 2-core machine):", overhead)
        save_results(
            RESULTS if args.scale == 100_000 else RESULTS.with_name(f"dask_engine_{args.scale}.json"),
            {"scale": args.scale, "loaded": loaded, "runs": rows, "dask_overhead_seconds": overhead},
        )
    finally:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
