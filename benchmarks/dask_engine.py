"""embed, dedup and cluster in memory, on shards in this process (--engine local) and on Dask (--engine dask).

    python benchmarks/dask_engine.py                  # 100k personas
    python benchmarks/dask_engine.py --scale 1000000
    python benchmarks/dask_engine.py --quick          # 20k, for development
    python benchmarks/dask_engine.py --scale 1000000 --work DIR --stages dedup  # resumable: the store and rows kept
    python benchmarks/dask_engine.py --float16-recall 50000,200000  # float16 against float32 vector files

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
import hashlib
import itertools
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

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from results_file import save_results  # noqa: E402

RESULTS = Path(__file__).resolve().parent / "results" / "dask_engine.json"
FLOAT16_RESULTS = RESULTS.with_name("float16_recall.json")
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
    # Streamed in chunks: at 1M, Persona objects for every text at once cost ~2 GB of driver memory.
    chunk = 50_000
    ids: list[str] = []
    started = time.perf_counter()
    for start in range(0, len(corpus.texts), chunk):
        people = [Persona(text=t, hop=int((start + k) % 3)) for k, t in enumerate(corpus.texts[start : start + chunk])]
        ids.extend(p.id for p in people)
        if hasattr(store, "bulk_upsert_personas"):
            store.bulk_upsert_personas([{"id": p.id, **p.props()} for p in people])
        else:
            store.upsert_personas(people)
    del corpus
    for start in range(0, len(ids), chunk):
        pairs = [(ids[k], ids[(k * 7919 + 13) % len(ids)]) for k in range(start, min(start + chunk, len(ids)))]
        pairs = [(a, b) for a, b in pairs if a != b]
        if hasattr(store, "bulk_add_relations"):
            store.bulk_add_relations([(a, b, "FRIEND_OF", {}) for a, b in pairs])
        else:
            store.add_relations([Relation(src=a, dst=b, type="FRIEND_OF") for a, b in pairs])
    seconds = time.perf_counter() - started
    count = store.count("Persona")
    store.close()
    return {"personas": count, "seconds": round(seconds, 1)}


def digest(items: list[Any]) -> str:
    return hashlib.sha256(json.dumps(items).encode()).hexdigest()[:16]


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
        # Same groups, not only as many: every (kept, merged...) group, hashed.
        figures["groups_digest"] = digest(sorted((g.canonical, *g.duplicates) for g in report.groups))
    else:
        strata = compute_strata(store, embeddings, seed=0, engine=engine)
        figures = {"k": strata.k, "communities": strata.communities}
    seconds = time.perf_counter() - started
    if args.stage == "cluster":  # read back after the clock: every persona's cluster, hashed
        figures["assignment_digest"] = digest(
            [(r["id"], r["cluster"]) for r in store.iter_personas(fields=("id", "cluster"))]
        )
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


def write_text_shards(texts: list[str], folder: Path) -> Any:
    """Persona shards (the layout of ``engine.shards``) straight from texts: no store in this measure."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    from personagraph.engine.shards import SHARD_ROWS, Shard, ShardSet

    (folder / "personas").mkdir(parents=True)
    shards = []
    for number, start in enumerate(range(0, len(texts), SHARD_ROWS)):
        part = texts[start : start + SHARD_ROWS]
        path = folder / "personas" / f"shard-{number:05d}.parquet"
        idx = np.arange(start, start + len(part), dtype=np.int64)
        table = {"idx": idx, "id": [f"p{k:09d}" for k in idx.tolist()], "text": part, "hop": [0] * len(part)}
        pq.write_table(pa.table({**table, "created_at": pa.array([None] * len(part), pa.string())}), path)
        shards.append(Shard(number, str(path), start, len(part)))
    return ShardSet(folder / "personas", shards)


