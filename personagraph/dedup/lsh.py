"""LSH banding over MinHash signatures, exact verification, and an exact Jaccard join.

Banding is done in numpy: each band's ``r`` values are hashed to one 64-bit key, keys are sorted,
and documents sharing a key become candidate pairs. The bands are chosen for recall, not by
datasketch's default weighting (which for 0.9 and 128 permutations picks b=5, r=25 and misses
about a fifth of the true pairs): ``choose_bands`` takes the largest ``r`` whose S-curve still
passes ``target`` at the threshold itself, so pairs above it are found with higher probability
still. Every candidate is then verified with the exact Jaccard of its token sets.

Pure code on arrays: no store imports.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from personagraph.dedup.minhash import Tokens

DEFAULT_TARGET = 0.995
MAX_CLIQUE = 64  # a bucket larger than this is paired as a star (first member with each other)


def s_curve(similarity: float, bands: int, rows: int) -> float:
    """Probability that a pair of this Jaccard similarity shares at least one band."""
    return float(1.0 - (1.0 - similarity**rows) ** bands)


def choose_bands(threshold: float, num_perm: int = 128, target: float = DEFAULT_TARGET) -> tuple[int, int]:
    """(bands, rows): the largest ``rows`` (fewest false candidates) whose S-curve is ≥ target at threshold."""
    if not 0.0 < threshold <= 1.0:
        raise ValueError("threshold must be in (0, 1]")
    best = (num_perm, 1)
    for rows in range(1, num_perm + 1):
        bands = num_perm // rows
        if s_curve(threshold, bands, rows) >= target:
            best = (bands, rows)
    return best


_MIX = np.random.RandomState(20240601).randint(1, 1 << 62, size=256, dtype=np.int64).astype(np.uint64) | np.uint64(1)


def band_keys(signatures: np.ndarray, bands: int, rows: int) -> np.ndarray:
    """(n, bands) uint64: one hash per band of ``rows`` signature values."""
    if bands * rows > signatures.shape[1]:
        raise ValueError(
            f"{bands} bands of {rows} rows need {bands * rows} permutations, signatures have {signatures.shape[1]}"
        )
    n = signatures.shape[0]
    keys = np.zeros((n, bands), dtype=np.uint64)
    for band in range(bands):
        block = signatures[:, band * rows : (band + 1) * rows].astype(np.uint64)
        acc = np.full(n, _MIX[band % 255], dtype=np.uint64)
        for j in range(rows):
            acc = (acc ^ block[:, j]) * _MIX[255]  # wraps mod 2^64 (FNV-like, with random odd multipliers)
        keys[:, band] = acc ^ (acc >> np.uint64(29))
    return keys


def bucket_pairs(keys: np.ndarray, members: np.ndarray | None = None, max_clique: int = MAX_CLIQUE) -> np.ndarray:
    """(m, 2) int64 pairs (i < j) of members sharing a key; cliques in small buckets, stars in big ones."""
    members = np.arange(len(keys), dtype=np.int64) if members is None else members.astype(np.int64)
    if len(keys) < 2:
        return np.zeros((0, 2), dtype=np.int64)
    order = np.argsort(keys, kind="stable")
    sorted_keys = keys[order]
    ranked = members[order]
    new_bucket = np.concatenate([[True], sorted_keys[1:] != sorted_keys[:-1]])
    bucket_start = np.maximum.accumulate(np.where(new_bucket, np.arange(len(keys)), 0))
    bucket_id = np.cumsum(new_bucket) - 1
    sizes = np.bincount(bucket_id)[bucket_id]
    position = np.arange(len(keys)) - bucket_start  # rank within the bucket
    # Each member pairs with every earlier member of its bucket (clique) or with the first (star).
    counts = np.where(sizes > max_clique, np.minimum(position, 1), position)
    total = int(counts.sum())
    if total == 0:
        return np.zeros((0, 2), dtype=np.int64)
    right = np.repeat(np.arange(len(keys)), counts)
    first_of_run = np.repeat(np.cumsum(counts) - counts, counts)
    left = np.repeat(bucket_start, counts) + (np.arange(total) - first_of_run)
    a, b = ranked[left], ranked[right]
    return np.stack([np.minimum(a, b), np.maximum(a, b)], axis=1)


def unique_pairs(pairs: np.ndarray) -> np.ndarray:
    """Distinct rows of an (m, 2) int64 pair array, sorted."""
    if not len(pairs):
        return pairs.reshape(0, 2)
    return np.unique(pairs, axis=0)


def candidate_pairs(keys: np.ndarray) -> np.ndarray:
    """Distinct pairs of documents sharing at least one band key."""
    found = [bucket_pairs(keys[:, band]) for band in range(keys.shape[1])]
    return unique_pairs(np.concatenate(found) if found else np.zeros((0, 2), dtype=np.int64))


def jaccard_of_pairs(tokens: Tokens, pairs: np.ndarray) -> np.ndarray:
    """Exact Jaccard similarity of each pair's token sets."""
    cache: dict[int, set[int]] = {}

    def token_set(d: int) -> set[int]:
        found = cache.get(d)
        if found is None:
            found = cache[d] = tokens.token_set(d)
        return found

    out = np.empty(len(pairs), dtype=np.float64)
    for k, (i, j) in enumerate(pairs.tolist()):
        a, b = token_set(i), token_set(j)
        union = len(a | b)
        out[k] = len(a & b) / union if union else 0.0  # no words: never a duplicate
    return out


