"""Target-distribution sampling on plain data: reading targets, raking, quotas, selection, TVD, the report."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

from personagraph.errors import ConfigError
from personagraph.sampling import target as tg


def _candidates(seed: int = 0, count: int = 4000) -> tuple[list[tuple[str, str]], np.ndarray]:
    """Candidates skewed towards (US, male); vectors on the unit sphere."""
    rng = np.random.default_rng(seed)
    country = rng.choice(["US", "FR", "JP"], size=count, p=[0.7, 0.2, 0.1])
    gender = rng.choice(["male", "female"], size=count, p=[0.75, 0.25])
    vectors = rng.normal(size=(count, 8)).astype(np.float32)
    vectors /= np.linalg.norm(vectors, axis=1, keepdims=True)
    return list(zip(country.tolist(), gender.tolist(), strict=True)), vectors


def test_read_cells_and_marginals(tmp_path: Path) -> None:
    cells = tmp_path / "cells.csv"
    cells.write_text("country,gender,count\nUS,male,30\nUS,female,30\nFR,female,40\n", encoding="utf-8")
    target = tg.read_target(cells)
    assert target.kind == "cells" and target.attributes == ("country", "gender")
    assert target.cells == {("US", "male"): 0.3, ("US", "female"): 0.3, ("FR", "female"): 0.4}
    marginals = tmp_path / "m.json"
    marginals.write_text(json.dumps({"marginals": {"gender": {"female": 1, "male": 1}, "country": {"US": 3, "FR": 1}}}))
    target = tg.read_target(marginals)
    assert target.kind == "marginals" and target.marginals["country"] == {"US": 0.75, "FR": 0.25}
    long = tmp_path / "long.csv"
    long.write_text("attribute,value,share\ngender,female,0.5\ngender,male,0.5\n", encoding="utf-8")
    assert tg.read_target(long).marginals == {"gender": {"female": 0.5, "male": 0.5}}


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("colour,share\nred,1\n", "not a categorical attribute"),
        ("gender,share\nfemale,-1\n", r"bad.csv:2: weight '-1' must be 0 or more"),
        ("gender,share\nfemale,lots\n", r"bad.csv:2: weight 'lots' is not a number"),
        ("gender,country\nfemale,US\n", "no weight column"),
        ("gender,share\nfemale,0\n", "add up to 0"),
        ("age,share\n30,1\n", "use age_band"),
    ],
)
def test_bad_targets_name_the_line(tmp_path: Path, text: str, message: str) -> None:
    path = tmp_path / "bad.csv"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(ConfigError, match=message):
        tg.read_target(path)


def test_rake_matches_every_marginal_and_keeps_the_seed_association() -> None:
    seed = {("US", "male"): 60.0, ("US", "female"): 10.0, ("FR", "male"): 10.0, ("FR", "female"): 20.0}
    marginals = {"country": {"US": 0.5, "FR": 0.5}, "gender": {"male": 0.5, "female": 0.5}}
    joint = tg.rake(seed, marginals)
    us = joint[("US", "male")] + joint[("US", "female")]
    male = joint[("US", "male")] + joint[("FR", "male")]
    assert us == pytest.approx(0.5) and male == pytest.approx(0.5)
    # US personas stay mostly male, as in the seed (raking keeps the odds ratio).
    assert joint[("US", "male")] > joint[("US", "female")]
    odds = lambda j: j[("US", "male")] * j[("FR", "female")] / (j[("US", "female")] * j[("FR", "male")])  # noqa: E731
    assert odds(joint) == pytest.approx(odds(seed))


def test_quotas_are_exact_and_spill_over_from_full_cells() -> None:
    quotas = tg.cell_quotas(np.array([0.5, 0.3, 0.2]), np.array([1000, 1000, 5]), 100)
    assert quotas.tolist() == [59, 36, 5]  # 50 and 30, plus the 15 cell 3 cannot hold split 5:3
    assert tg.cell_quotas(np.array([0.5, 0.5]), np.array([3, 2]), 10).tolist() == [3, 2]  # not enough anywhere


def test_target_batch_beats_random_and_names_the_cells_it_cannot_fill() -> None:
    values, vectors = _candidates()
    target = tg.Target(
        ("country", "gender"),
        cells={
            ("US", "female"): 0.3,
            ("US", "male"): 0.2,
            ("FR", "female"): 0.2,
            ("JP", "female"): 0.2,
            ("DE", "male"): 0.1,
        },
    )
    cells = list(target.cells)
    shares = np.array([target.cells[c] for c in cells])
    index = tg.cell_index(values, cells)
    capacity = np.bincount(index[index >= 0], minlength=len(cells))
    n = 400
    quotas = tg.cell_quotas(shares, capacity, n)
    rows = tg.select_target(index, quotas, vectors=vectors, uses=np.zeros(len(values), dtype=np.int64), seed=1)
    assert len(rows) == n and len(set(rows.tolist())) == n
    random_rows = np.random.default_rng(2).choice(len(values), size=n, replace=False)
    report = tg.target_report(target, cells, shares, quotas, capacity, index[rows], n, index[random_rows])
    assert report["unfillable"] == [{"country": "DE", "gender": "male", "target_n": 40.0, "candidates": 0}]
    # DE holds no candidate, so its 10% can only go elsewhere: the TVD is that 0.1, against ~0.5 at random.
    assert report["tvd"] == pytest.approx(0.1, abs=0.01) and report["tvd_random"] > 0.4
    achieved = {(r["country"], r["gender"]): r["achieved"] for r in report["cells"]}
    assert achieved[("US", "female")] >= 120 and achieved[("DE", "male")] == 0
    chosen_values = [values[r] for r in rows]
    # DE's 40 male slots spill over by share, mostly to female cells: male gets 80 + 40 × 0.2 / 0.9.
    assert tg.marginal_tvd(chosen_values, target)["gender"] == pytest.approx(0.3 - (80 + 40 * 0.2 / 0.9) / n, abs=0.005)


def test_kcenter_inside_a_cell_spreads_wider_than_random() -> None:
    values, vectors = _candidates(count=3000)
    index = tg.cell_index(values, [("US", "male")])
    quotas = np.array([30])
    spread = tg.select_target(index, quotas, vectors=vectors, seed=0)
    plain = tg.select_target(index, quotas, seed=0)
    assert (index[spread] == 0).all() and (index[plain] == 0).all()

    def min_gap(rows: np.ndarray) -> float:
        sims = vectors[rows] @ vectors[rows].T
        np.fill_diagonal(sims, -1)
        return float(1 - sims.max())

    assert min_gap(spread) > min_gap(plain)
