"""Diversity metrics on constructed inputs with known answers."""

from __future__ import annotations

import numpy as np
import pytest

from personagraph.synth import diversity


def test_distinct_n_known_values() -> None:
    texts = ["the cat sat", "the cat ran"]
    # unigrams: the, cat, sat, the, cat, ran -> 4 distinct of 6
    assert diversity.distinct_n(texts, 1) == pytest.approx(4 / 6)
    # bigrams: (the cat) (cat sat) (the cat) (cat ran) -> 3 of 4
    assert diversity.distinct_n(texts, 2) == pytest.approx(3 / 4)
    assert diversity.distinct_n(["One"], 2) == 0.0
    assert diversity.distinct_n(["a b c", "d e f"], 1) == 1.0


def test_near_duplicate_rate() -> None:
    base = "a ship welder at the northern docks repairs hulls in the freezing winter nights and trains apprentices"
    texts = [
        base,
        base + " too",
        "a chess coach trains teenagers for regional tournaments in a small town hall",
        "an astronomer runs public nights at a small observatory on the hill above the lake",
    ]
    result = diversity.near_duplicate_rate(texts, threshold=0.8)
    assert result["pairs"] == 1 and result["rate"] == pytest.approx(0.5)
    distinct = diversity.near_duplicate_rate(texts[2:], threshold=0.8)
    assert distinct["rate"] == 0.0 and distinct["pairs"] == 0


def test_vendi_and_mean_cosine_known_values() -> None:
    same = np.tile([[1.0, 0.0, 0.0]], (5, 1))
    assert diversity.vendi_score(same) == pytest.approx(1.0)
    assert diversity.mean_pairwise_cosine(same) == pytest.approx(1.0)
    ortho = np.eye(4)
    assert diversity.vendi_score(ortho) == pytest.approx(4.0)
    assert diversity.mean_pairwise_cosine(ortho) == pytest.approx(0.0)
    # Two tight groups of equal size: effectively two distinct samples.
    two = np.array([[1, 0], [1, 0], [0, 1], [0, 1]], dtype=float)
    assert diversity.vendi_score(two) == pytest.approx(2.0)
    assert diversity.mean_pairwise_cosine(two) == pytest.approx(2 / 6)
    # n > d path gives the same as the n × n path.
    rng = np.random.default_rng(0)
    x = rng.standard_normal((50, 8))
    x /= np.linalg.norm(x, axis=1, keepdims=True)
    eig = np.linalg.eigvalsh(x @ x.T / 50)
    eig = eig[eig > 1e-12] / eig[eig > 1e-12].sum()
    assert diversity.vendi_score(x) == pytest.approx(float(np.exp(-(eig * np.log(eig)).sum())), rel=1e-6)


def test_similarity_bins() -> None:
    personas = np.array([[1, 0], [1, 0], [0, 1]], dtype=float)  # pairs: (0,1) sim 1; (0,2),(1,2) sim 0
    samples = np.array([[1, 0], [0.6, 0.8], [0, 1]], dtype=float)
    bins = diversity.similarity_bins(personas, samples)
    assert [b["pairs"] for b in bins] == [2, 1]
    assert bins[0]["mean_persona_sim"] == pytest.approx(0.0) and bins[0]["mean_sample_sim"] == pytest.approx(
        (0 + 0.8) / 2
    )
    assert bins[1]["mean_persona_sim"] == pytest.approx(1.0) and bins[1]["mean_sample_sim"] == pytest.approx(0.6)


def test_report_shape() -> None:
    texts = ["alpha beta", "gamma delta", "alpha beta"]
    vectors = np.eye(3)
    report = diversity.diversity_report(texts, vectors, vectors)
    assert report["samples"] == 3 and report["distinct_1"] == pytest.approx(4 / 6, abs=1e-3)
    assert report["vendi"] == pytest.approx(3.0) and report["persona_vs_sample"][0]["pairs"] == 3
