"""`personagraph cluster`: compute the strata (k-means clusters, Louvain communities) and store them."""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import numpy as np

from personagraph.errors import ConfigError
from personagraph.models import now_iso
from personagraph.runtime import checkpoint
from personagraph.sampling.candidates import Vectors, align_vectors, load_vectors
from personagraph.sampling.clustering import cluster_labels, default_clusters, kmeans
from personagraph.sampling.communities import louvain_communities
from personagraph.store.graph import chunked

if TYPE_CHECKING:
    from personagraph.embeddings.embeddings import Embeddings
    from personagraph.store import GraphStore

Progress = Callable[[int], None]


@dataclass
class StrataReport:
    personas: int
    k: int
    seed: int
    embedder: str
    communities: int
    unrelated: int
    clusters: list[dict[str, Any]] = field(default_factory=list)
    requested: int | None = None  # the clusters asked for, when more than there are personas (clamped)
    seconds: dict[str, float] = field(default_factory=dict)  # wall seconds per step (not in as_dict: runs differ)
    written: int | None = None  # personas whose cluster or community was written (None: all of them)

    def as_dict(self) -> dict[str, Any]:
        return {
            "personas": self.personas,
            "k": self.k,
            "k_requested": self.requested,
            "seed": self.seed,
            "embedder": self.embedder,
            "communities": self.communities,
            "personas_without_relations": self.unrelated,
            "clusters": self.clusters,
        }


def compute_strata(
    store: GraphStore,
    embeddings: Embeddings | None = None,
    *,
    clusters: int | None = None,
    seed: int = 0,
    method: str = "faiss",
    vectors: Vectors | None = None,
    progress: Progress | None = None,
    engine: str | None = None,
    scheduler: str | None = None,
    work_dir: str | None = None,
) -> StrataReport:
    """Cluster the persona embeddings (k-means, seeded), find communities on the relation graph
    (Louvain, seeded), store both on the personas and one labelled :Cluster node per cluster.

    ``vectors`` (ids, matrix) skips the embedding stage (``embeddings``), e.g. for embeddings made elsewhere.
    ``engine`` (``local`` or ``dask``): k-means trained on a sample and assignment streamed shard by
    shard on that engine (``strata_sharded``); ``scheduler``: a Dask scheduler's address.
    """
    if engine is not None:
        if embeddings is None or vectors is not None:
            raise ConfigError("engine needs embeddings it computes itself, not external ones", param="engine")
        from personagraph.sampling.strata_sharded import sharded_strata

        return sharded_strata(store, embeddings, clusters, seed, method, engine, scheduler, work_dir, progress)
    embedder = "external" if vectors is not None else (embeddings.name if embeddings else "")
    personas = list(store.iter_personas(fields=("id", "text")))
    ids = [p["id"] for p in personas]
    if not ids:
        return StrataReport(0, 0, seed, embedder, 0, 0)
    if vectors is not None:
        matrix = align_vectors(ids, vectors)
    elif embeddings is not None:
        matrix = load_vectors(embeddings, ids, progress)
    else:
        raise ConfigError("clustering needs embeddings (or vectors)")
    k = clusters or default_clusters(len(ids))
    requested = k if k > len(ids) else None
    k = min(k, len(ids))  # k-means cannot make more clusters than points; the report says so
    labels = kmeans(matrix, k, seed=seed, method=method)
    words = cluster_labels([p["text"] or "" for p in personas], labels)
    edges = [(r["src"], r["dst"]) for r in store.iter_relations()]
    community = louvain_communities(ids, edges, seed=seed)

    rows = [
        {"id": pid, "cluster": int(c), "community": community[pid]} for pid, c in zip(ids, labels.tolist(), strict=True)
    ]
    for chunk in chunked(rows, 5000):
        store.run("sampling/set_strata", rows=chunk)
        checkpoint("strata_set")
    sizes = Counter(labels.tolist())
    nodes = store_clusters(store, sizes, words, k, seed, embedder, method)
    found = {c for c in community.values() if c >= 0}
    return StrataReport(
        len(ids),
        int(np.unique(labels).size),
        seed,
        str(nodes[0]["embedder"]),
        len(found),
        sum(1 for c in community.values() if c < 0),
        [{"cluster": n["id"], "size": n["size"], "label": n["label"]} for n in nodes],
        requested,
    )


def store_clusters(
    store: GraphStore, sizes: Counter[int], words: dict[int, list[str]], k: int, seed: int, embedder: str, method: str
) -> list[dict[str, Any]]:
    """Replace the :Cluster nodes by one per cluster of ``sizes``, labelled with its words; returns them."""
    now = now_iso()
    nodes = [
        {
            "id": int(c),
            "label": " · ".join(words.get(c, [])) or f"cluster {c}",
            "words": words.get(c, []),
            "size": int(sizes[c]),
            "k": int(k),
            "seed": int(seed),
            "embedder": embedder,
            "method": method,
            "created_at": now,
        }
        for c in sorted(sizes)
    ]
    store.run("sampling/clear_clusters")
    checkpoint("clusters_cleared")
    store.run("sampling/create_clusters", rows=nodes)
    return nodes


def cluster_names(store: GraphStore) -> dict[int, str]:
    """Readable label of each stored cluster (empty before `personagraph cluster`)."""
    return {int(row["id"]): str(row["label"]) for row in store.run("sampling/list_clusters")}
