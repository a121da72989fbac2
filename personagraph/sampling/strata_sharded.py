"""`personagraph cluster --engine local|dask`: k-means trained once on a sample, assignment streamed by shard.

The personas go into Parquet shards and their vectors into per-shard float16 files (see
``personagraph.engine.shards`` and ``personagraph.embeddings.sharded``). This process draws a
seeded sample of at most 256 rows per cluster (what faiss trains on anyway), trains the centroids
once, and the engine assigns every shard to its nearest centroid and counts the words of the
labels (``clustering.assign_shard``): the same centroids and the same shards give the same
assignment on either engine. Clusters are numbered by size as ``clustering.kmeans`` numbers them;
this process alone writes them to the graph, shard by shard. Louvain still reads every relation
(``louvain_communities``, in memory).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

import numpy as np

from personagraph.engine.executor import open_engine
from personagraph.engine.shards import ShardSet, gather_vectors, read_column, work_folder, write_persona_shards
from personagraph.runtime import checkpoint
from personagraph.sampling.clustering import (
    LabelStats,
    assign_shard,
    default_clusters,
    size_order,
    train_centroids,
)
from personagraph.sampling.communities import louvain_communities
from personagraph.sampling.strata import StrataReport, store_clusters
from personagraph.store.graph import chunked

if TYPE_CHECKING:
    from personagraph.embeddings.embeddings import Embeddings
    from personagraph.store import GraphStore

POINTS_PER_CLUSTER = 256  # the training sample (faiss's own max_points_per_centroid)


def training_sample(shards: ShardSet, files: list[str], k: int, seed: int) -> np.ndarray:
    """A seeded sample of at most ``POINTS_PER_CLUSTER · k`` vectors (all of them when fewer), read by memory map."""
    n = shards.total
    size = min(n, POINTS_PER_CLUSTER * k)
    idx = np.arange(n) if size == n else np.sort(np.random.default_rng(seed).choice(n, size=size, replace=False))
    return gather_vectors(idx, files, [s.start for s in shards.shards])


def sharded_strata(
    store: GraphStore,
    embeddings: Embeddings,
    clusters: int | None,
    seed: int,
    method: str,
    engine: str,
    scheduler: str | None = None,
    work_dir: str | None = None,
    progress: Callable[[int], None] | None = None,
) -> StrataReport:
    from personagraph.embeddings.sharded import embed_shards, vector_files

    with (
        open_engine(engine, scheduler) as runner,
        work_folder(store.side_folder() or embeddings.folder.parent, work_dir) as work,
    ):
        shards = write_persona_shards(store, work)
        n = shards.total
        if not n:
            return StrataReport(0, 0, seed, embeddings.name, 0, 0)
        embed_shards(embeddings, runner, shards, work, progress=progress)
        files = vector_files(embeddings, shards, work)
        k = clusters or default_clusters(n)
        requested = k if k > n else None
        k = min(k, n)
        centroids = train_centroids(training_sample(shards, files, k, seed), k, seed=seed, method=method)
        tasks: list[dict[str, Any]] = [
            {"vectors": f, "path": s.path, "start": s.start, "out": str(work / f"labels-{s.number:05d}.npy")}
            for s, f in zip(shards.shards, files, strict=True)
        ]
        results = runner.map(assign_shard, tasks, centroids=centroids)
        counts = np.sum([r[0] for r in results], axis=0)
        first = np.min([r[1] for r in results], axis=0)
        stats = LabelStats()
        for _, _, part in results:
            stats.merge(part)
        mapping = size_order(counts, first)
        words = stats.renumbered(mapping).labels()
        ids_all: list[str] = []
        for shard in shards.shards:
            ids_all.extend(str(i) for i in read_column(shard.path, "id"))
        community = louvain_communities(ids_all, ((r["src"], r["dst"]) for r in store.iter_relations()), seed=seed)
        del ids_all
        sizes: Counter[int] = Counter()
        for shard, task in zip(shards.shards, tasks, strict=True):
            ids = [str(i) for i in read_column(shard.path, "id")]
            labels = mapping[np.load(task["out"])]
            sizes.update(labels.tolist())
            rows = [{"id": i, "cluster": int(c), "community": community[i]} for i, c in zip(ids, labels, strict=True)]
            for chunk in chunked(rows, 5000):
                store.run("sampling/set_strata", rows=chunk)
                checkpoint("strata_set")
    nodes = store_clusters(store, sizes, words, k, seed, embeddings.name, method)
    found = {c for c in community.values() if c >= 0}
    return StrataReport(
        n,
        len(sizes),
        seed,
        embeddings.name,
        len(found),
        sum(1 for c in community.values() if c < 0),
        [{"cluster": node["id"], "size": node["size"], "label": node["label"]} for node in nodes],
        requested,
    )
