"""The explore catalogue: header parsing, defaults, parameter checks (no store needed)."""

from __future__ import annotations

import re

import pytest

from personagraph import explore, queries
from personagraph.errors import ConfigError
from personagraph.store.guard import write_clause


def test_parse_params_with_defaults() -> None:
    params = explore.parse_params('id: persona id; limit: most rows to return (default 50); q: text (default "a b")')
    assert [(p.name, p.required, p.default) for p in params] == [
        ("id", True, None),
        ("limit", False, 50),
        ("q", False, "a b"),
    ]
    assert params[1].description == "most rows to return"
    assert explore.parse_params("none") == () and explore.parse_params("") == ()


def test_signature_and_bind() -> None:
    query = explore.get("explore/neighbourhood")
    assert query.name == "neighbourhood" and query.signature() == "id, limit=50"
    assert explore.bind(query, {"id": "p_1"}) == {"id": "p_1", "limit": 50}
    assert explore.bind(query, {"id": "p_1", "limit": 3}) == {"id": "p_1", "limit": 3}
    with pytest.raises(ConfigError, match="needs id"):
        explore.bind(query, {"limit": 3})
    with pytest.raises(ConfigError, match="no parameter depth"):
        explore.bind(query, {"id": "p_1", "depth": 3})


def test_unknown_query_lists_the_known_ones() -> None:
    with pytest.raises(ConfigError) as info:
        explore.get("nope")
    assert "neighbourhood" in str(info.value) and info.value.exit_code == 2


def test_catalogue_is_read_only_and_complete() -> None:
    catalogue = explore.catalogue()
    assert len(catalogue) >= 14
    assert {q.name for q in catalogue} >= {
        "neighbourhood",
        "relation_types",
        "degree_distribution",
        "top_hubs",
        "personas_per_hop",
        "personas_per_origin",
        "personas_per_cluster",
        "shortest_path",
        "isolated_personas",
        "rivals_of_colleagues",
        "lineage",
        "triangles",
        "search",
        "mutual_relations",
        "most_used",
    }
    assert "similar" in {q.name for q in catalogue}  # run in Python over the kept embeddings, no Cypher file
    for query in catalogue:
        if query is explore.SIMILAR:
            continue
        loaded = queries.load(f"explore/{query.name}")
        assert not loaded.write and write_clause(loaded.text) is None, query.name
        # Every $parameter the query uses is declared in its header, and the other way round.
        used = set(re.findall(r"\$(\w+)", loaded.text))
        assert used == {p.name for p in query.params}, query.name
