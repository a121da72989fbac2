"""`--match` patterns whose comma-separated parts are not joined to p's are refused: each such part
multiplies the rows (``(p),(a),(b)`` on 200k personas ran past 240 s at 2.7 GB before)."""

from __future__ import annotations

import pytest

from personagraph.sampling.carver import CarverError, disconnected, parse_match


@pytest.mark.parametrize(
    "pattern",
    [
        "(p),(a),(b)",
        "(p), (a)",
        "(p)-[:RIVAL]-(a), (b)-[:RIVAL]-(c)",
        "(p)-[r:RIVAL]-(), ()-[r2:RIVAL]-()",
        "(a)-[:RIVAL]-(b), (p)",
    ],
)
def test_disconnected_parts_are_refused_with_one_line(pattern: str) -> None:
    with pytest.raises(CarverError, match="not joined to p's path by any shared variable") as caught:
        parse_match(pattern)
    assert "\n" not in str(caught.value)


@pytest.mark.parametrize(
    "pattern",
    [
        "(p)-[:RIVAL]-(:Persona)",
        "(p)-[:RIVAL]-(a), (a)-[:MENTOR_OF]-(b)",
        "(b)-[:MENTOR_OF]-(a), (a)-[:RIVAL]-(c), (c)-[:COLLEAGUE]-(p)",  # joined through a chain
        "(p)-[r:RIVAL]-(a), (p)-[:COLLEAGUE]-(a)",
    ],
)
def test_connected_patterns_pass(pattern: str) -> None:
    cypher, _ = parse_match(pattern)
    assert "p" in cypher


def test_disconnected_indexes() -> None:
    assert disconnected([{"p"}, {"a"}, {"a", "p"}]) == []
    assert disconnected([{"p", "a"}, {"b"}, {"b", "c"}]) == [1, 2]
    assert disconnected([set(), {"p"}]) == [0]