@dataclass
class PairSet:
    """Pairs (i < j) of document indexes with their similarity."""

    pairs: np.ndarray  # (m, 2) int64
    similarity: np.ndarray  # (m,) float
    candidates: int = 0  # pairs looked at before verification

    def __len__(self) -> int:
        return len(self.pairs)

    def as_set(self) -> set[tuple[int, int]]:
        return {(int(i), int(j)) for i, j in self.pairs}


def verify(tokens: Tokens, pairs: np.ndarray, threshold: float) -> PairSet:
    """Keep the candidate pairs whose exact Jaccard is ≥ threshold."""
    similarity = jaccard_of_pairs(tokens, pairs)
    keep = similarity >= threshold
    return PairSet(pairs[keep], similarity[keep], candidates=len(pairs))


def exact_jaccard_pairs(tokens: Tokens, threshold: float) -> PairSet:
    """All pairs with Jaccard ≥ threshold, exactly (prefix filtering; for samples and small graphs).

    With tokens ordered rarest first, two sets with Jaccard ≥ t must share a token among the
    first ``|x| - ceil(t·|x|) + 1`` of each: only those prefixes are indexed.
    """
    n = len(tokens)
    sets = [np.unique(tokens.doc(d)) for d in range(n)]
    vocab_size = max(len(tokens.vocabulary), int(tokens.ids.max()) + 1 if len(tokens.ids) else 1)
    frequency = np.zeros(vocab_size, dtype=np.int64)
    for s in sets:
        frequency[s] += 1
    docs, prefix_tokens = [], []
    for d, s in enumerate(sets):
        if not len(s):
            continue
        ordered = s[np.lexsort((s, frequency[s]))]
        length = len(s) - int(np.ceil(threshold * len(s) - 1e-9)) + 1
        prefix_tokens.append(ordered[:length])
        docs.append(np.full(length, d, dtype=np.int64))
    if not docs:
        return PairSet(np.zeros((0, 2), dtype=np.int64), np.zeros(0), 0)
    # Docs sharing a prefix token are candidates (same bucketing as LSH, never a star here).
    keys = np.concatenate(prefix_tokens).astype(np.uint64)
    pairs = unique_pairs(bucket_pairs(keys, np.concatenate(docs), max_clique=1 << 62))
    pairs = pairs[pairs[:, 0] != pairs[:, 1]]
    return verify(tokens, pairs, threshold)


def near_duplicates(
    tokens: Tokens, signatures: np.ndarray, threshold: float = 0.9, bands: int | None = None, rows: int | None = None
) -> PairSet:
    """MinHash LSH candidates, verified: the pairs with exact Jaccard ≥ threshold (w.h.p. all of them)."""
    if bands is None or rows is None:
        bands, rows = choose_bands(threshold, signatures.shape[1])
    return verify(tokens, candidate_pairs(band_keys(signatures, bands, rows)), threshold)
