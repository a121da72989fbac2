"""MinHash, LSH, similarity search and grouping on plain arrays; datasketch and brute force as references."""

from __future__ import annotations

import functools
import itertools

import numpy as np
import pytest
from datasketch import MinHash, MinHashLSH

from personagraph.dedup import ann, groups, lsh
from personagraph.dedup.minhash import Vocabulary, estimate_jaccard, signatures, tokenise, words
from tests.persona_corpus import generated_personas


def _sample(n: int) -> list[str]:
    return list(generated_personas()[:n])


def _datasketch(text: str) -> MinHash:
    m = MinHash(num_perm=128, seed=1)
    for w in set(words(text)):
        m.update(w.encode("utf-8"))
    return m


ODD = ["", "  ...  ", "Ünïcödé ﬁle NAÏVE café, CAFÉ!", "tabs\tand\nnew\u00a0lines", "has a \x1e separator inside", "x"]


def test_tokenise_matches_words_per_text() -> None:
    texts = _sample(300) + ODD
    tokens = tokenise(texts, chunk=77)
    names = tokens.vocabulary.tokens()
    for d, text in enumerate(texts):
        assert [names[t] for t in tokens.doc(d)] == words(text)
    assert words("A Nurse, from OHIO.") == ["a", "nurse", "from", "ohio"]


def test_signatures_are_datasketchs() -> None:
    texts = _sample(400) + ODD
    ours = signatures(tokenise(texts), chunk_tokens=1000)
    reference = np.array([_datasketch(t).hashvalues for t in texts])
    np.testing.assert_array_equal(ours, reference)
    ref_a, ref_b = _datasketch(texts[0]), _datasketch(texts[1])
    assert estimate_jaccard(ours[0], ours[1]) == pytest.approx(ref_a.jaccard(ref_b))


def test_vocabulary_grows_incrementally() -> None:
    vocabulary = Vocabulary()
    first = signatures(tokenise(_sample(50), vocabulary))
    later = signatures(tokenise(_sample(80)[50:] + _sample(10), vocabulary))
    np.testing.assert_array_equal(later[-10:], first[:10])


def test_choose_bands_for_recall() -> None:
    bands, rows = lsh.choose_bands(0.9, 128)
    assert bands * rows <= 128
    assert lsh.s_curve(0.9, bands, rows) >= 0.995
    # datasketch's own choice for 0.9 finds far fewer pairs at the threshold.
    default = MinHashLSH(threshold=0.9, num_perm=128)
    assert lsh.s_curve(0.9, default.b, default.r) < 0.85


def test_bucket_pairs_are_all_pairs_sharing_a_key() -> None:
    rng = np.random.default_rng(3)
    keys = rng.integers(0, 40, size=300).astype(np.uint64)
    got = {tuple(p) for p in lsh.bucket_pairs(keys, max_clique=10**9).tolist()}
    expected = {(i, j) for i, j in itertools.combinations(range(300), 2) if keys[i] == keys[j]}
    assert got == expected
    star = lsh.bucket_pairs(np.zeros(100, dtype=np.uint64), max_clique=10)
    assert len(star) == 99 and set(star[:, 0].tolist()) == {0}


def _near_copies(texts: list[str], rng: np.random.Generator) -> list[str]:
    out = []
    for k, text in enumerate(texts):
        w = text.split()
        i = int(rng.integers(1, len(w) - 1))
        kind = k % 4
        if kind == 0:
            w[i - 1], w[i] = w[i], w[i - 1]  # adjacent swap
        elif kind == 1:
            w.insert(i, "really")  # filler
        elif kind == 2:
            w = [x.upper() for x in w]  # case
        else:
            w[-1] = w[-1].rstrip(".") + "!!"  # punctuation
        out.append(" ".join(w))
    return out


def test_lsh_finds_what_exact_jaccard_finds() -> None:
    rng = np.random.default_rng(0)
    base = [t for t in _sample(3000) if len(set(words(t))) >= 18][:250]
    assert len(base) == 250
    texts = base + _near_copies(base, rng) + _sample(1000)
    tokens = tokenise(texts)
    exact = lsh.exact_jaccard_pairs(tokens, 0.9)
    found = lsh.near_duplicates(tokens, signatures(tokens), 0.9)
    assert found.as_set() == exact.as_set()
    assert {(i, i + 250) for i in range(250)} <= found.as_set()
    assert np.all(found.similarity >= 0.9)


def test_exact_join_is_exact() -> None:
    rng = np.random.default_rng(1)
    pool = [f"w{i}" for i in range(30)]
    texts = [" ".join(rng.choice(pool, size=int(rng.integers(3, 12)))) for _ in range(150)]
    tokens = tokenise(texts)
    for threshold in (0.5, 0.8):
        got = lsh.exact_jaccard_pairs(tokens, threshold).as_set()
        expected = set()
        for i, j in itertools.combinations(range(len(texts)), 2):
            a, b = set(words(texts[i])), set(words(texts[j]))
            if a | b and len(a & b) / len(a | b) >= threshold:
                expected.add((i, j))
        assert got == expected


