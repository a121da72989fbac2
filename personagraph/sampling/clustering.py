"""Strata on plain data: k-means of embeddings, readable cluster labels, Louvain communities."""

from __future__ import annotations

import re
from collections import Counter, defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from personagraph.errors import ConfigError

KMEANS_METHODS = ("faiss", "sklearn")
SMALL = 2_000_000  # rows × clusters below which k-means++ (scikit-learn KMeans) runs instead of faiss


def default_clusters(count: int) -> int:
    """K when the user gives none: about sqrt(count / 5), between 2 and 256."""
    return int(min(256, max(2, round((count / 5) ** 0.5))))


def kmeans(vectors: np.ndarray, k: int, seed: int = 0, method: str = "faiss", niter: int = 20) -> np.ndarray:
    """Cluster id (0..k-1) per row, deterministic for a seed.

    ``faiss`` (the default) trains on at most 256 points per centroid (a seeded subsample) and
    then assigns every row to its nearest centroid; at 1M × 384 it is several times faster than
    scikit-learn's MiniBatchKMeans (``sklearn``; benchmarks/sampling.py prints both). Below
    ``SMALL`` rows × clusters, the default runs scikit-learn's KMeans (k-means++, ten starts).
    """
    if method not in KMEANS_METHODS:
        raise ConfigError(f"unknown k-means method {method!r}", hint=f"choose one of {', '.join(KMEANS_METHODS)}")
    vectors = np.ascontiguousarray(vectors, dtype=np.float32)
    n = len(vectors)
    if n == 0:
        return np.zeros(0, dtype=np.int64)
    k = max(1, min(int(k), n))
    if k == 1:
        return np.zeros(n, dtype=np.int64)
    if method == "faiss" and n * k > SMALL:
        import faiss

        model = faiss.Kmeans(
            vectors.shape[1],
            k,
            niter=niter,
            seed=int(seed),
            max_points_per_centroid=256,
            min_points_per_centroid=1,
            verbose=False,
        )
        model.train(vectors)
        _, assigned = model.index.search(vectors, 1)
        labels = assigned.ravel().astype(np.int64)
    elif method == "faiss":
        # Small inputs: faiss starts from random rows, which on a few well-separated groups often
        # merges two of them; k-means++ with ten starts is exact enough and takes well under a second.
        from sklearn.cluster import KMeans

        labels = KMeans(n_clusters=k, n_init=10, random_state=seed).fit_predict(vectors).astype(np.int64)
    else:
        from sklearn.cluster import MiniBatchKMeans

        model = MiniBatchKMeans(n_clusters=k, random_state=seed, batch_size=4096, n_init=3, max_iter=niter)
        labels = model.fit_predict(vectors).astype(np.int64)
    return _renumber(labels)


def _renumber(labels: np.ndarray) -> np.ndarray:
    """Number clusters 0..K-1 by decreasing size (ties by first appearance), so ids read as ranks."""
    ids, first, counts = np.unique(labels, return_index=True, return_counts=True)
    rank = np.lexsort((first, -counts))
    mapping = np.empty(ids.max() + 1, dtype=np.int64)
    mapping[ids[rank]] = np.arange(len(ids))
    return mapping[labels]


# Words that say nothing about a persona: English function words and persona boilerplate.
STOPWORDS = frozenset(
    [
        "a",
        "an",
        "the",
        "and",
        "or",
        "but",
        "if",
        "of",
        "in",
        "on",
        "at",
        "to",
        "for",
        "from",
        "by",
        "with",
        "about",
        "as",
        "into",
        "over",
        "after",
        "before",
        "under",
        "between",
        "is",
        "are",
        "was",
        "were",
        "be",
        "been",
        "being",
        "am",
        "has",
        "have",
        "had",
        "do",
        "does",
        "did",
        "who",
        "whom",
        "whose",
        "which",
        "that",
        "this",
        "these",
        "those",
        "it",
        "its",
        "he",
        "she",
        "they",
        "them",
        "their",
        "his",
        "her",
        "him",
        "i",
        "me",
        "my",
        "we",
        "our",
        "you",
        "your",
        "not",
        "no",
        "so",
        "than",
        "too",
        "very",
        "can",
        "will",
        "would",
        "should",
        "could",
        "may",
        "might",
        "must",
        "also",
        "such",
        "other",
        "more",
        "most",
        "some",
        "any",
        "each",
        "all",
        "both",
        "one",
        "two",
        "per",
        "via",
        "who's",
        "s",
        "t",
        "just",
        "up",
        "out",
        "off",
        "new",
        "own",
        "same",
        "like",
        "well",
        "every",
        "person",
        "people",
        "someone",
        "individual",
        "persona",
        "looking",
        "interested",
        "passionate",
        "enthusiast",
        "enthusiastic",
    ]
)
_WORD = re.compile(r"[^\W\d_][\w'’-]{2,}", re.UNICODE)


