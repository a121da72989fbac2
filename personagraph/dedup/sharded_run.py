"""Both dedup stages on the Parquet shards of a work folder, run by an engine (this process or Dask).

The driver (this process) never holds every signature or vector: MinHash signatures and band keys
live one shard at a time inside a shard function, band keys are grouped one hash partition at a
time, vectors stay in per-shard ``.npy`` files read by memory map. What the driver holds is one
flag per persona (merged or not), the candidate pairs, and the texts, hops and times of the
personas in some pair. It makes the same groups as ``run.find_groups`` on the same personas: the
same candidates (the buckets are the same, paired in the same order), the same exact checks, and
ranks compared only among the members of pairs (a rank's order is the same in any subset).
"""

from __future__ import annotations

import math
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

from personagraph.dedup import ann, lsh, sharded
from personagraph.dedup import cells as two_level
from personagraph.dedup import groups as grouping
from personagraph.dedup.merge import Group
from personagraph.engine.shards import ShardSet, gather_vectors, read_rows
from personagraph.runtime import StepClock

if TYPE_CHECKING:
    from personagraph.dedup.run import DedupOptions
    from personagraph.embeddings.embeddings import Embeddings
    from personagraph.engine.executor import Engine
    from personagraph.store.graph import GraphStore

# Band-key rows per hash partition: ~4M rows of (int16, uint64, int64) are ~70 MB to sort at once.
PARTITION_ROWS = 4_000_000
# Survivors up to which the embedding stage compares every pair (exact): the blocks spread over the
# workers, so this is higher than the one-process ``ann.BRUTE_FORCE_MAX``.
EXACT_MAX = 50_000
BLOCK_ROWS = 8192
PAIR_CHUNK = 200_000  # pairs per exact-check task
CELL_GROUPS = 16  # tasks of the cell stage at least (each reads its slice of every shard's visits)
# Vectors one cell-stage task gathers at most, about (1 GB as float32 at 256-d): a task holds everyone
# probing one of its cells, ~n·nprobe/groups rows. 16 groups gathered 54% of the vectors (5.4 GB at 10M).
CELL_GATHER_ROWS = 1_000_000
VectorFiles = Callable[[], list[str]]


def _shard_items(shards: ShardSet) -> list[dict[str, Any]]:
    return [{"number": s.number, "path": s.path, "start": s.start, "rows": s.rows} for s in shards.shards]


def gather_texts(engine: Engine, shards: ShardSet, idx: np.ndarray) -> list[str]:
    """Texts of the personas at sorted global indexes ``idx``, read shard by shard by the engine."""
    where = shards.locate(idx)
    numbers = np.unique(where).tolist()
    items = [(shards.shards[k].path, idx[where == k] - shards.shards[k].start) for k in numbers]
    return [t for part in engine.map(sharded.rows_text, items) for t in part]


def _pair_tasks(pairs: np.ndarray, texts_of: Callable[[np.ndarray], list[str]]) -> list[tuple[np.ndarray, list[str]]]:
    """Chunks of pairs as (pairs as positions into the chunk's texts, texts)."""
    tasks = []
    for start in range(0, len(pairs), PAIR_CHUNK):
        chunk = pairs[start : start + PAIR_CHUNK]
        members = np.unique(chunk)
        tasks.append((np.searchsorted(members, chunk), texts_of(members)))
    return tasks


def _texts_lookup(engine: Engine, shards: ShardSet, pairs: np.ndarray) -> Callable[[np.ndarray], list[str]]:
    involved = np.unique(pairs)
    texts = gather_texts(engine, shards, involved)
    return lambda members: [texts[k] for k in np.searchsorted(involved, members).tolist()]


def minhash_pairs(
    engine: Engine, shards: ShardSet, work: Path, options: DedupOptions, seconds: dict[str, float]
) -> tuple[np.ndarray, int]:
    """Stage 1 over the shards: verified pairs (global indexes, sorted) and how many candidates were checked."""
    bands, rows = lsh.choose_bands(options.jaccard, options.num_perm)
    partitions = max(1, math.ceil(shards.total * bands / PARTITION_ROWS))
    folder = work / "bands"
    engine.map(
        sharded.band_partitions,
        _shard_items(shards),
        out_folder=str(folder),
        num_perm=options.num_perm,
        bands=bands,
        rows=rows,
        partitions=partitions,
    )
    tasks: list[dict[str, Any]] = [
        {
            "files": sorted(str(f) for f in (folder / f"p-{p:04d}").glob("*.parquet")),
            "out": str(work / f"cand-{p:04d}.npy"),
        }
        for p in range(partitions)
        if (folder / f"p-{p:04d}").exists()
    ]
    engine.map(sharded.partition_candidates, tasks)
    found = [np.load(t["out"]) for t in tasks]
    candidates = lsh.unique_pairs(np.concatenate(found)) if found else np.zeros((0, 2), dtype=np.int64)
    if not len(candidates):
        return candidates, 0
    checks = _pair_tasks(candidates, _texts_lookup(engine, shards, candidates))
    keep = np.concatenate(
        engine.map(sharded.verify_chunk, checks, threshold=options.jaccard, num_perm=options.num_perm)
    )
    return candidates[keep], len(candidates)


