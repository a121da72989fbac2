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
from personagraph.export import palette
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
    rows = []
    for r in relations:
        row = {"source": r["src"], "target": r["dst"], "type": r["type"], "symmetric": r["type"] in SYMMETRIC}
        if r.get("evidence"):
            row["evidence"] = r["evidence"]
        rows.append(row)
    return rows


def community_labels(nodes: Sequence[dict[str, Any]], edges: Sequence[dict[str, Any]]) -> dict[str, str]:
    """A readable label per community: its best connected member ("around Mara Quill") and, when its
    members carry cluster labels, the most common one."""
    degree: dict[str, int] = {}
    for edge in edges:
        degree[edge["source"]] = degree.get(edge["source"], 0) + 1
        degree[edge["target"]] = degree.get(edge["target"], 0) + 1
    best: dict[int, dict[str, Any]] = {}
    topics: dict[int, dict[str, int]] = {}
    for node in nodes:
        community = node.get("community")
        if community is None:
            continue
        current = best.get(community)
        if current is None or (degree.get(node["id"], 0), current["id"]) > (degree.get(current["id"], 0), node["id"]):
            best[community] = node
        topic = node.get("clusterLabel")
        if topic:
            topics.setdefault(community, {})[topic] = topics.setdefault(community, {}).get(topic, 0) + 1
    labels = {}
    for community, node in best.items():
        label = f"around {node['label']}"
        if community in topics:
            label += f" ({max(topics[community].items(), key=lambda kv: (kv[1], kv[0]))[0]})"
        labels[str(community)] = label
    return labels


def _colours(relations: Sequence[dict[str, Any]]) -> tuple[list[str], dict[str, str]]:
    types = sorted({r["type"] for r in relations})
    return types, palette.relation_colours(types)


def graph_data(
    title: str,
    personas: Sequence[dict[str, Any]],
    relations: Sequence[dict[str, Any]],
    *,
    subtitle: str = "",
    notes: Sequence[str] = (),
    communities: dict[str, int] | None = None,
    seed: str | None = None,
    cluster_labels: dict[int, str] | None = None,
) -> dict[str, Any]:
    """Viewer data for plain persona rows ({id, text, cluster, hop, origin, uses}) and edges.

    Nodes are labelled with the names a cast would give these personas (``cast.names``: stable per
    persona), their role on hover."""
    from personagraph.cast.names import assign_names
    from personagraph.cast.roles import derived_role

    names = assign_names(
        [(row["id"], row.get("text") or row["id"]) for row in personas],
        [(r["src"], r["type"], r["dst"]) for r in relations],
    )
    nodes = []
    for row in personas:
        text = row.get("text") or ""
        cluster = row.get("cluster")
        nodes.append(
            {
                "id": row["id"],
                "label": names[row["id"]],
                "role": derived_role(text) if text else "",
                "text": text,
                "cluster": cluster,
                "clusterLabel": (cluster_labels or {}).get(cluster) if cluster is not None else None,
                "community": (communities or {}).get(row["id"]),
                "details": [
                    ["hop", row.get("hop")],
                    ["origin", row.get("origin")],
                    ["uses", row.get("uses")],
                    ["cluster", row.get("cluster")],
                ],
            }
        )
    edges = edge_rows(relations)
    types, colours = _colours(relations)
    return {
        "title": title,
        "subtitle": subtitle or f"{len(nodes)} personas, {len(relations)} relations",
        "nodes": nodes,
        "edges": edges,
        "relationTypes": types,
        "relationColours": colours,
        "colourBy": ["community", "cluster"],
        "clusterLabels": {str(k): v for k, v in (cluster_labels or {}).items()},
        "communityLabels": community_labels(nodes, edges),
        "seed": seed,
        "layoutSeed": seed or (nodes[0]["id"] if nodes else ""),
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
                "clusterLabel": cast.cluster_labels.get(member.cluster) if member.cluster is not None else None,
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
                    ["What the graph says", [f"{v.name} ({v.type}): {v.evidence}" for v in npc.views if v.evidence]],
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
    edges = edge_rows(relations)
    types, colours = _colours(relations)
    return {
        "title": title,
        "subtitle": f"{len(nodes)} NPCs, {len(relations)} relations, {connected} · chosen by {cast.mode}",
        "nodes": nodes,
        "edges": edges,
        "relationTypes": types,
        "relationColours": colours,
        "colourBy": ["community", "cluster", "role"],
        "clusterLabels": {str(k): v for k, v in cast.cluster_labels.items()},
        "communityLabels": community_labels(nodes, edges),
        "seed": cast.seed,
        "layoutSeed": cast.seed or (nodes[0]["id"] if nodes else ""),
        "notes": list(cast.notes),
    }