def _words(text: str) -> dict[str, float]:
    """Content words of a text, each with its first position as a share of the text (0 = first)."""
    words = (re.sub(r"['’]s$", "", m.lower()).strip("'-’") for m in _WORD.findall(text))
    found = [w for w in words if w not in STOPWORDS and len(w) > 2]
    out: dict[str, float] = {}
    for i, word in enumerate(found):
        out.setdefault(word, i / max(1, len(found)))
    return out


@dataclass
class LabelStats:
    """Word counts behind ``cluster_labels``, for some personas; stats of shards add up (``merge``)."""

    overall: Counter[str] = field(default_factory=Counter)
    inside: dict[int, Counter[str]] = field(default_factory=dict)
    position: dict[int, defaultdict[str, float]] = field(default_factory=dict)
    sizes: Counter[int] = field(default_factory=Counter)
    total: int = 0

    def add(self, texts: Sequence[str], clusters: Sequence[int] | np.ndarray) -> LabelStats:
        for text, c in zip(texts, np.asarray(clusters).tolist(), strict=True):
            words = _words(text or "")
            self.overall.update(words.keys())
            self.inside.setdefault(int(c), Counter()).update(words.keys())
            where = self.position.setdefault(int(c), defaultdict(float))
            for word, pos in words.items():
                where[word] += pos
            self.sizes[int(c)] += 1
        self.total += len(texts)
        return self

    def merge(self, other: LabelStats) -> LabelStats:
        self.overall.update(other.overall)
        for c, counts in other.inside.items():
            self.inside.setdefault(c, Counter()).update(counts)
        for c, where in other.position.items():
            mine = self.position.setdefault(c, defaultdict(float))
            for word, pos in where.items():
                mine[word] += pos
        self.sizes.update(other.sizes)
        self.total += other.total
        return self

    def renumbered(self, mapping: np.ndarray) -> LabelStats:
        """The same stats with cluster ``c`` called ``mapping[c]``."""
        return LabelStats(
            self.overall,
            {int(mapping[c]): v for c, v in self.inside.items()},
            {int(mapping[c]): v for c, v in self.position.items()},
            Counter({int(mapping[c]): v for c, v in self.sizes.items()}),
            self.total,
        )

    def labels(self, top: int = 3, min_count: int = 2) -> dict[int, list[str]]:
        total = max(1, self.total)
        labels: dict[int, list[str]] = {}
        for c, counts in self.inside.items():
            size = self.sizes[c]
            floor = min(min_count, size)
            scored = []
            for word, n in counts.items():
                if n < floor:
                    continue
                p_in = n / size
                p_all = self.overall[word] / total
                scored.append((round(p_in * np.log(p_in / p_all), 9), -n, self.position[c][word] / n, word))
            scored.sort(key=lambda s: (-s[0], s[1], s[2], s[3]))
            labels[c] = [s[3] for s in scored[:top]]
        return labels


def cluster_labels(
    texts: Sequence[str], clusters: Sequence[int] | np.ndarray, top: int = 3, min_count: int = 2
) -> dict[int, list[str]]:
    """The most distinctive words of each cluster: document frequency inside, contrasted with outside.

    Score of word w in cluster c: p(w|c) × log(p(w|c) / p(w)), where p is the share of personas
    whose text contains w (a TF-IDF-like contrast); words in fewer than ``min_count`` personas of
    the cluster are skipped, unless the cluster is smaller than that. Ties go to the word that
    comes earlier in the texts (persona texts name who they are first: "A nurse who ...").
    """
    return LabelStats().add(texts, clusters).labels(top, min_count)


