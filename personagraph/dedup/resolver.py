"""Insert-time near-duplicate resolution: new personas are checked against the graph before writing.

``NearDuplicateResolver`` implements the ``Resolver`` protocol of ``personagraph.resolve``.
On first use it reads the graph's personas once and keeps, in memory, their MinHash band keys
(sorted arrays, ~170 MB per million personas) and, when given ``embeddings``, their embeddings in
a faiss index (taken from the embeddings kept beside the graph, computed where missing). Each
batch is then checked against the graph and against itself — MinHash LSH candidates verified
by exact Jaccard, then cosine neighbours with the same surface-overlap check as ``dedup`` — and
the personas it reports as new are added to the index, so the next batch sees them.

It assumes the personas it reports as new are written to the graph; if the graph changes in
other ways (a ``dedup`` run, another writer), call ``refresh()``.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

import numpy as np

from personagraph.dedup import lsh
from personagraph.dedup.minhash import Vocabulary, char_ngram_jaccard, signatures, tokenise, words
from personagraph.errors import ConfigError
from personagraph.models import Persona

if TYPE_CHECKING:
    from personagraph.dedup.ann import VectorIndex
    from personagraph.embeddings.embeddings import Embeddings
    from personagraph.store.graph import GraphStore

MAX_BUCKET = 100  # graph personas looked at per shared band key (more only for mass exact copies)


class NearDuplicateResolver:
    """MinHash (Jaccard ≥ ``jaccard``) then embeddings (cosine ≥ ``cosine``) against the graph and the batch."""

    def __init__(
        self,
        embeddings: Embeddings | None = None,
        jaccard: float = 0.9,
        cosine: float = 0.9,
        min_overlap: float = 0.3,
        num_perm: int = 128,
    ) -> None:
        """``embeddings`` (of the store it will resolve against) adds the cosine check; None: MinHash only."""
        self.embeddings = embeddings
        self.jaccard, self.cosine, self.min_overlap = jaccard, cosine, min_overlap
        self.bands, self.rows = lsh.choose_bands(jaccard, num_perm)
        self.num_perm = num_perm
        self._store_key: tuple[str, str] | None = None

    # -- the index ------------------------------------------------------------------------
    def refresh(self) -> None:
        """Forget the index; the next ``resolve`` reads the graph again."""
        self._store_key = None

    def _ensure(self, store: GraphStore) -> None:
        key = (store.location, store.database)
        if self._store_key == key:
            return
        self.vocabulary = Vocabulary(self.num_perm)
        self.ids: list[str] = []
        self.texts: list[str] = []
        self.position: dict[str, int] = {}
        self._keys = np.zeros(0, dtype=np.uint64)
        self._owners = np.zeros(0, dtype=np.int64)
        self._pending_keys: list[np.ndarray] = []
        self._pending_owners: list[np.ndarray] = []
        self.vectors: VectorIndex | None = None
        columns = store.run_columns("dedup_personas")
        graph_ids = [str(i) for i in columns.get("id", [])]
        graph_texts = [t if isinstance(t, str) else "" for t in columns.get("text", [])]
        del columns
        vectors = None
        if self.embeddings is not None:
            from personagraph.dedup.ann import VectorIndex

            if self.embeddings.store is not store:
                raise ConfigError("the resolver's embeddings belong to another store")
            self.vectors = VectorIndex(self.embeddings.dim)
            if graph_ids:
                got, vectors = self.embeddings.vectors(graph_ids, texts=graph_texts)
                if got != graph_ids:  # a persona vanished meanwhile: take what has vectors
                    keep = set(got)
                    graph_texts = [t for i, t in zip(graph_ids, graph_texts, strict=True) if i in keep]
                    graph_ids = got
        self._add(graph_ids, graph_texts, vectors)
        self._store_key = key

    def _band_keys(self, texts: Sequence[str]) -> tuple[Any, np.ndarray]:
        tokens = tokenise(texts, self.vocabulary)
        return tokens, lsh.band_keys(signatures(tokens), self.bands, self.rows)

    def _add(self, ids: list[str], texts: list[str], vectors: np.ndarray | None) -> None:
        if not ids:
            return
        start = len(self.ids)
        _, keys = self._band_keys(texts)
        self.ids.extend(ids)
        self.texts.extend(texts)
        self.position.update((pid, start + k) for k, pid in enumerate(ids))
        owners = np.repeat(np.arange(start, start + len(ids), dtype=np.int64), keys.shape[1])
        flat = keys.ravel()
        order = np.argsort(flat, kind="stable")  # each pending part is sorted: searchable as it is
        self._pending_keys.append(flat[order])
        self._pending_owners.append(owners[order])
        if sum(len(k) for k in self._pending_keys) > max(100_000, len(self._keys) // 20):
            self._compact()
        if self.vectors is not None and vectors is not None:
            self.vectors.add(vectors)

    def _compact(self) -> None:
        keys = np.concatenate([self._keys, *self._pending_keys])
        owners = np.concatenate([self._owners, *self._pending_owners])
        order = np.argsort(keys, kind="stable")
        self._keys, self._owners = keys[order], owners[order]
        self._pending_keys, self._pending_owners = [], []

    def _lookup(self, keys: np.ndarray) -> np.ndarray:
        """(m, 2) pairs (row of ``keys``, graph position) sharing a band key."""
        flat = keys.ravel()
        found = []
        for sorted_keys, owners in [
            (self._keys, self._owners),
            *zip(self._pending_keys, self._pending_owners, strict=True),
        ]:
            lo = np.searchsorted(sorted_keys, flat, side="left")
            hi = np.minimum(np.searchsorted(sorted_keys, flat, side="right"), lo + MAX_BUCKET)
            counts = hi - lo
            total = int(counts.sum())
            if total:
                rows = np.repeat(np.arange(len(flat)) // keys.shape[1], counts)
                first = np.repeat(lo - (np.cumsum(counts) - counts), counts)
                found.append(np.stack([rows, owners[first + np.arange(total)]], axis=1))
        return np.unique(np.concatenate(found), axis=0) if found else np.zeros((0, 2), dtype=np.int64)

    # -- resolving ------------------------------------------------------------------------
    def resolve(self, store: GraphStore, personas: list[Persona]) -> dict[str, str]:
        """Map each new persona that near-duplicates one in the graph or earlier in the list to its canonical id."""
        self._ensure(store)
        batch: list[Persona] = []
        seen: set[str] = set()
        for persona in personas:
            if persona.id not in self.position and persona.id not in seen:  # same id: MERGE handles it
                seen.add(persona.id)
                batch.append(persona)
        if not batch:
            return {}
        texts = [p.text for p in batch]
        target: list[str | None] = [None] * len(batch)  # canonical id of each, if a duplicate
        tokens, keys = self._band_keys(texts)
        self._minhash_against_graph(tokens, keys, target)
        self._minhash_within_batch(tokens, keys, batch, target)
        vectors = None
        if self.embeddings is not None and self.vectors is not None:
            vectors = self.embeddings.encode(texts)
            self._cosine_against_graph(texts, vectors, target)
            self._cosine_within_batch(texts, vectors, batch, target)
        mapping: dict[str, str] = {}
        by_id = {p.id: k for k, p in enumerate(batch)}
        for k, persona in enumerate(batch):
            canon = target[k]
            if canon is None:
                continue
            while canon in by_id and target[by_id[canon]] is not None:  # earlier new one that is itself a duplicate
                canon = target[by_id[canon]]
            mapping[persona.id] = canon  # type: ignore[assignment]
        fresh = [k for k, p in enumerate(batch) if p.id not in mapping]
        fresh_vectors = vectors[fresh] if vectors is not None else None
        self._add([batch[k].id for k in fresh], [texts[k] for k in fresh], fresh_vectors)
        if self.embeddings is not None and fresh_vectors is not None and fresh:
            self.embeddings.cache.add([batch[k].id for k in fresh], fresh_vectors)
        return mapping

    def _minhash_against_graph(self, tokens: Any, keys: np.ndarray, target: list[str | None]) -> None:
        pairs = self._lookup(keys)
        best: dict[int, tuple[float, int]] = {}
        for row, pos in pairs.tolist():
            mine = tokens.token_set(row)
            names = self.vocabulary.ids
            theirs = {names[w] for w in words(self.texts[pos])}
            union = len(mine | theirs)
            similarity = len(mine & theirs) / union if union else 0.0
            if similarity >= self.jaccard and similarity > best.get(row, (-1.0, 0))[0]:
                best[row] = (similarity, pos)
        for row, (_, pos) in best.items():
            target[row] = self.ids[pos]

    def _minhash_within_batch(
        self, tokens: Any, keys: np.ndarray, batch: list[Persona], target: list[str | None]
    ) -> None:
        found = [lsh.bucket_pairs(keys[:, band]) for band in range(keys.shape[1])]
        candidates = lsh.unique_pairs(np.concatenate(found)) if found else np.zeros((0, 2), dtype=np.int64)
        verified = lsh.verify(tokens, candidates, self.jaccard)
        for first, later in verified.pairs.tolist():  # i < j: the earlier persona is canonical
            if target[later] is None:
                target[later] = batch[first].id

    def _cosine_against_graph(self, texts: list[str], vectors: np.ndarray, target: list[str | None]) -> None:
        open_rows = [k for k, t in enumerate(target) if t is None]
        if not open_rows or self.vectors is None or not len(self.vectors):
            return
        best, _ = self.vectors.search(vectors[open_rows], self.cosine)
        hits = [(row, int(pos)) for row, pos in zip(open_rows, best.tolist(), strict=True) if pos >= 0]
        if not hits:
            return
        pool = [texts[row] for row, _ in hits] + [self.texts[pos] for _, pos in hits]
        pairs = np.array([[k, len(hits) + k] for k in range(len(hits))], dtype=np.int64)
        overlap = char_ngram_jaccard(pool, pairs)
        for (row, pos), ok in zip(hits, overlap >= self.min_overlap, strict=True):
            if ok:
                target[row] = self.ids[pos]

    def _cosine_within_batch(
        self, texts: list[str], vectors: np.ndarray, batch: list[Persona], target: list[str | None]
    ) -> None:
        from personagraph.dedup.ann import cosine_pairs

        found = cosine_pairs(vectors, self.cosine)
        if not len(found):
            return
        keep = char_ngram_jaccard(texts, found.pairs) >= self.min_overlap
        for first, later in found.pairs[keep].tolist():
            if target[later] is None:
                target[later] = batch[first].id
