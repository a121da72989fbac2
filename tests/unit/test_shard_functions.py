"""The pure shard functions give what the one-array functions give on all rows at once."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq

from personagraph.dedup import lsh, sharded
from personagraph.dedup.minhash import Vocabulary, signatures, tokenise
from personagraph.engine.executor import LocalEngine
from personagraph.engine.shards import Shard, ShardSet, gather_vectors
from personagraph.sampling.clustering import LabelStats, _renumber, cluster_labels, size_order
from tests.persona_corpus import generated_personas


def _shards(folder: Path, texts: list[str], rows: int) -> ShardSet:
    folder.mkdir(parents=True, exist_ok=True)
    shards = []
    for number, start in enumerate(range(0, len(texts), rows)):
        part = texts[start : start + rows]
        path = folder / f"shard-{number:05d}.parquet"
        pq.write_table(pa.table({"idx": np.arange(start, start + len(part)), "text": part}), path)
        shards.append(Shard(number, str(path), start, len(part)))
    return ShardSet(folder, shards)


def test_partitioned_band_keys_give_the_candidates_of_all_keys(tmp_path: Path) -> None:
    base = list(generated_personas(300))
    # Near-copies, and one text 80 times: a bucket past MAX_CLIQUE, paired as a star from its first member.
    texts = base + [t.replace(" a ", " one ") for t in base[:40]] + [base[5]] * 80 + ["", ""]
    bands, rows = lsh.choose_bands(0.9)
    expected = lsh.candidate_pairs(lsh.band_keys(signatures(tokenise(texts, Vocabulary())), bands, rows))
    assert len(expected) > 100
    shard_set = _shards(tmp_path / "personas", texts, 37)
    for partitions in (1, 5):
        out = tmp_path / f"bands-{partitions}"
        engine = LocalEngine()
        items = [{"number": s.number, "path": s.path} for s in shard_set.shards]
        counts = engine.map(
            sharded.band_partitions,
            items,
            out_folder=str(out),
            num_perm=128,
            bands=bands,
            rows=rows,
            partitions=partitions,
        )
        assert sum(counts) == len(texts)
        tasks = [
            {"files": sorted(str(f) for f in folder.glob("*.parquet")), "out": str(tmp_path / f"{folder.name}.npy")}
            for folder in sorted(out.iterdir())
        ]
        assert len(tasks) == partitions
        engine.map(sharded.partition_candidates, tasks)
        found = lsh.unique_pairs(np.concatenate([np.load(t["out"]) for t in tasks]))
        assert np.array_equal(found, expected)


def test_verify_chunk_is_the_exact_jaccard() -> None:
    texts = [
        "a nurse from ohio who loves cats",
        "a nurse from ohio who loves dogs",
        "a nurse from ohio who loves cats!",
    ]
    pairs = np.array([[0, 1], [0, 2], [1, 2]])
    tokens = tokenise(texts, Vocabulary())
    assert np.array_equal(sharded.verify_chunk((pairs, texts), 0.7, 128), lsh.jaccard_of_pairs(tokens, pairs) >= 0.7)
    assert sharded.verify_chunk((pairs, texts), 0.7, 128).tolist() == [True, True, True]
    assert sharded.verify_chunk((pairs, texts), 0.9, 128).tolist() == [False, True, False]


def test_block_pairs_find_the_upper_triangle(tmp_path: Path) -> None:
    rng = np.random.default_rng(0)
    vectors = rng.normal(size=(50, 8)).astype(np.float32)
    vectors[10] = vectors[3] + 0.01
    vectors[40] = vectors[3] - 0.01
    vectors /= np.linalg.norm(vectors, axis=1, keepdims=True)
    np.save(tmp_path / "a.npy", vectors[:30])
    np.save(tmp_path / "b.npy", vectors[30:])
    same = {"a_path": str(tmp_path / "a.npy"), "a_rows": np.arange(30), "a_idx": np.arange(30)}
    within = sharded.block_pairs(
        same | {"b_path": same["a_path"], "b_rows": np.arange(30), "b_idx": np.arange(30)}, 0.99
    )
    across = sharded.block_pairs(
        same | {"b_path": str(tmp_path / "b.npy"), "b_rows": np.arange(20), "b_idx": np.arange(30, 50)}, 0.99
    )
    assert within[0].tolist() == [[3, 10]] and across[0].tolist() == [[3, 40], [10, 40]]
    gathered = gather_vectors(np.array([3, 10, 40]), [str(tmp_path / "a.npy"), str(tmp_path / "b.npy")], [0, 30])
    assert np.allclose(gathered, vectors[[3, 10, 40]])


def test_cell_groups_find_the_pairs_of_every_cell_however_the_cells_are_split(tmp_path: Path) -> None:
    """``cell_group_pairs`` over any split of the cells gives the pairs of each cell's probers × residents."""
    from personagraph.dedup import cells
    from personagraph.dedup.ann import _dedupe

    rng = np.random.default_rng(4)
    vectors = rng.normal(size=(6000, 16)).astype(np.float32)
    vectors[3000:3300] = vectors[:300] + rng.normal(scale=0.05, size=(300, 16)).astype(np.float32)  # near pairs
    vectors /= np.linalg.norm(vectors, axis=1, keepdims=True)
    layout = cells.train(vectors, len(vectors))
    nlist, nprobe = layout.count, 3
    assert nlist >= 20
    probes = cells.probes(vectors, layout, nprobe)
    starts = [0, 2500, 4200]
    bounds = [*starts, len(vectors)]
    vector_files, probe_files = [], []
    for k in range(len(starts)):
        rows = np.arange(bounds[k], bounds[k + 1])
        np.save(tmp_path / f"v{k}.npy", vectors[rows].astype(np.float16))
        sharded.write_visits(str(tmp_path / f"p{k}"), rows, probes[rows], nlist)
        vector_files.append(str(tmp_path / f"v{k}.npy"))
        probe_files.append(str(tmp_path / f"p{k}"))
    stored = vectors.astype(np.float16).astype(np.float32)
    expected = set()
    for cell in range(nlist):
        residents = np.flatnonzero(probes[:, 0] == cell)
        probing = np.flatnonzero((probes == cell).any(axis=1))
        sims = stored[probing] @ stored[residents].T
        for i, j in zip(*np.nonzero(sims >= 0.9), strict=True):
            a, b = int(probing[i]), int(residents[j])
            if a != b:
                expected.add((min(a, b), max(a, b)))
    assert len(expected) >= 250
    for step in (nlist, 5, 1):
        parts = [
            sharded.cell_group_pairs((lo, min(nlist, lo + step)), probe_files, vector_files, starts, 0.9)
            for lo in range(0, nlist, step)
        ]
        pairs, sims = _dedupe(np.concatenate([p for p, _ in parts]), np.concatenate([s for _, s in parts]))
        assert {tuple(p) for p in pairs.tolist()} == expected
        assert np.all(sims >= 0.9)


