"""The shard functions of a sharded dedup: plain data and file paths in, plain data or files out.

Each runs in this process (``--engine local``) or in a Dask worker (``--engine dask``) with the
same inputs, so both engines give the same pairs. No store and no JVM here: a function reads the
Parquet shards and ``.npy`` files of the work folder and writes its own files beside them.

MinHash stage: ``band_partitions`` turns a shard's texts into signatures and band keys, and writes
the keys hash-partitioned into ``P`` buckets (a key's every holder lands in one bucket);
``partition_candidates`` groups one bucket alone, as ``lsh.candidate_pairs`` does on all keys
(rows in index order, so stars in large buckets pick the same first member). ``verify_chunk``
scores candidates with the exact Jaccard of their word sets, from the texts the driver sends.

Embedding stage: ``block_pairs`` compares a block of one shard's vectors with a later shard (brute
force, exact); ``cell_probes`` and ``cell_group_pairs`` do the same by cells (``ann.cell_pairs``
split by cell) when there are too many vectors for n².
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np

from personagraph.dedup import cells as two_level
from personagraph.dedup import lsh
from personagraph.dedup.minhash import Vocabulary, char_ngram_jaccard, signatures, tokenise
from personagraph.engine.shards import gather_vectors, vector_rows


def _write_parquet(path: Path, columns: dict[str, np.ndarray]) -> None:
    import pyarrow as pa
    import pyarrow.parquet as pq

    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(".tmp")
    pq.write_table(pa.table({k: pa.array(v) for k, v in columns.items()}), tmp)
    tmp.replace(path)


def _read_parquet(paths: Sequence[str], columns: Sequence[str]) -> dict[str, np.ndarray]:
    import pyarrow.parquet as pq

    tables = [pq.read_table(p, columns=list(columns)) for p in paths if Path(p).exists()]
    if not tables:
        return {c: np.zeros(0) for c in columns}
    return {c: np.concatenate([t.column(c).to_numpy() for t in tables]) for c in columns}


# -- MinHash --------------------------------------------------------------------------------
def band_partitions(
    shard: dict[str, Any], out_folder: str, num_perm: int, bands: int, rows: int, partitions: int
) -> int:
    """Band keys of one shard's texts, written as ``out_folder/p-XXXX/shard-NNNNN.parquet`` (band, key, idx)."""
    import pyarrow.parquet as pq

    table = pq.read_table(shard["path"], columns=["idx", "text"])
    idx = table.column("idx").to_numpy()
    texts = [t or "" for t in table.column("text").to_pylist()]
    del table
    sigs = signatures(tokenise(texts, Vocabulary(num_perm)))
    keys = lsh.band_keys(sigs, bands, rows)  # (n, bands) uint64
    del sigs
    band = np.broadcast_to(np.arange(bands, dtype=np.int16), keys.shape).ravel()
    member = np.repeat(idx, bands)
    flat = keys.ravel()
    bucket = (flat % np.uint64(partitions)).astype(np.int64)
    order = np.argsort(bucket, kind="stable")
    bounds = np.searchsorted(bucket[order], np.arange(partitions + 1))
    name = f"shard-{shard['number']:05d}.parquet"
    for p in range(partitions):
        pick = order[bounds[p] : bounds[p + 1]]
        if len(pick):
            folder = Path(out_folder) / f"p-{p:04d}"
            _write_parquet(folder / name, {"band": band[pick], "key": flat[pick], "idx": member[pick]})
    return len(idx)


def partition_candidates(task: dict[str, Any]) -> int:
    """Candidate pairs of one bucket of band keys (``files``: all shards' files of it), written to ``out`` (.npy)."""
    data = _read_parquet(task["files"], ["band", "key", "idx"])
    order = np.lexsort((data["idx"], data["band"]))  # by band, then index order within a band
    band, key, idx = data["band"][order], data["key"][order].astype(np.uint64), data["idx"][order].astype(np.int64)
    found = []
    for b in np.unique(band).tolist():
        lo, hi = np.searchsorted(band, [b, b + 1])
        found.append(lsh.bucket_pairs(key[lo:hi], idx[lo:hi]))
    pairs = lsh.unique_pairs(np.concatenate(found)) if found else np.zeros((0, 2), dtype=np.int64)
    np.save(task["out"], pairs.astype(np.int64), allow_pickle=False)
    return len(pairs)


