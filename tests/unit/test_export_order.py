"""The order of one source's edges in an export: by type, target, then the whole row."""

from __future__ import annotations

import random

from personagraph.export.graph_rows import _order, _sorted


def test_edges_sort_by_type_and_target_and_the_whole_row_only_breaks_ties() -> None:
    rng = random.Random(5)
    plain = [{"src": "a", "dst": f"p{k}", "type": rng.choice(["RIVAL", "COLLEAGUE"]), "w": k} for k in range(30)]
    rng.shuffle(plain)
    assert _sorted(plain) == sorted(plain, key=_order)
    parallel = [*plain, {"src": "a", "dst": "p3", "type": plain[0]["type"], "w": -1}, dict(plain[5], w=99)]
    rng.shuffle(parallel)
    got = _sorted(parallel)
    assert got == sorted(parallel, key=_order) and len(got) == 32
    assert _sorted([plain[0]]) == [plain[0]] and _sorted([]) == []
