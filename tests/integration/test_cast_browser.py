"""The exported HTML page in headless Chromium (Chrome DevTools Protocol): nodes and edges rendered,
clicking a node shows its text, the relation filter hides edges. Screenshots go to test-artifacts/."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from personagraph.cast.model import NPC
from personagraph.cast.npc import npcs_from_texts
from personagraph.export.cast import export_cast
from personagraph.export.viewer import graph_data, write
from tests.browser import Browser, find_chromium
from tests.unit.test_cards import small_cast

CHROMIUM = find_chromium()
ARTIFACTS = Path(__file__).resolve().parent.parent.parent / "test-artifacts"
pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(CHROMIUM is None, reason="chromium is not installed (apt-get install chromium)"),
]


@pytest.fixture(scope="module")
def browser() -> Browser:
    assert CHROMIUM is not None
    with Browser(CHROMIUM) as session:
        yield session


def count(browser: Browser, selector: str) -> int:
    return int(browser.evaluate(f"document.querySelectorAll({json.dumps(selector)}).length"))


def visible_edges(browser: Browser) -> int:
    return int(
        browser.evaluate(
            "Array.from(document.querySelectorAll('#edges .edge')).filter(e => getComputedStyle(e).display !== 'none').length"
        )
    )


def test_cast_page_renders_clicks_and_filters(browser: Browser, tmp_path: Path) -> None:
    cast = small_cast()
    npcs: list[NPC] = npcs_from_texts(cast)
    export_cast(cast, npcs, tmp_path, title="Harbour cast")
    browser.open((tmp_path / "cast.html").as_uri())

    assert count(browser, "#nodes .node") == len(npcs) == 5
    assert count(browser, "#edges .edge") == len(cast.relations) == 5
    assert count(browser, "#edges .edge text") == 5
    labels = browser.evaluate(
        "Array.from(document.querySelectorAll('#edges .edge text')).map(t => t.textContent).sort()"
    )
    assert labels == sorted(r.type for r in cast.relations)
    # Every node was laid out inside the drawing, not stacked at one point.
    boxes = browser.evaluate(
        "Array.from(document.querySelectorAll('#nodes .node circle:not(.seed-ring)')).map(c => {"
        " const r = c.getBoundingClientRect(); return [Math.round(r.x), Math.round(r.y), r.width]; })"
    )
    assert len({(x, y) for x, y, _ in boxes}) == 5 and all(w > 5 for _, _, w in boxes)

    doctor = npcs[1]
    browser.click_selector(f'#nodes .node[data-id="{doctor.persona_id}"] circle')
    assert browser.evaluate("document.getElementById('panel-title').textContent") == doctor.name
    assert browser.evaluate("document.getElementById('panel-text').textContent") == doctor.persona_text
    panel = browser.evaluate("document.getElementById('panel-details').textContent")
    assert "PATIENT_OF" in panel and "looks after" in panel
    ARTIFACTS.mkdir(exist_ok=True)
    browser.screenshot(ARTIFACTS / "cast-viewer.png")

    assert visible_edges(browser) == 5
    browser.click_selector('#relation-filter input[data-type="PATIENT_OF"]')
    assert not browser.evaluate("document.querySelector('#relation-filter input[data-type=\"PATIENT_OF\"]').checked")
    assert visible_edges(browser) == 3
    hidden = browser.evaluate(
        "Array.from(document.querySelectorAll('#edges .edge')).filter(e => getComputedStyle(e).display === 'none')"
        ".map(e => e.dataset.type)"
    )
    assert hidden == ["PATIENT_OF", "PATIENT_OF"]
    browser.click_selector('#relation-filter input[data-type="RIVAL"]')
    assert visible_edges(browser) == 2
    browser.click_selector('#relation-filter input[data-type="PATIENT_OF"]')
    assert visible_edges(browser) == 4
    browser.screenshot(ARTIFACTS / "cast-viewer-filtered.png")


def test_hostile_text_stays_text(browser: Browser, tmp_path: Path) -> None:
    evil = "</script><img src=x onerror=\"document.body.dataset.pwned='1'\"><script>document.body.dataset.pwned='1'</script>"
    personas = [{"id": f"p_{i:016x}", "text": f"{evil} persona {i}", "cluster": i % 3} for i in range(30)]
    relations = [
        {"src": f"p_{i:016x}", "type": "COLLEAGUE" if i % 2 else "RIVAL", "dst": f"p_{(i + 1) % 30:016x}"}
        for i in range(30)
    ]
    page = write(graph_data("Ring of 30", personas, relations), tmp_path / "ring.html")
    browser.open(page.as_uri())
    assert count(browser, "#nodes .node") == 30 and count(browser, "#edges .edge") == 30
    assert browser.evaluate("document.body.dataset.pwned || ''") == ""
    browser.click_selector('#nodes .node[data-id="p_0000000000000003"] circle')
    assert browser.evaluate("document.getElementById('panel-text').textContent") == f"{evil} persona 3"
    browser.screenshot(ARTIFACTS / "view-ring.png")