def embedding_pairs(
    engine: Engine, shards: ShardSet, work: Path, vector_files: list[str], alive: np.ndarray, options: DedupOptions
) -> np.ndarray:
    """Stage 2 over the survivors' vectors: pairs (global indexes, sorted) with cosine ≥ threshold
    and enough surface overlap (``options.min_overlap``)."""
    survivors = np.flatnonzero(alive)
    rows_of = []
    for shard in shards.shards:
        idx = survivors[(survivors >= shard.start) & (survivors < shard.start + shard.rows)]
        rows_of.append((idx - shard.start, idx))
    exact = options.search == "exact" or (options.search == "auto" and len(survivors) <= EXACT_MAX)
    if exact:
        tasks = []
        for a, (a_rows, a_idx) in enumerate(rows_of):
            for lo in range(0, len(a_rows), BLOCK_ROWS):
                for b in range(a, len(rows_of)):
                    b_rows, b_idx = rows_of[b]
                    if len(b_rows):
                        tasks.append(
                            {
                                "a_path": vector_files[a],
                                "a_rows": a_rows[lo : lo + BLOCK_ROWS],
                                "a_idx": a_idx[lo : lo + BLOCK_ROWS],
                                "b_path": vector_files[b],
                                "b_rows": b_rows,
                                "b_idx": b_idx,
                            }
                        )
        found = engine.map(sharded.block_pairs, tasks, threshold=options.cosine)
    else:
        found = _cell_pairs(engine, shards, work, vector_files, rows_of, survivors, options.cosine)
    pairs = np.concatenate([p for p, _ in found]) if found else np.zeros((0, 2), dtype=np.int64)
    sims = np.concatenate([s for _, s in found]) if found else np.zeros(0, dtype=np.float32)
    if not len(pairs):
        return pairs.reshape(0, 2)
    if not exact:  # a pair is found from each side and in each cell both probe
        pairs, sims = ann._dedupe(pairs, sims)
    pairs, sims = ann._cap_neighbours(pairs, sims, ann.MAX_NEIGHBOURS)
    pairs = pairs[np.lexsort((pairs[:, 1], pairs[:, 0]))]
    if options.min_overlap > 0 and len(pairs):
        checks = _pair_tasks(pairs, _texts_lookup(engine, shards, pairs))
        overlap = np.concatenate(engine.map(sharded.overlap_chunk, checks))
        pairs = pairs[overlap >= options.min_overlap]
    return pairs


def _cell_pairs(
    engine: Engine,
    shards: ShardSet,
    work: Path,
    vector_files: list[str],
    rows_of: list[tuple[np.ndarray, np.ndarray]],
    survivors: np.ndarray,
    threshold: float,
    seed: int = 0,
) -> list[tuple[np.ndarray, np.ndarray]]:
    """``ann.cell_pairs`` split by shard (probes) and by groups of cells (products); centroids trained here once."""
    n = len(survivors)
    rng = np.random.default_rng(seed)
    sample = np.sort(rng.choice(survivors, size=two_level.train_size(n), replace=False))
    starts = [s.start for s in shards.shards]
    cells = two_level.train(gather_vectors(sample, vector_files, starts), n, seed)
    nlist = cells.count
    nprobe = two_level.probe_count(cells, ann.CELL_PROBES)
    tasks = [
        {"path": vector_files[k], "rows": rows, "idx": idx, "out": str(work / f"probes-{k:05d}")}
        for k, (rows, idx) in enumerate(rows_of)
    ]
    engine.map(sharded.cell_probes, tasks, cells=cells, nprobe=nprobe)
    probe_files = [t["out"] for t in tasks]
    count = max(CELL_GROUPS, math.ceil(n * nprobe / CELL_GATHER_ROWS))
    step = max(1, math.ceil(nlist / count))
    groups = [(lo, min(nlist, lo + step)) for lo in range(0, nlist, step)]
    return engine.map(
        sharded.cell_group_pairs,
        groups,
        probe_files=probe_files,
        vector_files=vector_files,
        starts=starts,
        threshold=threshold,
    )


