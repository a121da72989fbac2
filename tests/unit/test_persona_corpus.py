"""The generated personas the suite runs on: deterministic, distinct, varied, and far apart."""

from __future__ import annotations

from personagraph.dedup import lsh
from personagraph.dedup.minhash import tokenise, words
from tests.persona_corpus import generated_personas


def test_same_personas_every_time_and_all_distinct() -> None:
    texts = generated_personas()
    assert len(texts) == 3000 and len(set(texts)) == 3000
    assert generated_personas.__wrapped__(3000) == texts  # not just the cache: the generator itself
    assert generated_personas(500, seed=8)[:5] != texts[:5]


def test_lengths_cover_short_and_long_personas() -> None:
    sizes = [len(set(words(t))) for t in generated_personas()]
    assert min(sizes) <= 6 and max(sizes) >= 25
    assert sum(9 <= s <= 12 for s in sizes) >= 300  # the short ones a one-word edit takes below J 0.9
    assert sum(s >= 18 for s in sizes) >= 500  # the long ones it does not


def test_no_two_personas_are_near_duplicates() -> None:
    pairs = lsh.exact_jaccard_pairs(tokenise(list(generated_personas())), 0.7)
    assert len(pairs) == 0, [tuple(p) for p in pairs.pairs[:5].tolist()]
