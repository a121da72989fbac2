"""Diversity of a batch of samples, on plain data (texts and embedding arrays).

- distinct-n: distinct word n-grams / all word n-grams over the batch (Li et al., 2016);
- near-duplicate rate: share of samples with another sample whose estimated Jaccard similarity
  of word 3-gram shingles is at least ``threshold`` (datasketch MinHash + LSH, 128 permutations);
- mean pairwise cosine of the sample embeddings (lower = more spread);
- Vendi score: exp of the entropy of the eigenvalues of K/n, K the cosine-similarity matrix
  (Friedman & Dieng, 2023): the effective number of distinct samples, from 1 to n;
- the paper's check (Persona Hub, Fig. 9): pairs of samples binned by the similarity of their
  personas, with the mean similarity of the samples in each bin.
"""

from __future__ import annotations

import itertools
import re
from collections.abc import Sequence
from typing import Any

import numpy as np

_TOKEN = re.compile(r"\w+", re.UNICODE)
DEFAULT_BINS = (-1.0, 0.2, 0.4, 0.6, 0.8, 1.0001)


def tokens(text: str) -> list[str]:
    return _TOKEN.findall(text.lower())


def distinct_n(texts: Sequence[str], n: int) -> float:
    """Distinct n-grams over all n-grams in the texts (0 when there are none)."""
    seen: set[tuple[str, ...]] = set()
    total = 0
    for text in texts:
        words = tokens(text)
        grams = [tuple(words[i : i + n]) for i in range(len(words) - n + 1)]
        total += len(grams)
        seen.update(grams)
    return len(seen) / total if total else 0.0


def shingles(text: str, k: int = 3) -> set[str]:
    words = tokens(text)
    if len(words) < k:
        return {" ".join(words)} if words else set()
    return {" ".join(words[i : i + k]) for i in range(len(words) - k + 1)}


def near_duplicate_rate(
    texts: Sequence[str], threshold: float = 0.8, num_perm: int = 128, k: int = 3, seed: int = 1
) -> dict[str, Any]:
    """Share of texts that have a near-duplicate among the others (MinHash LSH, then estimated Jaccard)."""
    from datasketch import MinHash, MinHashLSH

    if len(texts) < 2:
        return {"rate": 0.0, "pairs": 0, "threshold": threshold, "shingle_words": k}
    hashes = []
    for text in texts:
        m = MinHash(num_perm=num_perm, seed=seed)
        for s in shingles(text, k):
            m.update(s.encode("utf-8"))
        hashes.append(m)
    lsh = MinHashLSH(threshold=threshold, num_perm=num_perm)
    for i, m in enumerate(hashes):
        lsh.insert(str(i), m)
    flagged: set[int] = set()
    pairs = 0
    for i, m in enumerate(hashes):
        for key in lsh.query(m):
            j = int(key)
            if j > i and m.jaccard(hashes[j]) >= threshold:
                pairs += 1
                flagged.update((i, j))
    return {"rate": round(len(flagged) / len(texts), 4), "pairs": pairs, "threshold": threshold, "shingle_words": k}


def _unit(x: np.ndarray) -> np.ndarray:
    x = np.asarray(x, dtype=np.float64)
    norms = np.linalg.norm(x, axis=1, keepdims=True)
    norms[norms == 0] = 1.0
    return x / norms


def mean_pairwise_cosine(vectors: np.ndarray) -> float:
    """Mean cosine over all distinct pairs (via the sum vector: O(n·d))."""
    x = _unit(vectors)
    n = len(x)
    if n < 2:
        return 0.0
    total = float(np.sum(x.sum(axis=0) ** 2)) - float(np.sum(x * x))
    return total / (n * (n - 1))


def vendi_score(vectors: np.ndarray) -> float:
    """exp(entropy of the eigenvalues of K/n), K = X Xᵀ of unit rows; uses the d×d form when n > d."""
    x = _unit(vectors)
    n = len(x)
    if n == 0:
        return 0.0
    gram = x.T @ x if n > x.shape[1] else x @ x.T  # same non-zero eigenvalues
    eig = np.linalg.eigvalsh(gram / n)
    eig = eig[eig > 1e-12]
    eig = eig / eig.sum()
    return float(np.exp(-np.sum(eig * np.log(eig))))


def similarity_bins(
    persona_vectors: np.ndarray,
    sample_vectors: np.ndarray,
    bins: Sequence[float] = DEFAULT_BINS,
    max_pairs: int = 200_000,
    seed: int = 0,
) -> list[dict[str, Any]]:
    """Pairs of samples grouped by their personas' cosine similarity: count, mean persona
    similarity, mean sample similarity per bin (all pairs, or ``max_pairs`` drawn at random)."""
    p, s = _unit(persona_vectors), _unit(sample_vectors)
    n = len(p)
    if n < 2:
        return []
    total = n * (n - 1) // 2
    if total <= max_pairs:
        i, j = np.triu_indices(n, 1)
    else:
        rng = np.random.default_rng(seed)
        i = rng.integers(0, n, max_pairs)
        j = rng.integers(0, n - 1, max_pairs)
        j = j + (j >= i)  # j != i
    ps = np.sum(p[i] * p[j], axis=1)
    ss = np.sum(s[i] * s[j], axis=1)
    out = []
    for low, high in itertools.pairwise(bins):
        mask = (ps >= low) & (ps < high)
        if mask.any():
            out.append(
                {
                    "persona_sim": f"{max(low, -1):.1f}–{min(high, 1):.1f}",
                    "pairs": int(mask.sum()),
                    "mean_persona_sim": round(float(ps[mask].mean()), 4),
                    "mean_sample_sim": round(float(ss[mask].mean()), 4),
                }
            )
    return out


def diversity_report(
    texts: Sequence[str],
    sample_vectors: np.ndarray | None = None,
    persona_vectors: np.ndarray | None = None,
    threshold: float = 0.8,
) -> dict[str, Any]:
    """All figures for one batch of samples (vectors row-aligned with ``texts``)."""
    report: dict[str, Any] = {
        "samples": len(texts),
        "distinct_1": round(distinct_n(texts, 1), 4),
        "distinct_2": round(distinct_n(texts, 2), 4),
        "near_duplicates": near_duplicate_rate(texts, threshold),
    }
    if sample_vectors is not None and len(sample_vectors):
        report["mean_cosine"] = round(mean_pairwise_cosine(sample_vectors), 4)
        report["vendi"] = round(vendi_score(sample_vectors), 3)
        if persona_vectors is not None and len(persona_vectors) == len(sample_vectors):
            report["persona_mean_cosine"] = round(mean_pairwise_cosine(persona_vectors), 4)
            report["persona_vs_sample"] = similarity_bins(persona_vectors, sample_vectors)
    return report
