"""The self-contained HTML graph viewer: a package template with the graph injected as JSON.

The page needs no network: its CSS and JavaScript (a small force layout on SVG, written for
PersonaGraph) are inline, and a Content-Security-Policy forbids any fetch. The data goes into a
``<script type="application/json">`` element with ``<``, ``>``, ``&`` and the JavaScript line
separators escaped, so no persona text can close the element or run as code; the page writes
every text with ``textContent``.
"""

from __future__ import annotations

import html
import json
import os
from collections.abc import Iterable, Sequence
from importlib import resources
from pathlib import Path
from typing import Any

from personagraph.cast.model import NPC, Cast
from personagraph.vocabulary import SYMMETRIC

TITLE_SLOT = "__PERSONAGRAPH_TITLE__"
DATA_SLOT = "__PERSONAGRAPH_DATA__"
_ESCAPES = {"<": "\\u003c", ">": "\\u003e", "&": "\\u0026", "\u2028": "\\u2028", "\u2029": "\\u2029"}


def template() -> str:
    return resources.files("personagraph.export").joinpath("viewer.html").read_text(encoding="utf-8")


def script_json(data: Any) -> str:
    """JSON safe to place inside a ``<script>`` element."""
    text = json.dumps(data, ensure_ascii=False, separators=(",", ":"), default=str)
    return "".join(_ESCAPES.get(ch, ch) for ch in text)


def render(data: dict[str, Any]) -> str:
    """The viewer page for ``data`` ({title, subtitle, nodes, edges, relationTypes, colourBy, notes})."""
    page = template()
    before, rest = page.split(TITLE_SLOT, 1)
    middle, after = rest.split(DATA_SLOT, 1)
    return before + html.escape(str(data.get("title") or "PersonaGraph")) + middle + script_json(data) + after


def write(data: dict[str, Any], path: str | Path) -> Path:
    """Write the page atomically (temp file, then rename)."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.partial")
    tmp.write_text(render(data), encoding="utf-8")
    os.replace(tmp, path)
    return path


def edge_rows(relations: Iterable[dict[str, Any]]) -> list[dict[str, Any]]:
    return [
        {"source": r["src"], "target": r["dst"], "type": r["type"], "symmetric": r["type"] in SYMMETRIC}
        for r in relations
    ]


def graph_data(
    title: str,
    personas: Sequence[dict[str, Any]],
    relations: Sequence[dict[str, Any]],
    *,
    subtitle: str = "",
    notes: Sequence[str] = (),
    communities: dict[str, int] | None = None,
) -> dict[str, Any]:
    """Viewer data for plain persona rows ({id, text, cluster, hop, origin, uses}) and edges."""
    from personagraph.cast.npc import derived_role

    nodes = []
    for row in personas:
        text = row.get("text") or ""
        nodes.append(
            {
                "id": row["id"],
                "label": derived_role(text) if text else row["id"],
                "role": "",
                "text": text,
                "cluster": row.get("cluster"),
                "community": (communities or {}).get(row["id"]),
                "details": [
                    ["hop", row.get("hop")],
                    ["origin", row.get("origin")],
                    ["uses", row.get("uses")],
                    ["cluster", row.get("cluster")],
                ],
            }
        )
    return {
        "title": title,
        "subtitle": subtitle or f"{len(nodes)} personas, {len(relations)} relations",
        "nodes": nodes,
        "edges": edge_rows(relations),
        "relationTypes": sorted({r["type"] for r in relations}),
        "colourBy": ["cluster", "community"],
        "notes": list(notes),
    }


def cast_data(cast: Cast, npcs: Sequence[NPC], title: str = "PersonaGraph cast") -> dict[str, Any]:
    """Viewer data for a cast: one node per NPC with its sheet, the typed relations as edges."""
    nodes = []
    for npc in npcs:
        member = cast.member(npc.persona_id)
        nodes.append(
            {
                "id": npc.persona_id,
                "label": npc.name,
                "role": npc.role,
                "text": npc.persona_text,
                "cluster": member.cluster,
                "community": member.community,
                "details": [
                    ["Appearance", npc.appearance],
                    ["Personality", npc.personality],
                    ["Motivation", npc.motivation],
                    ["Secret", npc.secret],
                    ["Speech", npc.speech_style],
                    ["Greeting", npc.greeting],
                    ["Lines", list(npc.dialogue)],
                    ["How they see the others", [f"{v.name} ({v.type}): {v.view}" for v in npc.views]],
                    [
                        "Made from",
                        "persona text and relations (no LLM)"
                        if npc.source == "persona-text"
                        else f"LLM {npc.model or ''}".strip(),
                    ],
                ],
            }
        )
    relations = [r.model_dump() for r in cast.relations]
    connected = "connected" if cast.connected else "NOT connected"
    return {
        "title": title,
        "subtitle": f"{len(nodes)} NPCs, {len(relations)} relations, {connected} · chosen by {cast.mode}",
        "nodes": nodes,
        "edges": edge_rows(relations),
        "relationTypes": sorted({r["type"] for r in relations}),
        "colourBy": ["community", "cluster", "role"],
        "notes": list(cast.notes),
    }