def test_label_stats_of_shards_add_up_to_the_labels_of_all() -> None:
    texts = list(generated_personas(400))
    clusters = np.random.default_rng(1).integers(0, 7, size=len(texts))
    merged = LabelStats()
    for start in range(0, len(texts), 90):
        merged.merge(LabelStats().add(texts[start : start + 90], clusters[start : start + 90]))
    assert merged.labels() == cluster_labels(texts, clusters)
    counts = np.bincount(clusters, minlength=9)  # clusters 7 and 8 are empty
    first = np.array([np.flatnonzero(clusters == c)[0] if counts[c] else 10**9 for c in range(9)])
    assert np.array_equal(size_order(counts, first)[clusters], _renumber(clusters))


def test_dedupe_keeps_each_pair_once_with_its_first_similarity_in_pair_order() -> None:
    from personagraph.dedup.ann import _dedupe

    rng = np.random.default_rng(3)
    pairs = rng.integers(0, 50, size=(4000, 2))
    sims = rng.random(4000).astype(np.float32)
    got, got_sims = _dedupe(pairs, sims)
    expected = {}
    for (i, j), s in zip(pairs.tolist(), sims.tolist(), strict=True):
        expected.setdefault((i, j), s)
    assert [tuple(p) for p in got.tolist()] == sorted(expected)
    assert np.allclose(got_sims, [expected[tuple(p)] for p in got.tolist()])
    big = np.array([[2**31 + 5, 2**31 + 9], [3, 4], [2**31 + 5, 2**31 + 9]])
    assert _dedupe(big, np.array([0.1, 0.2, 0.3]))[0].tolist() == [[3, 4], [2**31 + 5, 2**31 + 9]]
    huge = np.array([[2**40, 2**41], [1, 2], [2**40, 2**41]])  # past the one-key range: rows as rows
    assert _dedupe(huge, np.array([0.1, 0.2, 0.3]))[0].tolist() == [[1, 2], [2**40, 2**41]]


def test_merge_lines_say_how_far_at_most_once_a_period_and_at_the_end() -> None:
    from personagraph.dedup.run import _merge_lines

    said: list[str] = []
    advance = _merge_lines(said.append, 5000, every=3600)
    for _ in range(4):
        advance(1000)
    assert said == []  # within the period: quiet
    advance(1000)
    assert said == ["merged 5,000 of 5,000 duplicates"]
    often = _merge_lines(said.append, 3, every=0)
    often(1)
    often(2)
    assert said[-2:] == ["merged 1 of 3 duplicates", "merged 3 of 3 duplicates"]
