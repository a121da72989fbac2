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