def float16_recall(name: str, texts: list[str], search: str, cosine: float, settings: Any) -> dict[str, Any]:
    """The embedding dedup stage's pairs and groups with float16 vector files against float32, same personas.

    The MinHash stage runs first (its merged personas are not in the embedding stage, as in a real run);
    the embedding stage then runs twice on the same survivors, once per vector file type. Recall of
    float16 = pairs (groups) found by both / pairs (groups) found with float32."""
    from personagraph.dedup.run import DedupOptions
    from personagraph.dedup.sharded_run import _grouped, embedding_pairs, minhash_pairs
    from personagraph.embeddings.embedders import StaticEmbedder, static_model_dir
    from personagraph.engine.executor import LocalEngine

    options = DedupOptions(embedder="static", search=search, cosine=cosine).check()
    engine = LocalEngine()
    with tempfile.TemporaryDirectory(prefix="float16-recall-") as tmp:
        work = Path(tmp)
        shards = write_text_shards(texts, work)
        alive = np.ones(len(texts), dtype=bool)
        merged, _ = minhash_pairs(engine, shards, work, options, {})
        for _, members in _grouped(shards, merged, "components"):
            alive[members] = False
        model = StaticEmbedder(static_model_dir(settings))
        files: dict[str, list[str]] = {"float32": [], "float16": []}
        for shard in shards.shards:
            vectors = model.encode(texts[shard.start : shard.start + shard.rows], batch_size=256)
            for dtype, paths in files.items():
                paths.append(str(work / f"{dtype}-{shard.number:05d}.npy"))
                np.save(paths[-1], vectors.astype(dtype), allow_pickle=False)
        found: dict[str, Any] = {}
        for dtype, paths in files.items():
            started = time.process_time()
            pairs = embedding_pairs(engine, shards, work, paths, alive, options)
            groups = {tuple(sorted((c, *ms))) for c, ms in _grouped(shards, pairs, options.linkage)}
            found[dtype] = {
                "pairs": {tuple(p) for p in pairs.tolist()},
                "groups": groups,
                "cpu_seconds": round(time.process_time() - started, 2),
            }
    f32, f16 = found["float32"], found["float16"]
    both_pairs, both_groups = f32["pairs"] & f16["pairs"], f32["groups"] & f16["groups"]
    return {
        "data": name,
        "personas": len(texts),
        "embedding_stage_personas": int(alive.sum()),
        "search": search,
        "cosine": cosine,
        "pairs_float32": len(f32["pairs"]),
        "pairs_float16": len(f16["pairs"]),
        "pairs_both": len(both_pairs),
        "pair_recall": round(len(both_pairs) / len(f32["pairs"]), 5) if f32["pairs"] else 1.0,
        "groups_float32": len(f32["groups"]),
        "groups_float16": len(f16["groups"]),
        "groups_both": len(both_groups),
        "group_recall": round(len(both_groups) / len(f32["groups"]), 5) if f32["groups"] else 1.0,
        "cpu_seconds": {"float32": f32["cpu_seconds"], "float16": f16["cpu_seconds"]},
    }


def run_float16_recall(scales: list[int]) -> None:
    """``--float16-recall``: the real sample (5,000 personas) and the planted corpus at each scale."""
    from dedup_corpus import generate, sample_dir

    from personagraph.config import Settings
    from personagraph.embeddings.embedders import distill_static

    settings = Settings()
    distill_static(settings)
    sample = sample_dir() / "personas.jsonl"
    data: list[tuple[str, list[str]]] = []
    if sample.exists():
        real = [json.loads(line)["persona"] for line in sample.read_text(encoding="utf-8").splitlines() if line]
        data.append(("personahub-sample", real))
        data += [(f"planted corpus {n:,}", generate(n).texts) for n in scales]
    else:  # the corpus needs the sample: the test generator instead
        sys.path.insert(0, str(ROOT))
        from tests.persona_corpus import generated_personas

        data += [(f"generated {n:,}", list(generated_personas(n))) for n in scales]
    rows = []
    load = os.getloadavg()
    for name, texts in data:
        # 0.9 is the default; 0.8 puts many more pairs near the threshold (where rounding can flip one).
        for search, cosine in itertools.product(("exact", "auto") if len(texts) > 50_000 else ("exact",), (0.9, 0.8)):
            row = float16_recall(name, texts, search, cosine, settings)
            rows.append(row)
            print(
                f"{name:26} {search:5} cos {cosine}  pairs f32 {row['pairs_float32']:6} f16 {row['pairs_float16']:6} "
                f"both {row['pairs_both']:6}  recall {row['pair_recall']:.5f}  groups recall {row['group_recall']:.5f}"
                f"  (CPU s f32 {row['cpu_seconds']['float32']}, f16 {row['cpu_seconds']['float16']})"
            )
            worst = min(r["pair_recall"] for r in rows)
            save_results(
                FLOAT16_RESULTS,
                {"runs": rows, "worst_pair_recall": worst, "load_before": [round(x, 2) for x in load]},
            )
    if min(r["pair_recall"] for r in rows) < 0.999:
        print("float16 pair recall is below 0.999 on some data: use float32 vector files there")


