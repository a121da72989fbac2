"""`personagraph cluster --engine local|dask`: k-means trained once on a sample, assignment streamed by shard.

The personas go into Parquet shards and their vectors into per-shard float16 files (see
``personagraph.engine.shards`` and ``personagraph.embeddings.sharded``). This process draws a
seeded sample of at most 256 rows per cluster (what faiss trains on anyway), trains the centroids
once, and the engine assigns every shard to its nearest centroid and counts the words of the
labels (``clustering.assign_shard``): the same centroids and the same shards give the same
assignment on either engine. Clusters are numbered by size as ``clustering.kmeans`` numbers them;
this process alone writes them to the graph, shard by shard. Louvain reads every relation, as two
int arrays of row numbers (``shard_communities``): 0.5 GB at 30M relations, and networkit's graph.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

import numpy as np

from personagraph.embeddings.vectors import encode_ids
from personagraph.engine.executor import open_engine
from personagraph.engine.shards import ShardSet, gather_vectors, read_column, work_folder, write_persona_shards
from personagraph.runtime import StepClock, checkpoint
from personagraph.sampling.clustering import (
    LabelStats,
    assign_shard,
    default_clusters,
    size_order,
    train_centroids,
)
from personagraph.sampling.communities import numbered_communities, simple_edges
from personagraph.sampling.strata import StrataReport, store_clusters
from personagraph.store.rid_pairs import OutOfRange, rid_codes

if TYPE_CHECKING:
    from personagraph.embeddings.embeddings import Embeddings
    from personagraph.store import GraphStore

POINTS_PER_CLUSTER = 256  # the training sample (faiss's own max_points_per_centroid)
WRITE_ROWS = 5000  # personas a write-back transaction
LARGE_WRITE = 20_000  # written personas from which the embedded store drops the cluster index meanwhile
RELATION_PAGE = 10_000  # source personas per read of their out-edges (~30k edges in the scale benchmark's graph)


def training_sample(shards: ShardSet, files: list[str], k: int, seed: int) -> np.ndarray:
    """A seeded sample of at most ``POINTS_PER_CLUSTER · k`` vectors (all of them when fewer), read by memory map."""
    n = shards.total
    size = min(n, POINTS_PER_CLUSTER * k)
    idx = np.arange(n) if size == n else np.sort(np.random.default_rng(seed).choice(n, size=size, replace=False))
    return gather_vectors(idx, files, [s.start for s in shards.shards])


def _id_keys(shards: ShardSet) -> np.ndarray:
    """Every persona id of the shards, in shard order, as one fixed-width bytes array (~20 bytes an id:
    200 MB at 10M, where a list of str and a dict from id to index held ~2 GB)."""
    parts = [encode_ids([str(i) for i in read_column(shard.path, "id")]) for shard in shards.shards]
    return np.concatenate(parts) if parts else np.zeros(0, dtype="S1")


def shard_communities(store: GraphStore, shards: ShardSet, seed: int, page: int = RELATION_PAGE) -> np.ndarray:
    """Louvain community of every row of the shards (an int array in shard order, -1 without relations).

    The relations are read page by page (the out-edges of ``page`` personas of a shard, their two ends
    only) and mapped to row numbers by binary search in the sorted ids, so the graph reaches networkit
    as two int arrays: no Python object per persona or relation. The rows, the edges and the numbering
    are those of ``louvain_communities`` on the same ids, so the communities are the same.
    """
    keys = _id_keys(shards)
    n = len(keys)
    order = np.argsort(keys, kind="stable")
    sorted_keys = keys[order]
    id_rank = np.empty(n, dtype=np.int64)
    id_rank[order] = np.arange(n)
    del keys
    sources: list[np.ndarray] = []
    targets: list[np.ndarray] = []
    for shard in shards.shards:
        ids = [str(i) for i in read_column(shard.path, "id")]
        for start in range(0, len(ids), page):
            columns = store.range_columns("sampling/relation_ends", ids[start : start + page], "src", sort=False)
            checkpoint("read_page")
            src, dst = (
                _rows_of(sorted_keys, order, columns.get("src") or []),
                _rows_of(sorted_keys, order, columns.get("dst") or []),
            )
            known = (src >= 0) & (dst >= 0)
            sources.append(src[known])
            targets.append(dst[known])
    del sorted_keys, order
    src = np.concatenate(sources) if sources else np.zeros(0, dtype=np.int64)
    dst = np.concatenate(targets) if targets else np.zeros(0, dtype=np.int64)
    del sources, targets
    u, v = simple_edges(src, dst, n)
    del src, dst
    return numbered_communities(n, u, v, id_rank, seed=seed)


def _stored(path: str, column: str) -> np.ndarray:
    """The int column of a persona shard, -2 where the graph held no value (never a real label)."""
    return np.array([-2 if v is None else v for v in read_column(path, column)], dtype=np.int64)


def _rows_of(sorted_keys: np.ndarray, order: np.ndarray, ids: list[Any]) -> np.ndarray:
    """Row number of each id (-1 for an id not among the shards' personas)."""
    if not ids or not len(sorted_keys):
        return np.full(len(ids), -1, dtype=np.int64)
    keys = encode_ids([str(i) for i in ids])
    pos = np.minimum(np.searchsorted(sorted_keys, keys), len(sorted_keys) - 1)
    return np.where(sorted_keys[pos] == keys, order[pos], -1)


def write_strata(
    store: GraphStore, shards: ShardSet, labels_of: Callable[[int], np.ndarray], community: np.ndarray
) -> int:
    """Write each persona's cluster (``labels_of(shard number)``) and community where they changed;
    returns how many personas were written.

    Only what changes is written (a second run with the same seed, or one cut short and run again,
    writes what the first did not). The rows go in record order where the store's element ids are
    record ids (ArcadeDB's ``#bucket:position``), so consecutive updates share pages: on a 1M store
    ~1.7x the rate of id order, and ~2.3x more without the ``cluster`` index, which a large write on
    the embedded store drops and ``schema`` re-creates (also at the next open after a crash).
    """
    ids: list[np.ndarray] = []
    values: list[np.ndarray] = []
    codes: list[np.ndarray] | None = []  # record ids as numbers; None once one is not a record id
    for shard in shards.shards:
        labels = labels_of(shard.number)
        own = community[shard.start : shard.start + shard.rows]
        changed = np.flatnonzero((labels != _stored(shard.path, "cluster")) | (own != _stored(shard.path, "community")))
        if not len(changed):
            continue
        shard_ids = read_column(shard.path, "id")
        ids.append(encode_ids([str(shard_ids[i]) for i in changed.tolist()]))
        values.append(np.stack([labels[changed], own[changed]], axis=1))
        if codes is not None:
            shard_rids = read_column(shard.path, "rid")
            try:
                codes.append(rid_codes([str(shard_rids[i]) for i in changed.tolist()]))
            except OutOfRange:  # element ids that are not record ids (Neo4j): the shards' id order
                codes = None
    if not ids:
        return 0
    keys = np.concatenate(ids)
    pairs = np.concatenate(values)
    del ids, values
    written = len(keys)
    order = np.argsort(np.concatenate(codes), kind="stable") if codes is not None else np.arange(written)
    with store.indexes_dropped("sampling/drop_cluster_index", written >= LARGE_WRITE):
        for start in range(0, written, WRITE_ROWS):
            at = order[start : start + WRITE_ROWS]
            rows = [
                {"id": key.decode(), "cluster": int(c), "community": int(m)}
                for key, (c, m) in zip(keys[at].tolist(), pairs[at].tolist(), strict=True)
            ]
            store.run("sampling/set_strata", rows=rows)
            checkpoint("strata_set")
    return written


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

    clock = StepClock()
    with (
        open_engine(engine, scheduler) as runner,
        work_folder(store.side_folder() or embeddings.folder.parent, work_dir) as work,
    ):
        shards = write_persona_shards(store, work)
        n = shards.total
        if not n:
            return StrataReport(0, 0, seed, embeddings.name, 0, 0)
        clock.lap("read personas")
        embed_shards(embeddings, runner, shards, work, progress=progress)
        files = vector_files(embeddings, shards, work)
        clock.lap("embeddings")
        k = clusters or default_clusters(n)
        requested = k if k > n else None
        k = min(k, n)
        centroids = train_centroids(training_sample(shards, files, k, seed), k, seed=seed, method=method)
        clock.lap("k-means training")
        tasks: list[dict[str, Any]] = [
            {"vectors": f, "path": s.path, "start": s.start, "out": str(work / f"labels-{s.number:05d}.npy")}
            for s, f in zip(shards.shards, files, strict=True)
        ]
        counts = np.zeros(k, dtype=np.int64)
        first = np.full(k, np.iinfo(np.int64).max, dtype=np.int64)
        stats = LabelStats()
        for shard_counts, shard_first, part in runner.imap(assign_shard, tasks, centroids=centroids):
            counts += shard_counts
            np.minimum(first, shard_first, out=first)
            stats.merge(part)  # one shard's word counts at a time (each ~80 MB at 10M)
        mapping = size_order(counts, first)
        sizes = Counter({int(mapping[c]): int(m) for c, m in enumerate(counts.tolist()) if m})
        words = stats.renumbered(mapping).labels()
        clock.lap("assignment")
        community = shard_communities(store, shards, seed)
        clock.lap("communities")
        written = write_strata(store, shards, lambda number: mapping[np.load(tasks[number]["out"])], community)
    nodes = store_clusters(store, sizes, words, k, seed, embeddings.name, method)
    clock.lap("write strata")
    return StrataReport(
        n,
        len(sizes),
        seed,
        embeddings.name,
        int(community.max()) + 1 if len(community) else 0,
        int(np.count_nonzero(community < 0)),
        [{"cluster": node["id"], "size": node["size"], "label": node["label"]} for node in nodes],
        requested,
        clock.seconds,
        written,
    )
