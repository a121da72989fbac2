"""The exported HTML page in headless Chromium (Chrome DevTools Protocol): nodes and edges rendered,
clicking a node shows its text, the relation filter hides edges. Screenshots go to test-artifacts/."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from personagraph.cast.model import NPC, Cast, CastMember, CastRelation
from personagraph.cast.npc import npcs_from_texts
from personagraph.export.cast import export_cast
from personagraph.export.viewer import graph_data, write
from personagraph.models import Persona
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


WORLD = Path(__file__).resolve().parent.parent.parent / "examples" / "world"

LABEL_BOXES = (
    "Array.from(document.querySelectorAll('#nodes .node text')).filter(t => getComputedStyle(t).display !== 'none')"
    ".map(t => { const r = t.getBoundingClientRect(); return [r.left, r.top, r.right, r.bottom]; })"
)
# Points along every drawn edge that fall inside the disc of a node the edge does not join.
EDGES_THROUGH_NODES = """(() => {
  const nodes = Array.from(document.querySelectorAll('#nodes .node')).map(g => {
    const r = g.querySelector('circle:not(.seed-ring)').getBoundingClientRect();
    return {id: g.dataset.id, x: r.x + r.width / 2, y: r.y + r.height / 2, r: r.width / 2}; });
  const bad = [];
  for (const e of document.querySelectorAll('#edges .edge')) {
    const p = e.querySelector('path'), length = p.getTotalLength(), m = p.getScreenCTM();
    for (let i = 1; i < 40; i++) {
      const q = p.getPointAtLength(length * i / 40), x = m.a * q.x + m.c * q.y + m.e, y = m.b * q.x + m.d * q.y + m.f;
      for (const n of nodes) {
        if (n.id === e.dataset.source || n.id === e.dataset.target) continue;
        if (Math.hypot(x - n.x, y - n.y) < n.r - 1) bad.push([e.dataset.source, e.dataset.target, n.id]);
      }
    }
  }
  return bad; })()"""


def overlapping(boxes: list[list[float]]) -> list[tuple[int, int]]:
    return [
        (i, j)
        for i, a in enumerate(boxes)
        for j, b in enumerate(boxes)
        if i < j and a[0] < b[2] and b[0] < a[2] and a[1] < b[3] and b[1] < a[3]
    ]


def world_cast(size: int) -> Cast:
    """The example world's personas nearest the ED consultant, with the relations among them."""
    texts = [json.loads(line)["persona"] for line in (WORLD / "personas.jsonl").read_text().splitlines()]
    ids = {t: Persona(text=t).id for t in texts}
    rows = [json.loads(line) for line in (WORLD / "relations.jsonl").read_text().splitlines()]
    links: dict[str, list[str]] = {}
    for row in rows:
        links.setdefault(ids[row["src"]], []).append(ids[row["dst"]])
        links.setdefault(ids[row["dst"]], []).append(ids[row["src"]])
    seed = ids[next(t for t in texts if t.startswith("An emergency department consultant"))]
    chosen, queue = [seed], [seed]
    while queue and len(chosen) < size:
        for other in links.get(queue.pop(0), []):
            if other not in chosen and len(chosen) < size:
                chosen.append(other)
                queue.append(other)
    text_of = {v: k for k, v in ids.items()}
    relations = [
        CastRelation(src=ids[r["src"]], type=r["type"], dst=ids[r["dst"]], evidence=r.get("evidence", ""))
        for r in rows
        if ids[r["src"]] in chosen and ids[r["dst"]] in chosen
    ]
    members = [CastMember(id=pid, text=text_of[pid], community=i % 3) for i, pid in enumerate(chosen)]
    return Cast(members=members, relations=relations, mode="ids", seed=seed, cluster_labels={})