def _rank_of(shards: ShardSet, idx: np.ndarray) -> tuple[np.ndarray, list[str]]:
    """Canonical rank (hop, created_at, id) among the personas at sorted global indexes ``idx``, and their ids."""
    meta = read_rows(shards, idx, ["id", "hop", "created_at"])
    return grouping.canonical_rank(meta["hop"], meta["created_at"], meta["id"]), [str(i) for i in meta["id"]]


def _grouped(shards: ShardSet, pairs: np.ndarray, linkage: str) -> list[tuple[int, list[int]]]:
    """(canonical, members) in global indexes: ``grouping.group`` over the personas in some pair."""
    if not len(pairs):
        return []
    involved = np.unique(pairs)
    rank, _ = _rank_of(shards, involved)
    found = grouping.group(len(involved), np.searchsorted(involved, pairs), rank, linkage)
    return [
        (int(involved[c]), [int(involved[m]) for m in ms]) for c, ms in zip(found.canonical, found.members, strict=True)
    ]


def find_groups_sharded(
    engine: Engine,
    shards: ShardSet,
    work: Path,
    options: DedupOptions,
    vector_files: VectorFiles | None = None,
    seconds: dict[str, float] | None = None,
) -> tuple[list[Group], dict[str, int], dict[str, int]]:
    """``run.find_groups`` on shards: (joined groups, groups per stage, pairs per stage).

    ``vector_files()`` makes and returns the per-shard vector files (rows aligned with the shards).
    """
    clock = StepClock(seconds)
    n = shards.total
    by_stage: dict[str, int] = {}
    pair_counts: dict[str, int] = {}
    followers: dict[int, list[int]] = {}
    stage_of: dict[int, str] = {}
    alive = np.ones(n, dtype=bool)
    if options.uses_minhash and n > 1:
        found, _ = minhash_pairs(engine, shards, work, options, clock.seconds)
        clock.lap("minhash + lsh + verify")
        pair_counts["minhash"] = len(found)
        groups = _grouped(shards, found, "components")
        by_stage["minhash"] = len(groups)
        for canon, members in groups:
            followers[canon] = list(members)
            stage_of[canon] = "minhash"
            alive[members] = False
    if options.uses_embeddings and alive.sum() > 1:
        if vector_files is None:
            raise ValueError("the embedding stage needs vector files")
        files = vector_files()
        clock.lap("embedding")
        found = embedding_pairs(engine, shards, work, files, alive, options)
        clock.lap("similarity search")
        pair_counts["embedding"] = len(found)
        groups = _grouped(shards, found, options.linkage)
        by_stage["embedding"] = len(groups)
        for canon, members in groups:
            merged = followers.pop(canon, [])
            stages = {stage_of.pop(canon, "")}
            for member in members:
                merged.append(member)
                merged.extend(followers.pop(member, []))
                stages.add(stage_of.pop(member, ""))
            followers[canon] = merged
            stage_of[canon] = "+".join(s for s in ("minhash", "embedding") if s in stages or s == "embedding")
    if not followers:
        return [], by_stage, pair_counts
    everyone = np.unique(np.array([i for c, ms in followers.items() for i in (c, *ms)], dtype=np.int64))
    rank, ids = _rank_of(shards, everyone)
    pos = {int(i): k for k, i in enumerate(everyone.tolist())}
    result = [
        Group(ids[pos[c]], tuple(ids[pos[m]] for m in sorted(ms, key=lambda i: rank[pos[i]])), stage_of[c])
        for c, ms in sorted(followers.items(), key=lambda item: rank[pos[item[0]]])
    ]
    return result, by_stage, pair_counts


def graph_groups(
    store: GraphStore,
    embeddings: Embeddings | None,
    options: DedupOptions,
    engine: str,
    scheduler: str | None = None,
    work_dir: str | Path | None = None,
    progress: Callable[[int], None] | None = None,
    seconds: dict[str, float] | None = None,
) -> tuple[list[Group], dict[str, int], dict[str, int], int]:
    """The personas of ``store`` into shards, both stages on ``engine``: (groups, per stage, pairs, personas)."""
    from personagraph.embeddings.sharded import embed_shards, vector_files
    from personagraph.engine.executor import open_engine
    from personagraph.engine.shards import work_folder, write_persona_shards

    clock = StepClock(seconds)
    parent = store.side_folder() or (embeddings.folder.parent if embeddings is not None else None)
    with open_engine(engine, scheduler) as runner, work_folder(parent, work_dir) as work:
        shards = write_persona_shards(store, work)
        clock.lap("load personas")

        def files() -> list[str]:
            assert embeddings is not None
            embed_shards(embeddings, runner, shards, work, progress=progress)
            return vector_files(embeddings, shards, work)

        found = find_groups_sharded(runner, shards, work, options, files if embeddings else None, clock.seconds)
        return (*found, shards.total)