def rows_text(task: tuple[str, np.ndarray]) -> list[str]:
    """Texts of the given rows (positions within the shard) of one shard file."""
    import pyarrow.parquet as pq

    path, local_rows = task
    table = pq.read_table(path, columns=["text"]).take(np.asarray(local_rows, dtype=np.int64))
    return [t or "" for t in table.column("text").to_pylist()]


def verify_chunk(item: tuple[np.ndarray, list[str]], threshold: float, num_perm: int) -> np.ndarray:
    """Exact word-set Jaccard ≥ threshold for pairs given as positions into ``texts``: the keep mask."""
    local_pairs, texts = item
    tokens = tokenise(texts, Vocabulary(num_perm))
    return lsh.jaccard_of_pairs(tokens, local_pairs) >= threshold


def overlap_chunk(item: tuple[np.ndarray, list[str]]) -> np.ndarray:
    """Character 3-gram Jaccard of pairs given as positions into ``texts``."""
    local_pairs, texts = item
    return char_ngram_jaccard(texts, local_pairs)


# -- embeddings -----------------------------------------------------------------------------
def block_pairs(task: dict[str, Any], threshold: float) -> tuple[np.ndarray, np.ndarray]:
    """Pairs (global indexes, i < j) with cosine ≥ threshold between a block of shard A's rows and shard B.

    ``task``: a_path, a_rows (rows of A in this block), a_idx (their global indexes), the same for B;
    when A is B, only the pairs after each row (the upper triangle).
    """
    left = vector_rows(task["a_path"], task["a_rows"])
    right = vector_rows(task["b_path"], task["b_rows"])
    sims = left @ right.T
    a_idx, b_idx = np.asarray(task["a_idx"], dtype=np.int64), np.asarray(task["b_idx"], dtype=np.int64)
    sims[a_idx[:, None] >= b_idx[None, :]] = -np.inf  # each pair once, from its smaller index
    i, j = np.nonzero(sims >= threshold)
    return np.stack([a_idx[i], b_idx[j]], axis=1), sims[i, j].astype(np.float32)


def cell_probes(task: dict[str, Any], cells: two_level.Cells, nprobe: int) -> int:
    """Each survivor of one shard: its ``nprobe`` nearest cells, written as visits (``write_visits``)
    under the prefix ``out``."""
    vectors = vector_rows(task["path"], task["rows"])
    probes = two_level.probes(vectors, cells, nprobe) if len(vectors) else np.zeros((0, nprobe), np.int32)
    write_visits(task["out"], np.asarray(task["idx"], dtype=np.int64), probes, cells.count)
    return len(vectors)


def write_visits(out: str, idx: np.ndarray, probes: np.ndarray, count: int) -> None:
    """One shard's visits to cells, sorted by cell (rows ascending within a cell), as three arrays a
    group of cells can slice without reading the rest: ``out.idx.npy`` (the visitor's global index),
    ``out.home.npy`` (True where the cell is the visitor's own, its nearest) and ``out.bounds.npy``
    (where each of the ``count`` cells starts, and the end)."""
    flat = probes.ravel()
    order = np.argsort(flat, kind="stable")  # row-major: rows stay ascending within a cell
    np.save(f"{out}.idx.npy", np.repeat(idx, probes.shape[1])[order])
    np.save(f"{out}.home.npy", (np.arange(flat.size) % max(1, probes.shape[1]) == 0)[order])
    np.save(f"{out}.bounds.npy", np.searchsorted(flat[order], np.arange(count + 1)))