def results_path(scale: int) -> Path:
    """``dask_engine.json`` for the 100k default, ``dask_engine-1m.json`` / ``dask_engine-250k.json`` otherwise."""
    if scale == 100_000:
        return RESULTS
    label = f"{scale // 1_000_000}m" if scale % 1_000_000 == 0 else f"{scale // 1000}k"
    return RESULTS.with_name(f"dask_engine-{label}.json")


def summary(scale: int, loaded: dict[str, Any], rows: list[dict[str, Any]]) -> dict[str, Any]:
    """The rows, and per stage what Dask cost over local: wall seconds and CPU seconds (driver + workers)."""
    overhead: dict[str, dict[str, float]] = {}
    for d in rows:
        for l_ in rows:
            if d["stage"] == l_["stage"] and d["engine"] == "dask" and l_["engine"] == "local":
                cpu_d = d["driver_cpu_seconds"] + d["worker_cpu_seconds"]
                cpu_l = l_["driver_cpu_seconds"] + l_["worker_cpu_seconds"]
                overhead[d["stage"]] = {
                    "wall_seconds": round(d["seconds"] - l_["seconds"], 2),
                    "cpu_seconds": round(cpu_d - cpu_l, 2),
                    "cpu_ratio": round(cpu_d / cpu_l, 3) if cpu_l else float("nan"),
                    "same_result": same_result(d, l_),
                }
    return {"scale": scale, "loaded": loaded, "runs": rows, "dask_overhead": overhead}


RESULT_KEYS = ("personas", "groups", "duplicates", "by_stage", "k", "communities", "assignment_digest", "groups_digest")


def same_result(a: dict[str, Any], b: dict[str, Any]) -> bool:
    return all(a.get(k) == b.get(k) for k in RESULT_KEYS)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--scale", type=int, default=100_000)
    parser.add_argument("--quick", action="store_true", help="20k personas")
    parser.add_argument("--jvm-heap", default="2g")
    parser.add_argument("--stages", default=",".join(STAGES))
    parser.add_argument("--engines", default=",".join(ENGINES))
    parser.add_argument(
        "--work",
        help="keep the loaded store in this folder and reuse it on the next run (the load is skipped when it is there)",
    )
    parser.add_argument(
        "--float16-recall",
        metavar="SCALES",
        help="only measure the embedding dedup stage's recall with float16 vector files against float32, "
        "on the Persona Hub sample and the planted corpus at these scales (e.g. 50000,200000)",
    )
    parser.add_argument("--store", help=argparse.SUPPRESS)
    parser.add_argument("--cache", help=argparse.SUPPRESS)
    parser.add_argument("--phase", choices=["load", "run"], help=argparse.SUPPRESS)
    parser.add_argument("--stage", choices=STAGES, help=argparse.SUPPRESS)
    parser.add_argument("--engine", choices=ENGINES, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.float16_recall is not None:
        run_float16_recall([int(n) for n in args.float16_recall.split(",") if n])
        return
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

    work = Path(args.work) if args.work else Path(tempfile.mkdtemp(prefix="dask-engine-bench-"))
    work.mkdir(parents=True, exist_ok=True)
    args.store, args.cache = str(work / "store"), str(work / "cache")
    out = results_path(args.scale)
    try:
        models = Path.home() / ".cache" / "personagraph" / "models"
        if models.exists() and not (work / "cache" / "models").exists():
            # the machine's distilled static model: distilling is not what is measured
            (work / "cache").mkdir(exist_ok=True)
            (work / "cache" / "models").symlink_to(models, target_is_directory=True)
        distill_static(Settings(cache_dir=args.cache))
        done = work / "loaded.json"
        if done.exists():
            loaded = json.loads(done.read_text())
            print(f"reusing the store of {loaded['personas']:,} personas in {work}")
        else:
            loaded = child(args, "--phase", "load")
            done.write_text(json.dumps(loaded))
            print(f"loaded {loaded['personas']:,} personas in {loaded['seconds']} s")
        rows: list[dict[str, Any]] = []
        if args.work and out.exists():  # a resumed run: the rows saved before, less the ones run again
            again = {(st, en) for st in args.stages.split(",") for en in args.engines.split(",")}
            rows = [r for r in json.loads(out.read_text())["runs"] if (r["stage"], r["engine"]) not in again]
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
                # Saved after every row: a 1M run takes hours on a shared machine.
                save_results(out, summary(args.scale, loaded, rows))
        print("dask over local (2 workers on this 2-core machine):", summary(args.scale, loaded, rows)["dask_overhead"])
    finally:
        if not args.work:
            shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
