"""Target-distribution sampling benchmark: a 10k batch of 1M candidates matching a 3-attribute target
(country x age band x gender), its total variation distance (TVD) beside a random and a stratified batch
of the same size on the same candidates.

    python benchmarks/target_sampling.py            # 1M candidates, batch 10k
    python benchmarks/target_sampling.py --quick    # 100k candidates, batch 1k

The candidates are generated: ``--clusters`` topic clusters of Zipf-like sizes, each with its own skew
of country, age band and gender (so the clusters the stratified strategy balances are not the cells the
target asks for), and ``--dim``-dimensional unit vectors around the cluster centres for k-center. The
target is a census-like table: country shares unlike the candidates', age bands from a population
pyramid, half women, independent of each other, plus one country no candidate has (its cells cannot be
filled; the report names them and their share is the least TVD any batch can reach). Both target forms
are run: the joint cells, and the three marginals raked onto the candidates' joint counts. Times are
wall-clock on this machine (shared: see the load average in the JSON). Results go to
benchmarks/results/target_sampling.json.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path
from typing import Any

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from results_file import save_results

from personagraph.sampling import strategies
from personagraph.sampling import target as tg

RESULTS = Path(__file__).resolve().parent / "results"
COUNTRIES = ["US", "IN", "BR", "DE", "NG", "JP", "FR", "MX", "EG", "ID"]
BANDS = ["18-24", "25-34", "35-44", "45-54", "55-64", "65+"]
GENDERS = ["female", "male"]


def candidates(n: int, clusters: int, dim: int, seed: int) -> tuple[list[tuple[str, str, str]], np.ndarray, np.ndarray]:
    """(attribute values per candidate, cluster per candidate, unit vectors)."""
    rng = np.random.default_rng(seed)
    weights = 1.0 / np.arange(1, clusters + 1) ** 0.8
    cluster = rng.choice(clusters, size=n, p=weights / weights.sum())
    # Each cluster skews the attributes its own way (Dirichlet around a web-like overall mix: many US,
    # young and male personas, as text-derived personas are).
    base = {
        "country": np.array([30, 8, 5, 6, 2, 5, 5, 3, 1, 2], dtype=float),
        "age": np.array([6, 10, 7, 4, 2, 1], dtype=float),
        "gender": np.array([1, 2], dtype=float),
    }
    values: dict[str, np.ndarray] = {}
    for name, options in (("country", COUNTRIES), ("age", BANDS), ("gender", GENDERS)):
        mix = rng.dirichlet(base[name], size=clusters)
        cumulative = mix.cumsum(axis=1)[cluster]
        values[name] = np.asarray(options)[(rng.random((n, 1)) > cumulative).sum(axis=1).clip(0, len(options) - 1)]
    centres = rng.standard_normal((clusters, dim)).astype(np.float32)
    vectors = centres[cluster] + 0.6 * rng.standard_normal((n, dim)).astype(np.float32)
    vectors /= np.linalg.norm(vectors, axis=1, keepdims=True)
    rows = list(zip(values["country"].tolist(), values["age"].tolist(), values["gender"].tolist(), strict=True))
    return rows, cluster.astype(np.int64), vectors


def census_target() -> tg.Target:
    country = dict(zip([*COUNTRIES, "CN"], [10, 14, 8, 6, 8, 6, 5, 6, 5, 8, 4], strict=True))  # CN: no candidate
    pyramid = dict(zip(BANDS, [12, 20, 19, 17, 15, 17], strict=True))
    gender = {"female": 1.0, "male": 1.0}
    marginals = {
        "country": {k: v / sum(country.values()) for k, v in country.items()},
        "age_band": {k: v / sum(pyramid.values()) for k, v in pyramid.items()},
        "gender": {k: v / 2 for k, v in gender.items()},
    }
    cells = {
        (c, a, g): marginals["country"][c] * marginals["age_band"][a] * marginals["gender"][g]
        for c in marginals["country"]
        for a in marginals["age_band"]
        for g in marginals["gender"]
    }
    return tg.Target(("country", "age_band", "gender"), cells=cells, marginals=marginals, source="census-like")


def run_target(
    target: tg.Target, rows: list[tuple[str, str, str]], cluster: np.ndarray, vectors: np.ndarray, size: int, seed: int
) -> dict[str, Any]:
    started = time.perf_counter()
    counts: dict[tuple[str, ...], float] = {}
    for row in rows:
        counts[row] = counts.get(row, 0.0) + 1.0
    shares_by_cell = tg.joint_shares(target, counts)
    cells = list(shares_by_cell)
    shares = np.array([shares_by_cell[c] for c in cells])
    index = tg.cell_index(rows, cells)
    capacity = np.bincount(index[index >= 0], minlength=len(cells))
    quotas = tg.cell_quotas(shares, capacity, size)
    planned = time.perf_counter() - started
    chosen = tg.select_target(index, quotas, vectors=vectors, strata=cluster, seed=seed)
    seconds = time.perf_counter() - started
    random_rows = strategies.select_random(len(rows), size, seed=seed + 1)
    stratified_rows = strategies.select_stratified(cluster, size, allocation="sqrt", seed=seed)
    report = tg.target_report(target, cells, shares, quotas, capacity, index[chosen], size)
    floor = sum(float(shares[i]) for i in range(len(cells)) if capacity[i] == 0)
    return {
        "kind": target.kind,
        "batch": len(chosen),
        "cells": len(cells),
        "unfillable_cells": len(report["unfillable"]),
        "tvd_least_possible": round(floor, 4),
        # marginal values no candidate holds (raked targets: the joint TVD is against the raked cells,
        # which leave them out; they show in the marginal TVD)
        "unreachable": tg.unreachable(target, counts),
        "tvd": {
            "target": report["tvd"],
            "random": round(tg.tvd(index[random_rows], shares), 4),
            "stratified": round(tg.tvd(index[stratified_rows], shares), 4),
        },
        "marginal_tvd": {
            "target": tg.marginal_tvd([rows[int(r)] for r in chosen], target),
            "random": tg.marginal_tvd([rows[int(r)] for r in random_rows], target),
            "stratified": tg.marginal_tvd([rows[int(r)] for r in stratified_rows], target),
        },
        "seconds": {"plan": round(planned, 3), "total": round(seconds, 3)},
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=1_000_000, help="candidates")
    parser.add_argument("--batch", type=int, default=10_000)
    parser.add_argument("--clusters", type=int, default=500, help="topic clusters (the stratified strategy's strata)")
    parser.add_argument("--dim", type=int, default=64, help="vector dimensions (384 for MiniLM; 64 keeps 1M in memory)")
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--quick", action="store_true", help="100k candidates, batch 1k")
    args = parser.parse_args()
    if args.quick:
        args.n, args.batch = 100_000, 1_000
    started = time.perf_counter()
    rows, cluster, vectors = candidates(args.n, args.clusters, args.dim, args.seed)
    print(f"{args.n:,} candidates generated in {time.perf_counter() - started:.1f} s; batch {args.batch:,}")
    census = census_target()
    results = {}
    for name, target in (
        ("joint cells", tg.Target(census.attributes, cells=census.cells, source="census-like cells")),
        ("raked marginals", tg.Target(census.attributes, marginals=census.marginals, source="census-like marginals")),
    ):
        result = run_target(target, rows, cluster, vectors, args.batch, args.seed)
        results[name] = result
        t = result["tvd"]
        print(
            f"{name:>16}: TVD target {t['target']:.4f} | random {t['random']:.4f} | stratified {t['stratified']:.4f} "
            f"(least possible {result['tvd_least_possible']:.4f}: {result['unfillable_cells']} cells cannot be filled); "
            f"{result['seconds']['total']:.1f} s"
        )
        for item in result["unreachable"]:
            print(f"{'':>18}no candidate has {item['attribute']} = {item['value']} (target share {item['target']:.1%})")
        for attribute in census.attributes:
            m = result["marginal_tvd"]
            print(
                f"{'':>18}{attribute:>9} TVD: target {m['target'][attribute]:.4f} | random {m['random'][attribute]:.4f} "
                f"| stratified {m['stratified'][attribute]:.4f}"
            )
    save_results(
        RESULTS / "target_sampling.json",
        {"n": args.n, "batch": args.batch, "clusters": args.clusters, "dim": args.dim, "seed": args.seed, **results},
    )


if __name__ == "__main__":
    main()