@pytest.mark.parametrize("size", [12, 24])
def test_cast_view_is_readable(browser: Browser, tmp_path: Path, size: int) -> None:
    cast = world_cast(size)
    npcs = npcs_from_texts(cast)
    export_cast(cast, npcs, tmp_path, title=f"Kelvark cast of {size}")
    browser.open((tmp_path / "cast.html").as_uri())
    browser.screenshot(ARTIFACTS / f"cast-view-{size}.png")
    assert count(browser, "#nodes .node") == size
    # Names label the nodes, the role is on hover; no two visible labels overlap, none is hidden.
    names = browser.evaluate("Array.from(document.querySelectorAll('#nodes .node text')).map(t => t.textContent)")
    assert sorted(names) == sorted(n.name for n in npcs)
    hovers = browser.evaluate("Array.from(document.querySelectorAll('#nodes .node title')).map(t => t.textContent)")
    assert all(" — " in h for h in hovers)
    boxes = browser.evaluate(LABEL_BOXES)
    assert len(boxes) == size and overlapping(boxes) == []
    assert browser.evaluate("document.body.dataset.hiddenLabels") == "0"
    font = browser.evaluate("document.querySelector('#nodes .node text').getBoundingClientRect().height")
    assert font >= 11  # the labels are drawn at 12 px whatever the zoom (they were ~8 px)
    # The seed is marked.
    assert browser.evaluate("document.querySelector('#nodes .node.seed').dataset.id") == cast.seed
    # No edge runs through a node it does not join.
    assert browser.evaluate(EDGES_THROUGH_NODES) == []
    # Parallel relations are separate curves with separate labels.
    pairs: dict[frozenset[str], int] = {}
    for rel in cast.relations:
        pairs[frozenset((rel.src, rel.dst))] = pairs.get(frozenset((rel.src, rel.dst)), 0) + 1
    doubled = [pair for pair, n in pairs.items() if n > 1]
    assert doubled, "the test cast should hold a pair with two relations"
    for pair in doubled:
        a, b = sorted(pair)
        found = browser.evaluate(
            "Array.from(document.querySelectorAll('#edges .edge')).filter(e => "
            f"[e.dataset.source, e.dataset.target].sort().join('|') === '{a}|{b}')"
            ".map(e => { const r = e.querySelector('text').getBoundingClientRect();"
            " return [e.querySelector('path').getAttribute('d'), r.left, r.top, r.right, r.bottom]; })"
        )
        assert len({f[0] for f in found}) == len(found) == pairs[pair]
        assert overlapping([f[1:] for f in found]) == []
    # Relation colours come from the palette (distinct per type).
    colours = browser.evaluate(
        "Array.from(document.querySelectorAll('#relation-filter .swatch')).map(s => getComputedStyle(s).backgroundColor)"
    )
    assert len(set(colours)) == len(colours) == len({r.type for r in cast.relations})
    # The same data gives the same picture.
    positions = browser.evaluate(
        "Array.from(document.querySelectorAll('#nodes .node')).map(g => g.getAttribute('transform'))"
    )
    browser.open((tmp_path / "cast.html").as_uri())
    assert positions == browser.evaluate(
        "Array.from(document.querySelectorAll('#nodes .node')).map(g => g.getAttribute('transform'))"
    )


def test_large_view_starts_collapsed_and_expands(browser: Browser, tmp_path: Path) -> None:
    communities, per = 32, 50
    personas = [
        {
            "id": f"p_{i:016x}",
            "text": f"A {['welder', 'nurse', 'baker', 'teacher'][i % 4]} number {i}",
            "cluster": i % 7,
        }
        for i in range(communities * per)
    ]
    relations = []
    for c in range(communities):
        ids = [f"p_{c * per + k:016x}" for k in range(per)]
        relations += [{"src": ids[k], "type": "COLLEAGUE", "dst": ids[(k + 1) % per]} for k in range(per)]
        relations += [{"src": ids[k], "type": "FRIEND_OF", "dst": ids[(k + 7) % per]} for k in range(0, per, 3)]
        relations.append({"src": ids[0], "type": "RIVAL", "dst": f"p_{((c + 1) % communities) * per:016x}"})
    community = {p["id"]: int(p["id"][2:], 16) // per for p in personas}
    seed = "p_" + f"{3 * per + 4:016x}"
    data = graph_data(
        "Harbour town",
        personas,
        relations,
        communities=community,
        seed=seed,
        cluster_labels={k: f"topic {k}" for k in range(7)},
    )
    page = write(data, tmp_path / "town.html")
    browser.open(page.as_uri())
    assert browser.evaluate("document.body.dataset.collapsed") == "1"
    # Collapsed: one node per community with its count, the seed's community open.
    assert count(browser, "#nodes .node.group") == communities - 1
    assert count(browser, "#nodes .node:not(.group)") == per
    assert count(browser, "#nodes .node.seed") == 1
    label = browser.evaluate("document.querySelector('#nodes .node.group text').textContent")
    assert label.startswith("around ") and label.endswith(f"· {per}")
    legend = browser.evaluate("document.getElementById('legend').textContent")
    assert "community 0: around" in legend
    browser.screenshot(ARTIFACTS / "view-1600-collapsed.png")
    before = browser.evaluate(
        "Array.from(document.querySelectorAll('#nodes .node.group')).map(g => g.getAttribute('transform'))"
    )
    # A click on a community expands it.
    browser.click_selector('#nodes .node.group[data-id="group:5"] circle')
    assert count(browser, "#nodes .node.group") == communities - 2
    assert count(browser, "#nodes .node:not(.group)") == 2 * per
    members = browser.evaluate(
        "Array.from(document.querySelectorAll('#nodes .node:not(.group)')).map(g => g.dataset.id)"
    )
    assert sum(community[m] == 5 for m in members) == per
    browser.screenshot(ARTIFACTS / "view-1600-expanded.png")
    # Clusters are named in the legend with the store's labels.
    browser.evaluate(
        "(() => { const s = document.getElementById('colour-by'); s.value = 'cluster';"
        " s.dispatchEvent(new Event('change')); })()"
    )
    assert "cluster 3: topic 3" in browser.evaluate("document.getElementById('legend').textContent")
    # Deterministic: the same page lays the communities out the same way.
    browser.open(page.as_uri())
    assert before == browser.evaluate(
        "Array.from(document.querySelectorAll('#nodes .node.group')).map(g => g.getAttribute('transform'))"
    )
