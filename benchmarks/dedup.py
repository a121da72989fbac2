"""Near-duplicate detection at scale: each stage's time and peak memory, recall, datasketch beside it.

    python benchmarks/dedup.py                 # 1M personas (5% planted near-copies), then the graph run
    python benchmarks/dedup.py --quick         # 50k, for development
    python benchmarks/dedup.py --skip-graph    # the array stages and baselines only

1. The stages on arrays, in this process: tokenising, MinHash signatures, LSH banding + exact
   verification, static embeddings, similarity search (faiss IVF), grouping.
2. Recall on a 20k sample built from planted pairs (so that it holds pairs to find): MinHash
   pairs against exact Jaccard (prefix-filter join), cosine pairs against brute force; and the
   share of planted pairs that end in one group, by kind of edit. The cell search is compared
   with faiss ``IndexIVFFlat`` range search on the same vectors (time, recall).
3. Baseline in the same run: datasketch used the straightforward way (``MinHash()`` and
   ``update()`` per word, ``MinHashLSH`` with its default banding for 0.9) on a subset,
   extrapolated linearly to the full scale (labelled), and its pair recall on the same sample.
4. The graph: the corpus loaded into an embedded store by a child process (loading time reported
   on its own), then ``dedup_graph`` (static embedder, merge included) in another child process,
   whose own peak RSS (JVM included) is the memory figure.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from dedup_corpus import KINDS, Corpus, generate  # noqa: E402
from results_file import save_results  # noqa: E402

from personagraph.dedup import ann, groups, lsh  # noqa: E402
from personagraph.dedup.minhash import Vocabulary, char_ngram_jaccard, signatures, tokenise, words  # noqa: E402

RESULTS = Path(__file__).resolve().parent / "results" / "dedup.json"
GB = 1 << 30


def rss() -> int:
    import psutil

    return int(psutil.Process().memory_info().rss)


class Stages:
    """Times each stage and samples RSS every 20 ms to get its peak."""

    def __init__(self) -> None:
        self.rows: dict[str, dict[str, float]] = {}

    @contextmanager
    def stage(self, name: str) -> Iterator[None]:
        start_rss, peak = rss(), [rss()]
        done = threading.Event()

        def sample() -> None:
            while not done.wait(0.02):
                peak[0] = max(peak[0], rss())

        sampler = threading.Thread(target=sample, daemon=True)
        sampler.start()
        started = time.perf_counter()
        try:
            yield
        finally:
            seconds = time.perf_counter() - started
            done.set()
            sampler.join()
            peak[0] = max(peak[0], rss())
            self.rows[name] = {
                "seconds": round(seconds, 2),
                "peak_rss_gb": round(peak[0] / GB, 2),
                "added_gb": round((peak[0] - start_rss) / GB, 2),
            }
            print(
                f"  {name:<28} {seconds:8.2f} s   peak RSS {peak[0] / GB:5.2f} GB (+{(peak[0] - start_rss) / GB:.2f})",
                flush=True,
            )


def pair_set(pairs: np.ndarray) -> set[tuple[int, int]]:
    return {(int(a), int(b)) for a, b in pairs}


def restrict(pairs: np.ndarray, members: np.ndarray) -> set[tuple[int, int]]:
    """The pairs whose two members are both in ``members`` (global indexes)."""
    inside = np.isin(pairs[:, 0], members) & np.isin(pairs[:, 1], members)
    return pair_set(pairs[inside])


def recall(found: set[tuple[int, int]], truth: set[tuple[int, int]]) -> float:
    return len(found & truth) / len(truth) if truth else 1.0


# -- 1-3: arrays ----------------------------------------------------------------------------
def array_stages(corpus: Corpus, args: argparse.Namespace, out: dict[str, Any]) -> None:
    texts = corpus.texts
    n = len(texts)
    stages = Stages()
    print(f"\n[1] stages on arrays, {n:,} personas ({len(corpus.planted):,} planted near-copies)")
    with stages.stage("tokenising"):
        tokens = tokenise(texts, Vocabulary())
    with stages.stage("hashing (MinHash, 128 perm.)"):
        sigs = signatures(tokens)
    bands, rows = lsh.choose_bands(0.9)
    with stages.stage(f"LSH banding (b={bands}, r={rows})"):
        candidates = lsh.candidate_pairs(lsh.band_keys(sigs, bands, rows))
    with stages.stage("exact verification"):
        minhash_pairs = lsh.verify(tokens, candidates, 0.9)
    rank = np.arange(n)
    stage1 = groups.components(n, minhash_pairs.pairs, rank)
    alive = np.ones(n, dtype=bool)
    for members in stage1.members:
        alive[members] = False
    survivors = np.flatnonzero(alive)
    from personagraph.embeddings.embedders import get_embedder

    embedder = get_embedder("static")
    with stages.stage("embedding (static, survivors)"):
        vectors = embedder.encode([texts[i] for i in survivors])
    with stages.stage("similarity search (cells)"):
        cosine = ann.cosine_pairs(vectors, 0.9)
    with stages.stage("surface-overlap check"):
        keep = char_ngram_jaccard([texts[i] for i in survivors], cosine.pairs) >= 0.3
    with stages.stage("grouping (union-find)"):
        stage2 = groups.components(len(survivors), cosine.pairs[keep], rank[survivors])
        final = np.arange(n)
        for canon, members in zip(stage1.canonical, stage1.members, strict=True):
            final[members] = canon
        for canon, members in zip(stage2.canonical, stage2.members, strict=True):
            for m in members:
                final[final == survivors[m]] = survivors[canon]  # few groups: fine for a benchmark
    minhash_seconds = sum(stages.rows[k]["seconds"] for k in list(stages.rows)[:4])
    planted = np.sort(corpus.planted, axis=1)
    together = final[planted[:, 0]] == final[planted[:, 1]]
    kinds = np.array(corpus.kinds)
    planted_ids = set(planted.ravel().tolist())
    merged = np.flatnonzero(final != np.arange(n))
    out["arrays"] = {
        "personas": n,
        "planted_pairs": len(planted),
        "stages": stages.rows,
        "minhash_lsh_seconds": round(minhash_seconds, 2),
        "bands": bands,
        "rows": rows,
        "minhash_candidates": len(candidates),
        "minhash_pairs": len(minhash_pairs),
        "cosine_pairs": len(cosine),
        "cosine_pairs_after_overlap_check": int(keep.sum()),
        "groups_minhash": len(stage1),
        "groups_embedding": len(stage2),
        "personas_merged": len(merged),
        "merged_outside_planted_pairs": int(sum(1 for m in merged.tolist() if m not in planted_ids)),
        "planted_recall": round(float(together.mean()), 4),
        "planted_recall_by_kind": {k: round(float(together[kinds == k].mean()), 4) for k in KINDS},
    }
    print(f"  MinHash + LSH + verification: {minhash_seconds:.1f} s (target ≤ 45 s at 1M)")
    print(
        f"  planted pairs merged: {together.mean():.4f}; by kind: "
        + ", ".join(f"{k} {v:.3f}" for k, v in out["arrays"]["planted_recall_by_kind"].items())
    )

    # -- 2: recall on a 20k sample made of planted pairs ------------------------------------
    rng = np.random.default_rng(11)
    picked = planted[rng.choice(len(planted), min(len(planted), args.sample // 2), replace=False)]
    sample = np.unique(picked.ravel())
    print(f"\n[2] recall on a sample of {len(sample):,} personas (both sides of {len(picked):,} planted pairs)")
    sample_tokens = tokenise([texts[i] for i in sample], Vocabulary())
    started = time.perf_counter()
    exact = lsh.exact_jaccard_pairs(sample_tokens, 0.9)
    exact_seconds = time.perf_counter() - started
    truth_j = {(int(sample[a]), int(sample[b])) for a, b in exact.pairs}
    found_j = restrict(minhash_pairs.pairs, sample)
    in_sample = np.isin(survivors, sample)
    local = np.flatnonzero(in_sample)
    started = time.perf_counter()
    brute = ann.brute_force_pairs(vectors[local], 0.9)
    brute_seconds = time.perf_counter() - started
    truth_c = {(int(survivors[local[a]]), int(survivors[local[b]])) for a, b in brute.pairs}
    found_c = (
        pair_set(np.stack([survivors[cosine.pairs[:, 0]], survivors[cosine.pairs[:, 1]]], axis=1))
        if len(cosine)
        else set()
    )
    members = set(sample.tolist())
    found_c = {p for p in found_c if p[0] in members and p[1] in members}
    out["recall"] = {
        "sample": len(sample),
        "minhash_pair_recall_vs_exact_jaccard": round(recall(found_j, truth_j), 4),
        "exact_jaccard_pairs": len(truth_j),
        "exact_join_seconds": round(exact_seconds, 2),
        "cosine_pair_recall_vs_brute_force": round(recall(found_c, truth_c), 4),
        "brute_force_cosine_pairs": len(truth_c),
        "brute_force_seconds": round(brute_seconds, 2),
    }
    print(
        f"  MinHash LSH pair recall vs exact Jaccard: {out['recall']['minhash_pair_recall_vs_exact_jaccard']:.4f} "
        f"({len(truth_j):,} pairs; target ≥ 0.99)"
    )
    print(
        f"  cell search pair recall vs brute force:   {out['recall']['cosine_pair_recall_vs_brute_force']:.4f} "
        f"({len(truth_c):,} pairs MinHash left, the ones near the threshold; target ≥ 0.98)"
    )

    ann_comparison(vectors, args, out)

    # -- 3: datasketch the straightforward way ---------------------------------------------
    datasketch_baseline(texts, sample, truth_j, args, out)


def ann_comparison(vectors: np.ndarray, args: argparse.Namespace, out: dict[str, Any]) -> None:
    """Cells (ours) against faiss IndexIVFFlat range search on the same vectors, recall vs brute force."""
    subset = vectors[: args.ann_subset]
    rng = np.random.default_rng(3)
    queries = np.sort(rng.choice(len(subset), min(len(subset), 2000), replace=False))
    sims = subset[queries] @ subset.T
    sims[np.arange(len(queries)), queries] = -1
    qi, j = np.nonzero(sims >= 0.9)
    truth = {(min(int(queries[a]), int(b)), max(int(queries[a]), int(b))) for a, b in zip(qi, j, strict=True)}
    asked = set(queries.tolist())
    print(
        f"\n  similarity search on {len(subset):,} vectors, recall on {len(queries):,} query rows vs brute force "
        f"({len(truth):,} pairs):"
    )
    out["ann_comparison"] = {"vectors": len(subset), "query_rows": len(queries), "brute_force_pairs": len(truth)}
    for name, method in (("cells (ours, matrix products)", "cells"), ("faiss IndexIVFFlat range search", "ivf")):
        started = time.perf_counter()
        found = ann.cosine_pairs(subset, 0.9, method=method)
        seconds = time.perf_counter() - started
        got = {p for p in pair_set(found.pairs) if p[0] in asked or p[1] in asked}
        out["ann_comparison"][method] = {"seconds": round(seconds, 1), "recall": round(recall(got, truth), 4)}
        print(f"    {name:<34} {seconds:7.1f} s  recall {recall(got, truth):.4f}")


def datasketch_baseline(
    texts: list[str], sample: np.ndarray, truth: set[tuple[int, int]], args: argparse.Namespace, out: dict[str, Any]
) -> None:
    from datasketch import MinHash, MinHashLSH

    subset = min(len(texts), args.datasketch_subset)
    scale = len(texts) / subset
    print(
        f"\n[3] datasketch, per-item update and default banding, on {subset:,} personas"
        + (f" (extrapolated ×{scale:.0f} to {len(texts):,})" if scale > 1 else "")
    )

    def sketch(text: str) -> MinHash:
        m = MinHash(num_perm=128)
        for w in set(words(text)):
            m.update(w.encode("utf-8"))
        return m

    started = time.perf_counter()
    sketches = [sketch(t) for t in texts[:subset]]
    hashing = time.perf_counter() - started
    index = MinHashLSH(threshold=0.9, num_perm=128)
    started = time.perf_counter()
    with index.insertion_session() as session:
        for k, m in enumerate(sketches):
            session.insert(k, m)
    inserting = time.perf_counter() - started
    started = time.perf_counter()
    candidates = {(min(k, q), max(k, q)) for k, m in enumerate(sketches) for q in index.query(m) if q != k}
    querying = time.perf_counter() - started
    # Ours on the same subset, for a like-for-like time.
    started = time.perf_counter()
    tokens = tokenise(texts[:subset])
    sigs = signatures(tokens)
    b, r = lsh.choose_bands(0.9)
    lsh.verify(tokens, lsh.candidate_pairs(lsh.band_keys(sigs, b, r)), 0.9)
    ours = time.perf_counter() - started
    # datasketch's default banding: recall on the sample.
    sample_index = MinHashLSH(threshold=0.9, num_perm=128)
    sample_sketches = {int(i): sketch(texts[i]) for i in sample}
    for k, m in sample_sketches.items():
        sample_index.insert(k, m)
    found = set()
    for k, m in sample_sketches.items():
        for q in sample_index.query(m):
            if q != k:
                a, c = min(k, q), max(k, q)
                sa, sc = set(words(texts[a])), set(words(texts[c]))
                if len(sa & sc) / max(1, len(sa | sc)) >= 0.9:
                    found.add((a, c))
    total = hashing + inserting + querying
    out["datasketch"] = {
        "subset": subset,
        "bands": index.b,
        "rows": index.r,
        "minhash_seconds": round(hashing, 2),
        "lsh_insert_seconds": round(inserting, 2),
        "lsh_query_seconds": round(querying, 2),
        "total_seconds": round(total, 2),
        "extrapolated_total_seconds": round(total * scale, 1),
        "candidates": len(candidates),
        "ours_same_subset_seconds": round(ours, 2),
        "pair_recall_vs_exact_jaccard_default_banding": round(recall(found, truth), 4),
    }
    print(
        f"  MinHash {hashing:.1f} s + LSH insert {inserting:.1f} s + query {querying:.1f} s = {total:.1f} s"
        + (f"  → {total * scale:.0f} s extrapolated to the full scale" if scale > 1 else "")
    )
    print(f"  ours on the same {subset:,}: {ours:.1f} s  ({total / max(ours, 1e-9):.0f}× faster)")
    print(
        f"  datasketch default banding (b={index.b}, r={index.r}) pair recall on the sample: "
        f"{out['datasketch']['pair_recall_vs_exact_jaccard_default_banding']:.4f}"
    )


# -- 4: the graph ---------------------------------------------------------------------------
def child(phase: str, args: argparse.Namespace, store: Path, cache: Path) -> dict[str, Any]:
    env = {
        **os.environ,
        "PYTHONPATH": str(ROOT),
        "PERSONAGRAPH_JVM_HEAP": args.jvm_heap,
        "PERSONAGRAPH_CACHE_DIR": str(cache),
    }
    command = [
        sys.executable,
        __file__,
        "--phase",
        phase,
        "--store",
        str(store),
        "--scale",
        str(args.scale),
        "--relations",
        str(args.relations),
    ]
    proc = subprocess.run(command, env=env, capture_output=True, text=True, cwd=str(store.parent), check=False)
    if proc.returncode != 0:
        raise SystemExit(f"{phase} phase failed:\n{proc.stderr[-4000:]}")
    return dict(json.loads(proc.stdout.strip().splitlines()[-1]))


def phase_load(args: argparse.Namespace) -> dict[str, Any]:
    from personagraph.config import Settings
    from personagraph.models import Persona, Relation
    from personagraph.store import open_store

    corpus = generate(args.scale)
    store = open_store(args.store, Settings(store=args.store))
    people = [Persona(text=t, hop=int(k % 3)) for k, t in enumerate(corpus.texts)]
    del corpus
    bulk = hasattr(store, "bulk_upsert_personas")
    started = time.perf_counter()
    if bulk:  # the import path on main: ArcadeDB's batch API embedded
        for start in range(0, len(people), 50_000):
            store.bulk_upsert_personas([{"id": p.id, **p.props()} for p in people[start : start + 50_000]])
    else:
        store.upsert_personas(people, batch_size=5000)
    personas_seconds = time.perf_counter() - started
    rng = np.random.default_rng(5)
    m = int(args.relations * len(people))
    src, dst = rng.integers(0, len(people), m), rng.integers(0, len(people), m)
    types = list(store.vocabulary.types)
    kinds = rng.integers(0, len(types), m)
    started = time.perf_counter()
    if bulk:
        rows = [
            (people[a].id, people[b].id, types[t], {})
            for a, b, t in zip(src.tolist(), dst.tolist(), kinds.tolist(), strict=True)
            if a != b
        ]
        for start in range(0, len(rows), 50_000):
            store.bulk_add_relations(rows[start : start + 50_000])
        relations = len(rows)
    else:
        rels = [
            Relation(src=people[a].id, dst=people[b].id, type=types[t])
            for a, b, t in zip(src.tolist(), dst.tolist(), kinds.tolist(), strict=True)
            if a != b
        ]
        store.add_relations(rels, batch_size=5000)
        relations = len(rels)
    relations_seconds = time.perf_counter() - started
    count = store.count("Persona")
    path = store_path(store) if bulk else "cypher UNWIND"
    store.close()
    return {
        "path": path,
        "personas": count,
        "relations": relations,
        "personas_seconds": round(personas_seconds, 1),
        "relations_seconds": round(relations_seconds, 1),
    }


def store_path(store: Any) -> str:
    return str(getattr(getattr(store, "bulk", None), "path", "bulk"))


def phase_dedup(args: argparse.Namespace) -> dict[str, Any]:
    from personagraph.config import Settings
    from personagraph.dedup.run import DedupOptions, dedup_graph
    from personagraph.embeddings.embedders import distill_static
    from personagraph.store import open_store

    settings = Settings(store=args.store, cache_dir=os.environ.get("PERSONAGRAPH_CACHE_DIR"))
    distill_static(settings)  # done beforehand by the parent: not timed
    started = time.perf_counter()
    store = open_store(args.store, settings)
    from personagraph.embeddings.embeddings import Embeddings

    report = dedup_graph(store, Embeddings.for_store(store, "static", settings), DedupOptions(embedder="static"))
    seconds = time.perf_counter() - started
    loops = store.cypher("MATCH (a)-[r]->(a) RETURN count(r) AS n")[0]["n"]
    store.close()
    return {
        "seconds": round(seconds, 1),
        "peak_rss_gb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024 / GB, 2),
        "stage_seconds": {k: round(v, 1) for k, v in report.seconds.items()},
        "personas_before": report.personas_before,
        "personas_after": report.personas_after,
        "groups": len(report.groups),
        "groups_by_stage": report.groups_by_stage,
        "merge": report.merge,
        "self_loops_after": loops,
        "jvm_heap": os.environ.get("PERSONAGRAPH_JVM_HEAP"),
    }


def graph_stages(args: argparse.Namespace, out: dict[str, Any]) -> None:
    from personagraph.config import Settings
    from personagraph.embeddings.embedders import distill_static

    with tempfile.TemporaryDirectory(prefix="dedup-bench-", dir=args.workdir) as tmp:
        store, cache = Path(tmp) / "store", Path(tmp) / "cache"
        models = Path(os.environ.get("PERSONAGRAPH_CACHE_DIR") or Path.home() / ".cache" / "personagraph") / "models"
        cache.mkdir()
        distill_static(Settings(cache_dir=str(models.parent)))
        (cache / "models").symlink_to(models, target_is_directory=True)
        print(f"\n[4] the graph: {args.scale:,} personas in an embedded store (JVM heap {args.jvm_heap})")
        load = child("load", args, store, cache)
        print(
            f"  loading ({load['path']}): personas {load['personas_seconds']} s, {load['relations']:,} relations "
            f"{load['relations_seconds']} s (not part of the dedup figure)"
        )
        dedup = child("dedup", args, store, cache)
        print(
            f"  dedup (static embedder, merge included): {dedup['seconds']} s, peak RSS {dedup['peak_rss_gb']} GB "
            f"(targets ≤ 300 s, ≤ 4 GB); {dedup['personas_before']:,} → {dedup['personas_after']:,} personas"
        )
        for name, seconds in dedup["stage_seconds"].items():
            print(f"    {name:<24} {seconds:8.1f} s")
        print(f"  merge: {dedup['merge']}; self-loops after: {dedup['self_loops_after']}")
        out["graph"] = {"load": load, "dedup": dedup}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--scale", type=int, default=1_000_000, help="personas in the corpus")
    parser.add_argument("--quick", action="store_true", help="50k personas, smaller sample and subset")
    parser.add_argument("--sample", type=int, default=20_000, help="recall sample size")
    parser.add_argument("--datasketch-subset", type=int, default=100_000, help="personas datasketch runs on")
    parser.add_argument("--ann-subset", type=int, default=200_000, help="vectors for the cells vs faiss IVF comparison")
    parser.add_argument("--relations", type=float, default=0.5, help="random relations per persona in the graph run")
    parser.add_argument("--jvm-heap", default="2g", help="JVM heap of the graph run")
    parser.add_argument("--skip-graph", action="store_true", help="only the array stages and baselines")
    parser.add_argument("--workdir", default=None, help="where the temporary store goes")
    parser.add_argument("--out", type=Path, default=RESULTS)
    parser.add_argument("--phase", choices=["load", "dedup"], help=argparse.SUPPRESS)
    parser.add_argument("--store", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.phase:
        print(json.dumps(phase_load(args) if args.phase == "load" else phase_dedup(args)))
        return
    if args.quick:
        args.scale, args.sample, args.datasketch_subset, args.ann_subset = 50_000, 5_000, 20_000, 50_000
    started = time.perf_counter()
    corpus = generate(args.scale)
    out: dict[str, Any] = {
        "scale": args.scale,
        "cores": os.cpu_count(),
        "generate_seconds": round(time.perf_counter() - started, 1),
    }
    array_stages(corpus, args, out)
    del corpus
    if not args.skip_graph:
        graph_stages(args, out)
    print()
    save_results(args.out, out)


if __name__ == "__main__":
    main()
