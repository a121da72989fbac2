"""Bounded resources: `--match` patterns whose comma-separated parts are not joined to p's are refused
(each multiplies the rows: ``(p),(a),(b)`` on 200k personas ran past 240 s at 2.7 GB before), and
`view` refuses a --limit its page's quadratic layout cannot settle."""

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


def test_view_refuses_sizes_its_layout_cannot_settle() -> None:
    from typing import Any, cast

    from personagraph.errors import ConfigError
    from personagraph.export.view import MAX_LIMIT, view_data

    with pytest.raises(ConfigError, match=r"limit 100000 is more personas than the page's layout settles") as caught:
        view_data(cast(Any, None), batch="b_1", limit=100000)  # refused before the store is read
    assert "one batch" in (caught.value.hint or "") and "\n" not in str(caught.value)
    with pytest.raises(ConfigError):
        view_data(cast(Any, None), batch="b_1", limit=MAX_LIMIT + 1)
