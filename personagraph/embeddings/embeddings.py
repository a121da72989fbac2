"""``Embeddings``: one embedder and where its vectors for one store are kept, built once per run.

Stages (sampling, clustering, synthesis, dedup, the insert-time resolver) take this object instead
of an embedder's name and the settings, so the embedder is loaded once and every stage reads and
writes the same side file. Building it loads no model: MiniLM's dimension and fingerprint are known
from its files, and the model loads on the first ``encode``; a run whose vectors are all kept never
imports torch.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np

from personagraph.config import Settings
from personagraph.embeddings.embedders import (
    Embedder,
    Notice,
    Progress,
    embedding_cache,
    embeddings_dir,
    get_embedder,
    persona_embeddings_with,
)
from personagraph.embeddings.vectors import EmbeddingCache

if TYPE_CHECKING:
    from personagraph.store.graph import GraphStore


class Embeddings:
    """The vectors of one embedder for one store: ``vectors(ids)`` computes the missing ones and keeps them."""

    def __init__(self, store: GraphStore, embedder: Embedder, folder: Path) -> None:
        self.store = store
        self.embedder = embedder
        self.folder = folder
        self._cache: EmbeddingCache | None = None

    @classmethod
    def for_store(
        cls, store: GraphStore, name: str = "minilm", settings: Settings | None = None, notice: Notice | None = None
    ) -> Embeddings:
        """The ``name`` embedder (``minilm`` or ``static``) for ``store``; the model itself loads on first use."""
        settings = settings or Settings.from_env()
        embedder = get_embedder(name, settings, notice)
        return cls(store, embedder, embeddings_dir(store, settings) / embedder.name)

    @property
    def name(self) -> str:
        return self.embedder.name

    @property
    def dim(self) -> int:
        return int(self.embedder.dim)

    @property
    def cache(self) -> EmbeddingCache:
        """The side file (opened on first use; emptied if it holds another model's vectors)."""
        if self._cache is None:
            self._cache = embedding_cache(self.folder, self.embedder)
        return self._cache

    def encode(self, texts: Sequence[str], batch_size: int = 64, progress: Progress | None = None) -> np.ndarray:
        """Vectors of arbitrary texts (not kept): loads the model if it is not loaded yet."""
        return self.embedder.encode(texts, batch_size=batch_size, progress=progress)

    def vectors(
        self,
        ids: Sequence[str] | None = None,
        *,
        texts: Sequence[str] | None = None,
        progress: Progress | None = None,
        batch_size: int = 64,
    ) -> tuple[list[str], np.ndarray]:
        """Vectors of the given personas (default: all), computed once and kept; see ``persona_embeddings_with``."""
        return persona_embeddings_with(self.store, self.embedder, self.cache, ids, progress, batch_size, texts)

    def __repr__(self) -> str:
        return f"Embeddings({self.name!r}, {self.dim} dimensions, {self.folder})"
