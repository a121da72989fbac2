"""RidPairs answers as a Python set of the same pairs would, across merges of its runs."""

from __future__ import annotations

import random

import pytest

from personagraph.store.rid_pairs import OutOfRange, RidPairs, rid_codes


def _rid(rng: random.Random) -> str:
    return f"#{rng.randrange(40)}:{rng.randrange(5_000)}"


def test_it_agrees_with_a_python_set_across_merges() -> None:
    rng = random.Random(7)
    pairs, reference = RidPairs(run=64, compact_at=100), set()
    for _ in range(40):
        batch = [(_rid(rng), _rid(rng)) for _ in range(rng.randrange(1, 150))]
        batch += rng.sample(sorted(reference), min(len(reference), 20))  # pairs it already has
        pairs.update(batch)
        reference.update(batch)
        assert len(pairs) == len(reference)
        probe = [(_rid(rng), _rid(rng)) for _ in range(100)] + rng.sample(sorted(reference), 30)
        assert pairs.intersection(probe) == reference.intersection(probe)
        assert all((p in pairs) == (p in reference) for p in probe[:40])
    assert pairs.nbytes >= 16 * (len(reference) - 64)  # sorted: 16 bytes a pair, less the last run


def test_order_matters_and_nothing_else_is_a_member() -> None:
    pairs = RidPairs([("#1:2", "#3:4")], run=1, compact_at=1)
    assert ("#1:2", "#3:4") in pairs
    assert ("#3:4", "#1:2") not in pairs
    assert "#1:2" not in pairs and ("#1:2",) not in pairs
    assert not RidPairs() and pairs


def test_codes_are_bucket_and_position() -> None:
    rng = random.Random(3)
    rids = ["#0:0", "#8191:1099511627775", *(_rid(rng) for _ in range(500))]
    expected = [int(r[1:].split(":")[0]) << 40 | int(r.split(":")[1]) for r in rids]
    assert rid_codes(rids).tolist() == expected
    for bad in ("1:2", "#x:1", "#1:-1", "#1:", "#:1", "#8192:1", "#1:1099511627776", "#1:2:3", "#1:é"):
        with pytest.raises(OutOfRange):
            rid_codes(["#1:1", bad])


def test_a_rid_outside_the_range_turns_it_into_a_plain_set() -> None:
    short = [(f"#{i}:{i * 7}", f"#{i + 1}:{i}") for i in range(50)]
    pairs = RidPairs(short, run=16, compact_at=20)  # some sorted, some pending
    odd = ("#12345:1234567890123456", "#1:2")
    assert odd not in pairs and pairs.intersection([odd, short[0]]) == {short[0]}
    pairs.update([odd, short[3]])
    assert odd in pairs and ("#12345:123456789012345", "#1:2") not in pairs  # nothing cut
    assert pairs.intersection([*short, odd]) == {*short, odd}
    assert len(pairs) == 51
