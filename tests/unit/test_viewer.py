"""The HTML viewer page: self-contained, and persona text cannot break out of its data element."""

from __future__ import annotations

import json
import re

import pytest

from personagraph.export import viewer

EVIL = '</script><script>alert(1)</script><!-- & \u2028 "quoted" __PERSONAGRAPH_DATA__'


def _data() -> dict[str, object]:
    personas = [
        {"id": "p_0000000000000001", "text": EVIL, "cluster": 1},
        {"id": "p_0000000000000002", "text": "A baker"},
    ]
    relations = [{"src": "p_0000000000000001", "type": "RIVAL", "dst": "p_0000000000000002"}]
    return viewer.graph_data(f"Title {EVIL}", personas, relations)


def test_data_cannot_close_the_script_element() -> None:
    page = viewer.render(_data())
    data_block = re.search(r'<script id="pg-data" type="application/json">(.*?)</script>', page, re.S)
    assert data_block is not None
    payload = data_block.group(1)
    assert "<" not in payload and ">" not in payload and "\u2028" not in payload
    assert json.loads(payload) == json.loads(json.dumps(_data()))
    # The title is HTML-escaped; exactly one data block and the page's own two scripts remain.
    assert "<title>Title &lt;/script&gt;" in page
    assert page.count("<script") == 2


def test_page_needs_no_network() -> None:
    page = viewer.render(_data())
    assert not re.search(r"""(src|href)\s*=\s*["']?(https?:)?//""", page)
    assert "@import" not in page and "fetch(" not in page and "XMLHttpRequest" not in page
    assert "default-src 'none'" in page


def test_graph_data_shapes() -> None:
    data = _data()
    assert [n["id"] for n in data["nodes"]] == ["p_0000000000000001", "p_0000000000000002"]  # type: ignore[index]
    assert data["edges"] == [
        {"source": "p_0000000000000001", "target": "p_0000000000000002", "type": "RIVAL", "symmetric": True}
    ]
    assert data["relationTypes"] == ["RIVAL"]


def test_relation_colours_are_perceptually_apart() -> None:
    import itertools

    from personagraph.export import palette

    colours = [*palette.RELATION_COLOURS.values(), *palette.SPARE_COLOURS]
    assert len(set(colours)) == len(colours)
    closest = min(palette.delta_e(a, b) for a, b in itertools.combinations(colours, 2))
    assert closest >= palette.MIN_PAIR_DELTA_E
    assert all(palette.delta_e(c, palette.BACKGROUND) >= palette.MIN_BACKGROUND_DELTA_E for c in colours)
    # The check can fail: the old FRIEND_OF/RIVAL and CLIENT_OF/SUPPLIER_OF pairs were 8.3 apart.
    assert palette.delta_e("#7d3c98", "#884ea0") < 10 and palette.delta_e("#c0392b", "#b03a2e") < 10
    assert palette.delta_e("#ffffff", "#000000") == pytest.approx(100, abs=0.01)
    data = viewer.graph_data("t", [{"id": "p_1", "text": "x"}], [{"src": "p_1", "type": "CUSTOM", "dst": "p_1"}])
    assert data["relationColours"]["CUSTOM"] in palette.SPARE_COLOURS