def _visits(prefixes: Sequence[str], lo: int, hi: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """The visits to cells ``lo`` .. ``hi - 1`` of every shard: (global index, cell, home), each shard's
    slice read alone from its files (mapped, not loaded)."""
    idx_parts, cell_parts, home_parts = [], [], []
    for prefix in prefixes:
        bounds = np.load(f"{prefix}.bounds.npy", mmap_mode="r")
        first, last = int(bounds[lo]), int(bounds[hi])
        if first == last:
            continue
        idx_parts.append(np.array(np.load(f"{prefix}.idx.npy", mmap_mode="r")[first:last]))
        home_parts.append(np.array(np.load(f"{prefix}.home.npy", mmap_mode="r")[first:last]))
        cell_parts.append(np.repeat(np.arange(lo, hi, dtype=np.int64), np.diff(bounds[lo : hi + 1])))
    if not idx_parts:
        return np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.int64), np.zeros(0, dtype=bool)
    return np.concatenate(idx_parts), np.concatenate(cell_parts), np.concatenate(home_parts)


def cell_pairs_of(
    vectors: np.ndarray, involved: np.ndarray, probing: np.ndarray, residents: np.ndarray, threshold: float
) -> tuple[np.ndarray, np.ndarray]:
    """Pairs (global indexes, smaller first) with cosine ≥ threshold between one cell's probers and
    its residents, and their cosines; ``vectors`` are the rows of the sorted global indexes ``involved``."""
    sims = vectors[np.searchsorted(involved, probing)] @ vectors[np.searchsorted(involved, residents)].T
    i, j = np.nonzero(sims >= threshold)
    a, b = probing[i], residents[j]
    keep = a != b
    return np.stack([np.minimum(a, b)[keep], np.maximum(a, b)[keep]], axis=1), sims[i, j][keep]


def cell_group_pairs(
    cells: tuple[int, int],
    probe_files: Sequence[str],
    vector_files: Sequence[str],
    starts: Sequence[int],
    threshold: float,
) -> tuple[np.ndarray, np.ndarray]:
    """Pairs found in cells ``lo`` .. ``hi - 1``: everyone probing a cell against the cell's residents.

    ``probe_files`` are the prefixes ``cell_probes`` wrote; each shard's visits to these cells are
    one slice of its files, so a group reads its own visits only (reading every shard's probes whole
    for each group was 154 reads of ~0.8 GB at 10M). The vectors of everyone probing one of these
    cells are gathered once (``sharded_run`` sizes the groups of cells so that stays near
    ``CELL_GATHER_ROWS``); visits come shard by shard in row order, and a stable sort by cell keeps
    that, so each cell's probers and residents are in row order as ``ann.cell_pairs`` takes them.
    """
    lo, hi = cells
    visit_idx, visit_cell, visit_home = _visits(probe_files, lo, hi)
    involved = np.unique(visit_idx)
    vectors = gather_vectors(involved, vector_files, starts)
    by_cell = np.argsort(visit_cell, kind="stable")
    idx_sorted, home_sorted = visit_idx[by_cell], visit_home[by_cell]
    cell_bounds = np.searchsorted(visit_cell[by_cell], np.arange(lo, hi + 1))
    del visit_idx, visit_cell, visit_home, by_cell
    found_pairs, found_sims = [], []
    for cell in range(hi - lo):
        probing = idx_sorted[cell_bounds[cell] : cell_bounds[cell + 1]]
        residents = probing[home_sorted[cell_bounds[cell] : cell_bounds[cell + 1]]]
        if not len(residents):
            continue
        pairs, sims = cell_pairs_of(vectors, involved, probing, residents, threshold)
        found_pairs.append(pairs)
        found_sims.append(sims)
    if not found_pairs:
        return np.zeros((0, 2), dtype=np.int64), np.zeros(0, dtype=np.float32)
    return np.concatenate(found_pairs), np.concatenate(found_sims).astype(np.float32)
