"""The embeddings side file: parts, lookup order, compaction, model change."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from personagraph.embeddings.vectors import MAX_PARTS, EmbeddingCache

META = {"embedder": "static", "model": "m", "dim": 4, "fingerprint": "abc"}


def _vectors(n: int, seed: int) -> np.ndarray:
    rng = np.random.default_rng(seed)
    v = rng.normal(size=(n, 4)).astype(np.float32)
    return v / np.linalg.norm(v, axis=1, keepdims=True)


def test_add_get_in_any_order_across_parts(tmp_path: Path) -> None:
    cache = EmbeddingCache(tmp_path / "c", META)
    ids_a, vec_a = [f"p_{i:04d}" for i in range(10)], _vectors(10, 1)
    ids_b, vec_b = [f"p_{i:04d}" for i in range(10, 15)], _vectors(5, 2)
    cache.add(ids_a, vec_a)
    cache.add(ids_b, vec_b)
    assert len(cache) == 15
    wanted = ["p_0012", "p_0003", "p_0000", "p_0014"]
    got = cache.get(wanted)
    np.testing.assert_array_equal(got, np.stack([vec_b[2], vec_a[3], vec_a[0], vec_b[4]]))
    assert cache.find(["p_0001", "nope", "p_0014"]).tolist() == [True, False, True]
    with pytest.raises(KeyError):
        cache.get(["nope"])
    # A fresh object reads what the first wrote.
    again = EmbeddingCache(tmp_path / "c", META)
    np.testing.assert_array_equal(again.get(ids_a), vec_a)


def test_compaction_keeps_everything(tmp_path: Path) -> None:
    cache = EmbeddingCache(tmp_path / "c", META)
    expected = {}
    for k in range(MAX_PARTS + 3):
        ids = [f"id-{k}-{i}" for i in range(3)]
        vectors = _vectors(3, k)
        cache.add(ids, vectors)
        expected.update(zip(ids, vectors, strict=True))
    assert len(list((tmp_path / "c").glob("part-*.ids.npy"))) <= MAX_PARTS
    keys = sorted(expected)
    np.testing.assert_array_equal(cache.get(keys), np.stack([expected[k] for k in keys]))
    assert not list((tmp_path / "c").glob("*.tmp"))


def test_other_model_empties_the_cache(tmp_path: Path) -> None:
    cache = EmbeddingCache(tmp_path / "c", META)
    cache.add(["a", "b"], _vectors(2, 0))
    assert len(EmbeddingCache(tmp_path / "c", META)) == 2
    changed = EmbeddingCache(tmp_path / "c", {**META, "fingerprint": "redistilled"})
    assert len(changed) == 0
    assert '"redistilled"' in (tmp_path / "c" / "meta.json").read_text()


def test_dimension_mismatch_is_refused(tmp_path: Path) -> None:
    cache = EmbeddingCache(tmp_path / "c", META)
    with pytest.raises(ValueError):
        cache.add(["a"], np.zeros((1, 3), dtype=np.float32))


def test_compaction_streams_the_vectors(tmp_path: Path) -> None:
    """compact() copies the vectors chunk by chunk: its peak of allocated memory stays far below the
    vectors' size, and the result is the same vectors, sorted by id, the first part's copy of a repeat."""
    import tracemalloc

    from personagraph.embeddings import vectors as vectors_module

    meta = {**META, "dim": 128}
    cache = EmbeddingCache(tmp_path / "c", meta)
    rng = np.random.default_rng(3)
    expected: dict[str, np.ndarray] = {}
    parts = 6
    per_part = 20_000
    for k in range(parts):
        # Unsorted ids within a part; part 3 repeats ids of part 1 with other vectors (the first kept).
        ids = [f"p_{int(i):08d}" for i in rng.permutation(per_part) + (per_part * (k if k != 3 else 1))]
        block = rng.normal(size=(per_part, 128)).astype(np.float32)
        cache.add(ids, block)
        for pid, row in zip(ids, block, strict=True):
            expected.setdefault(pid, row)
    total_bytes = len(expected) * 128 * 4  # 51 MB of vectors
    chunk_before = vectors_module.COMPACT_ROWS
    vectors_module.COMPACT_ROWS = 4096  # 2 MB a chunk
    try:
        tracemalloc.start()
        cache.compact()
        _, peak = tracemalloc.get_traced_memory()
        tracemalloc.stop()
    finally:
        vectors_module.COMPACT_ROWS = chunk_before
    # The id index (sorted ids, part and row of each: ~35 bytes an id) and a few chunks, never the vectors.
    assert peak < total_bytes / 4, (peak, total_bytes)
    files = sorted((tmp_path / "c").glob("part-*.ids.npy"))
    assert len(files) == 1
    stored_ids = np.load(files[0])
    assert stored_ids.tolist() == sorted(k.encode() for k in expected)
    stored = np.load(str(files[0]).replace(".ids.npy", ".vectors.npy"))
    np.testing.assert_array_equal(stored, np.stack([expected[k] for k in sorted(expected)]))
    again = EmbeddingCache(tmp_path / "c", meta)
    np.testing.assert_array_equal(
        again.get(["p_00020005", "p_00000001"]), np.stack([expected["p_00020005"], expected["p_00000001"]])
    )
