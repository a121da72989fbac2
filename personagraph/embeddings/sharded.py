"""Embeddings of the persona shards: computed by an engine's workers, kept by this process alone.

``encode_shard`` runs in a worker (or here, with ``--engine local``): it loads the embedder from
its files (once per worker process), reads the texts of the rows it is given from a Parquet shard
and writes their vectors to an ``.npy`` file. This process then adds each shard's vectors to the
store's ``EmbeddingCache`` (one writer) and, for the stages that read every vector, writes one
vector file per shard (``vector_files``), float16 by default.

float16 keeps cosines within ~1e-3 of float32 for unit vectors of 256-384 dimensions (10 bits of
mantissa; the error of a dot product of n terms grows like √n·2⁻¹¹), and halves the bytes the
similarity and cluster stages read: 512 bytes a persona at 256-d, 5 GB at 10M.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

from personagraph.engine.shards import ShardSet, read_column
from personagraph.runtime import checkpoint

if TYPE_CHECKING:
    from personagraph.embeddings.embedders import Embedder
    from personagraph.embeddings.embeddings import Embeddings
    from personagraph.engine.executor import Engine
    from personagraph.store.graph import GraphStore

Progress = Callable[[int], None]
_worker_models: dict[tuple[str, str], Embedder] = {}


def model_spec(embedder: Embedder) -> dict[str, str]:
    """What a worker needs to load the same embedder: its name and, for the static one, its folder."""
    return {"name": embedder.name, "path": str(getattr(embedder, "path", "")), "fingerprint": embedder.fingerprint}


def _load(spec: dict[str, str]) -> Embedder:
    from personagraph.embeddings.embedders import MiniLMEmbedder, StaticEmbedder

    key = (spec["name"], spec["path"])
    if key not in _worker_models:
        _worker_models[key] = MiniLMEmbedder() if spec["name"] == "minilm" else StaticEmbedder(spec["path"])
    model = _worker_models[key]
    if model.fingerprint != spec["fingerprint"]:
        raise RuntimeError(f"the {spec['name']} model at {spec['path']} differs from the driver's (re-distilled?)")
    return model


def encode_shard(task: dict[str, Any], model: dict[str, str], batch_size: int = 64) -> int:
    """Vectors (float32, unit rows) of the given rows of one shard, written to ``task['out']``."""
    import pyarrow.parquet as pq

    rows = np.asarray(task["rows"], dtype=np.int64)
    table = pq.read_table(task["path"], columns=["text"]).take(rows)
    texts = [t or "" for t in table.column("text").to_pylist()]
    vectors = _load(model).encode(texts, batch_size=batch_size)
    tmp = task["out"] + ".tmp.npy"
    np.save(tmp, vectors, allow_pickle=False)
    Path(tmp).replace(task["out"])
    return len(rows)


def embed_shards(
    embeddings: Embeddings,
    engine: Engine,
    shards: ShardSet,
    work: Path,
    batch_size: int = 64,
    progress: Progress | None = None,
) -> int:
    """Embed, on ``engine``, every persona of the shards that has no kept vector; keep them. Returns how many."""
    cache = embeddings.cache
    folder = work / "encoded"
    folder.mkdir(parents=True, exist_ok=True)
    tasks: list[dict[str, Any]] = []
    ids_of: list[list[str]] = []
    for shard in shards.shards:
        ids = [str(i) for i in read_column(shard.path, "id")]
        missing = np.flatnonzero(~cache.find(ids))
        if len(missing):
            tasks.append({"path": shard.path, "rows": missing, "out": shard.sibling(folder, ".npy")})
            ids_of.append([ids[k] for k in missing.tolist()])
    if not tasks:
        return 0
    # Workers load the model from its files; the driver never loads it (nothing to encode here).
    spec = model_spec(embeddings.embedder)
    done = 0
    # In waves of a few shards per worker: the driver keeps each wave's vectors as they come back,
    # so an interrupted run resumes after the last wave kept (as `embed` does shard by shard).
    wave = 8
    for start in range(0, len(tasks), wave):
        part = tasks[start : start + wave]
        engine.map(encode_shard, part, model=spec, batch_size=batch_size)
        for task, ids in zip(part, ids_of[start : start + wave], strict=True):
            cache.add(ids, np.load(task["out"]))
            Path(task["out"]).unlink()
            done += len(ids)
            if progress:
                progress(len(ids))
            checkpoint("embed_shard")
    return done


def vector_files(embeddings: Embeddings, shards: ShardSet, work: Path, dtype: str = "float16") -> list[str]:
    """One ``.npy`` of vectors per shard (rows aligned with it), from the kept embeddings (all must be kept)."""
    cache = embeddings.cache
    folder = work / "vectors"
    folder.mkdir(parents=True, exist_ok=True)
    paths = []
    for shard in shards.shards:
        ids = [str(i) for i in read_column(shard.path, "id")]
        path = shard.sibling(folder, ".npy")
        np.save(path, cache.get(ids).astype(dtype), allow_pickle=False)
        paths.append(path)
    return paths


def embed_graph(
    store: GraphStore,
    embeddings: Embeddings,
    engine: str | None = None,
    scheduler: str | None = None,
    work_dir: str | Path | None = None,
    progress: Progress | None = None,
    batch_size: int = 64,
) -> int:
    """Embed every persona of ``store`` that has no kept vector, on ``engine``; returns how many personas
    have one now. ``engine`` None: in this process, every persona read at once (``Embeddings.vectors``)."""
    if engine is None:
        ids, _ = embeddings.vectors(progress=progress, batch_size=batch_size)
        return len(ids)
    from personagraph.engine.executor import open_engine
    from personagraph.engine.shards import work_folder, write_persona_shards

    with (
        open_engine(engine, scheduler) as runner,
        work_folder(store.side_folder() or embeddings.folder.parent, work_dir) as work,
    ):
        shards = write_persona_shards(store, work)
        embed_shards(embeddings, runner, shards, work, batch_size=batch_size, progress=progress)
        return shards.total