def test_same_pairs_as_datasketch_lsh_with_the_same_bands() -> None:
    rng = np.random.default_rng(2)
    base = _sample(300)
    texts = base + _near_copies(base[:150], rng)
    tokens = tokenise(texts)
    bands, rows = lsh.choose_bands(0.9)
    ours = lsh.candidate_pairs(lsh.band_keys(signatures(tokens), bands, rows))
    index = MinHashLSH(threshold=0.9, num_perm=128, params=(bands, rows))
    sketches = [_datasketch(t) for t in texts]
    for k, m in enumerate(sketches):
        index.insert(k, m)
    theirs = {(min(k, q), max(k, q)) for k, m in enumerate(sketches) for q in index.query(m) if q != k}
    assert {tuple(p) for p in ours.tolist()} == theirs


def _clustered_vectors(n: int, copies: int, dim: int = 64, seed: int = 0) -> tuple[np.ndarray, set[tuple[int, int]]]:
    rng = np.random.default_rng(seed)
    base = rng.normal(size=(n, dim)).astype(np.float32)
    base /= np.linalg.norm(base, axis=1, keepdims=True)
    source = rng.choice(n, copies, replace=False)
    noise = rng.normal(size=(copies, dim)).astype(np.float32) * rng.uniform(0.005, 0.04, (copies, 1)).astype(np.float32)
    near = base[source] + noise
    near /= np.linalg.norm(near, axis=1, keepdims=True)
    planted = {(int(s), n + k) for k, s in enumerate(source)}
    return np.concatenate([base, near]), planted


def test_brute_force_pairs_match_the_full_matrix() -> None:
    vectors, _ = _clustered_vectors(700, 100)
    got = ann.brute_force_pairs(vectors, 0.9, block=128)
    sims = vectors @ vectors.T
    i, j = np.nonzero(np.triu(sims >= 0.9, 1))
    assert got.as_set() == set(zip(i.tolist(), j.tolist(), strict=True))
    np.testing.assert_allclose(got.similarity, sims[got.pairs[:, 0], got.pairs[:, 1]], rtol=1e-5)


@functools.cache
def _recall_world() -> tuple[np.ndarray, set[tuple[int, int]], lsh.PairSet]:
    """20,000 vectors and their exact pairs, made once for both methods (the exact pass is half the cost)."""
    vectors, planted = _clustered_vectors(20_000, 1_000)
    return vectors, planted, ann.brute_force_pairs(vectors, 0.9)


# One worker for both methods, so the cached world and its exact pass are made once (under pytest-xdist
# each worker made its own: 17 s of the pair's CPU at load ~20, half of it the second world).
@pytest.mark.xdist_group("ann_recall_world")
@pytest.mark.parametrize("method", ["cells", "ivf"])
def test_ann_recall_against_brute_force(method: str) -> None:
    vectors, planted, exact = _recall_world()
    approx = ann.cosine_pairs(vectors, 0.9, method=method)
    assert approx.as_set() <= exact.as_set()  # scored exactly: no false pairs
    assert len(approx.as_set() & exact.as_set()) / len(exact) >= 0.98
    assert len(planted & exact.as_set()) / len(planted) > 0.9
    found = dict(zip(map(tuple, approx.pairs.tolist()), approx.similarity.tolist(), strict=True))
    reference = dict(zip(map(tuple, exact.pairs.tolist()), exact.similarity.tolist(), strict=True))
    assert all(abs(found[p] - reference[p]) < 1e-4 for p in found)


def test_two_level_cells_grow_with_n_and_place_vectors_near_their_nearest_cell() -> None:
    from personagraph.dedup import cells

    for n in (10_000, 1_000_000, 10_000_000):  # ~CELL_SIZE vectors a cell at every n: linear work per vector
        k1, count = cells.layout(n)
        assert count == n // cells.CELL_SIZE and k1 <= 2 * count**0.5 + 1
    vectors, _ = _clustered_vectors(20_000, 0)
    layout = cells.train(vectors[::2], len(vectors), seed=1)
    probes = cells.probes(vectors, layout, 12)
    assert probes.shape == (len(vectors), 12) and probes.max() < layout.count
    assert all(len(set(row)) == 12 for row in probes[:500].tolist())  # distinct cells, nearest first
    exact = cells.nearest(vectors, layout.fine, 1)[:, 0]
    sims = np.einsum("ij,ij->i", vectors, layout.fine[probes[:, 0]])
    best = np.einsum("ij,ij->i", vectors, layout.fine[exact])
    assert np.mean(probes[:, 0] == exact) >= 0.9  # two steps find the nearest cell of nearly every vector
    assert np.all(sims <= best + 1e-5) and np.all(
        np.diff(np.take_along_axis(vectors @ layout.fine.T, probes.astype(np.int64), axis=1), axis=1) <= 1e-5
    )


