"""The HTML viewer page: self-contained, and persona text cannot break out of its data element."""

from __future__ import annotations

import json
import re

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