def train_centroids(sample: np.ndarray, k: int, seed: int = 0, method: str = "faiss", niter: int = 20) -> np.ndarray:
    """(k, dim) float32 centroids trained on a sample, as ``kmeans`` trains (for streamed assignment)."""
    sample = np.ascontiguousarray(sample, dtype=np.float32)
    k = max(1, min(int(k), len(sample)))
    if method == "faiss" and len(sample) * k > SMALL:
        import faiss

        model = faiss.Kmeans(
            sample.shape[1], k, niter=niter, seed=int(seed), max_points_per_centroid=256, min_points_per_centroid=1
        )
        model.train(sample)
        return np.asarray(model.centroids, dtype=np.float32)
    if method == "faiss":
        from sklearn.cluster import KMeans

        return np.asarray(KMeans(n_clusters=k, n_init=10, random_state=seed).fit(sample).cluster_centers_, np.float32)
    from sklearn.cluster import MiniBatchKMeans

    model = MiniBatchKMeans(n_clusters=k, random_state=seed, batch_size=4096, n_init=3, max_iter=niter).fit(sample)
    return np.asarray(model.cluster_centers_, dtype=np.float32)


def nearest_centroid(vectors: np.ndarray, centroids: np.ndarray) -> np.ndarray:
    """Index of each row's nearest centroid (squared L2, exact; faiss flat search)."""
    import faiss

    index = faiss.IndexFlatL2(centroids.shape[1])
    index.add(np.ascontiguousarray(centroids, dtype=np.float32))
    _, found = index.search(np.ascontiguousarray(vectors, dtype=np.float32), 1)
    return found.ravel().astype(np.int64)


def assign_shard(task: dict[str, Any], centroids: np.ndarray) -> tuple[np.ndarray, np.ndarray, LabelStats]:
    """One shard: nearest centroid of each row (written to ``task['out']``), cluster sizes, first
    global index per cluster, and the word stats of the labels. Plain data in and out (a worker's task)."""
    import pyarrow.parquet as pq

    vectors = np.load(task["vectors"], mmap_mode="r")
    labels = nearest_centroid(np.asarray(vectors, dtype=np.float32), centroids)
    np.save(task["out"], labels, allow_pickle=False)
    k = len(centroids)
    counts = np.bincount(labels, minlength=k)
    first = np.full(k, np.iinfo(np.int64).max, dtype=np.int64)
    np.minimum.at(first, labels, task["start"] + np.arange(len(labels), dtype=np.int64))
    texts = [t or "" for t in pq.read_table(task["path"], columns=["text"]).column("text").to_pylist()]
    return counts, first, LabelStats().add(texts, labels)


def size_order(counts: np.ndarray, first: np.ndarray) -> np.ndarray:
    """``mapping[c]``: cluster c's number by decreasing size, ties by first appearance (as ``_renumber``)."""
    present = np.flatnonzero(counts > 0)
    rank = np.lexsort((first[present], -counts[present]))
    mapping = np.full(len(counts), -1, dtype=np.int64)
    mapping[present[rank]] = np.arange(len(present))
    return mapping


def louvain_communities(
    nodes: Sequence[str], edges: Iterable[tuple[str, str]], seed: int = 0, resolution: float = 1.0
) -> dict[str, int]:
    """Community per persona id (networkx Louvain on the undirected relation graph, seeded).

    The reference the tests and ``benchmarks/communities.py`` hold networkit's PLM to
    (``sampling.communities``, which `cluster` uses: networkx's is pure Python, too slow past 100k).

    Personas without any relation get -1: they form no community, and counting each as its own
    would swamp the strata. Communities are numbered by decreasing size.
    """
    import networkx as nx

    graph = nx.Graph()
    graph.add_nodes_from(nodes)
    graph.add_edges_from((a, b) for a, b in edges if a != b)
    connected = graph.subgraph([n for n in graph if graph.degree(n) > 0])
    result = {node: -1 for node in nodes}
    if connected.number_of_edges() == 0:
        return result
    parts = nx.community.louvain_communities(connected, seed=seed, resolution=resolution)
    parts = sorted(parts, key=lambda part: (-len(part), min(part)))
    for number, part in enumerate(parts):
        for node in part:
            result[node] = number
    return result