def test_probes_are_the_best_fine_cells_under_the_nearest_coarse_ones(monkeypatch: pytest.MonkeyPatch) -> None:
    """Each point's probes are the nprobe best-scoring fine cells among those of its COARSE_PROBES
    nearest coarse cells (worked out here by brute force), nearest first, in chunks as in one go;
    a point with fewer such cells than nprobe gets its own cell repeated."""
    from personagraph.dedup import cells

    vectors, _ = _clustered_vectors(6_000, 0)
    layout = cells.train(vectors[::3], len(vectors), seed=2)
    q = min(cells.COARSE_PROBES, len(layout.coarse))
    coarse = np.argsort(-(vectors @ layout.coarse.T), axis=1, kind="stable")[:, :q]
    scores = vectors @ layout.fine.T
    nprobe = 6
    expected = []
    for point, near in enumerate(coarse.tolist()):
        under = np.concatenate([np.arange(layout.offsets[c], layout.offsets[c + 1]) for c in near])
        expected.append(under[np.argsort(-scores[point, under], kind="stable")[:nprobe]].tolist())
    monkeypatch.setattr(cells, "CHUNK", 1_000)  # six chunks
    got = cells.probes(vectors, layout, nprobe)
    assert got.tolist() == expected
    # Ten coarse cells of one fine cell each: 8 under a point's nearest coarse cells, 9 probes asked.
    few = cells.Cells(layout.coarse[:10], layout.coarse[:10].copy(), np.arange(11))
    short = cells.probes(vectors[:50], few, 9)
    assert all(len(set(row)) == 8 and row[8] == row[0] for row in short.tolist())
    assert cells.probe_count(few, 12) == 10


def test_vector_index_search_and_switch_to_ivf() -> None:
    vectors, planted = _clustered_vectors(3_000, 200)
    index = ann.VectorIndex(vectors.shape[1], ivf_from=2_000)
    index.add(vectors[:1_500])
    index.add(vectors[1_500:3_000])  # crosses ivf_from: rebuilt as IVF
    assert len(index) == 3_000
    best, score = index.search(vectors[3_000:], 0.9)
    hits = {(int(b), 3_000 + k) for k, b in enumerate(best) if b >= 0}
    assert len(hits & planted) / len(planted) >= 0.9
    assert np.all(score[best >= 0] >= 0.9)


def test_components_and_canonical_choice() -> None:
    pairs = np.array([[0, 1], [1, 2], [5, 6], [8, 9]])
    rank = groups.canonical_rank([2, 1, 1, 0, 0, 3, 3, 0, 0, 0], ["t"] * 10, [f"p{i}" for i in range(10)])
    found = groups.components(10, pairs, rank)
    by_canon = dict(zip(found.canonical, found.members, strict=True))
    assert by_canon == {1: [2, 0], 5: [6], 8: [9]}
    assert found.merged == 4 and found.mapping()[0] == 1
    # hop, then created_at, then id
    rank = groups.canonical_rank([1, 1, 1], ["2024-02", "2024-01", "2024-01"], ["a", "c", "b"])
    assert groups.components(3, np.array([[0, 1], [1, 2]]), rank).canonical == [2]


def test_leaders_do_not_chain() -> None:
    pairs = np.array([[0, 1], [1, 2], [2, 3]])
    rank = np.arange(4)
    assert groups.components(4, pairs, rank).members == [[1, 2, 3]]
    found = groups.leaders(4, pairs, rank)
    assert found.canonical == [0, 2] and found.members == [[1], [3]]


@pytest.mark.parametrize("seed", range(6))
def test_components_on_random_graphs_match_networkx(seed: int) -> None:
    import networkx as nx

    rng = np.random.default_rng(seed)
    n = int(rng.integers(2, 400))
    pairs = rng.integers(0, n, size=(int(rng.integers(1, n)), 2))
    pairs = np.sort(pairs[pairs[:, 0] != pairs[:, 1]], axis=1)
    if not len(pairs):
        pairs = np.array([[0, 1]])
    rank = rng.permutation(n)
    found = groups.components(n, pairs, rank)
    graph = nx.Graph()
    graph.add_edges_from(pairs.tolist())
    expected = sorted((min(c, key=lambda i: rank[i]), sorted(c)) for c in nx.connected_components(graph))
    got = sorted((c, sorted([c, *m])) for c, m in zip(found.canonical, found.members, strict=True))
    assert got == expected
    assert [rank[c] for c in found.canonical] == sorted(rank[c] for c in found.canonical)
    assert all(rank[c] < rank[m] for c, ms in zip(found.canonical, found.members, strict=True) for m in ms)
