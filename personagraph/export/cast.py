"""Export a cast: Character Cards V2/V3 (JSON and PNG), cast.json, GraphML, GEXF and the HTML view.

Layout of ``OUT_DIR``::

    cast.json             every NPC and the typed relations between them
    cast.graphml          for yEd / Gephi (networkx)
    cast.gexf             for Gephi, with node colours (networkx)
    cast.html             the interactive viewer, self-contained
    cards/NN-name.v2.json Character Card V2
    cards/NN-name.v3.json Character Card V3 (icon as a data URL)
    cards/NN-name.v2.png  avatar with the V2 card in a ``chara`` tEXt chunk
    cards/NN-name.v3.png  avatar with the V3 card in ``ccv3`` and a V2 backfill in ``chara``
    cards/NN-name.charx   the V3 card as CHARX (a zip: card.json + the avatar as an embedded asset)
    sillytavern/world-info.json   one World Info book for the whole cast (shared facts, evidence)
    sillytavern/group.json        the cast as a SillyTavern group, members in reply order
    sillytavern/group-chat.jsonl  the group's chat, opening with the first member's greeting

Every file is written to a temporary name and renamed, so a failed export leaves no half file.
"""

from __future__ import annotations

import base64
import io
import json
import os
import re
import time
import unicodedata
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from personagraph.cast import cards as card_io
from personagraph.cast import png
from personagraph.cast.model import NPC, Cast
from personagraph.export import sillytavern, viewer
from personagraph.export.xml_text import xml_safe

if TYPE_CHECKING:
    import networkx as nx

    from personagraph.llm import LLMClient

CAST_FORMAT = "personagraph-cast/1"


@dataclass
class CastExport:
    out_dir: Path
    files: list[Path] = field(default_factory=list)
    cards: int = 0

    def rel(self) -> list[str]:
        return [str(p.relative_to(self.out_dir)) for p in self.files]


def slug(name: str) -> str:
    ascii_name = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode("ascii")
    return re.sub(r"[^a-z0-9]+", "-", ascii_name.lower()).strip("-") or "npc"


def _write_bytes(path: Path, data: bytes) -> Path:
    tmp = path.with_name(f".{path.name}.partial")
    tmp.write_bytes(data)
    os.replace(tmp, path)
    return path


def _write_json(path: Path, obj: Any) -> Path:
    return _write_bytes(path, (json.dumps(obj, ensure_ascii=False, indent=2) + "\n").encode("utf-8"))


def cast_document(cast: Cast, npcs: Sequence[NPC], card_files: dict[str, list[str]], timestamp: int) -> dict[str, Any]:
    """What ``cast.json`` holds."""
    names = {n.persona_id: n.name for n in npcs}
    return {
        "format": CAST_FORMAT,
        "created": timestamp,
        "selection": {
            "mode": cast.mode,
            "seed": cast.seed,
            "params": cast.params,
            "connected": cast.connected,
            "notes": cast.notes,
        },
        "npcs": [{**npc.model_dump(), "cards": card_files.get(npc.persona_id, [])} for npc in npcs],
        "relations": [
            {**r.model_dump(), "src_name": names.get(r.src), "dst_name": names.get(r.dst)} for r in cast.relations
        ],
    }


def cast_graph(cast: Cast, npcs: Sequence[NPC], colours: bool = False) -> nx.MultiDiGraph:
    """The cast as a networkx multigraph; attributes are strings and ints only (GraphML has no null)."""
    import networkx as nx

    graph = nx.MultiDiGraph(name="PersonaGraph cast")
    for npc in npcs:
        attrs: dict[str, Any] = {
            "label": npc.name,
            "name": npc.name,
            "role": npc.role,
            "text": npc.persona_text,
            "source": npc.source,
        }
        for key in ("cluster", "community"):
            value = getattr(npc, key)
            if value is not None:
                attrs[key] = int(value)
        if colours:
            hexcolour = png.group_colour(npc.community if npc.community is not None else npc.cluster).lstrip("#")
            attrs["viz"] = {
                "color": {
                    "r": int(hexcolour[0:2], 16),
                    "g": int(hexcolour[2:4], 16),
                    "b": int(hexcolour[4:6], 16),
                    "a": 1.0,
                }
            }
        graph.add_node(npc.persona_id, **xml_safe(attrs))  # an LLM's or a persona's ESC would make the XML ill-formed
    for rel in cast.relations:
        # "relation", not "type": GEXF reserves an edge's type for directed/undirected/mutual.
        graph.add_edge(rel.src, rel.dst, key=rel.type, relation=rel.type, label=rel.type)
    return graph


def _write_graph(graph: nx.MultiDiGraph, path: Path, writer: Callable[[Any, Any], None]) -> Path:
    tmp = path.with_name(f".{path.name}.partial")
    writer(graph, tmp)
    os.replace(tmp, path)
    return path


def export_cast(
    cast: Cast,
    npcs: Sequence[NPC],
    out_dir: str | Path,
    *,
    title: str = "PersonaGraph cast",
    timestamp: int | None = None,
) -> CastExport:
    """Write cards, cast.json, GraphML, GEXF and cast.html for ``npcs`` (one per cast member)."""
    import networkx as nx

    out = Path(out_dir)
    (out / "cards").mkdir(parents=True, exist_ok=True)
    stamp = int(time.time()) if timestamp is None else int(timestamp)
    result = CastExport(out)
    cast_info = {
        "mode": cast.mode,
        "seed": cast.seed,
        "size": len(cast.members),
        "members": [{"persona_id": n.persona_id, "name": n.name} for n in npcs],
    }
    card_files: dict[str, list[str]] = {}
    width = max(2, len(str(len(npcs))))
    for number, npc in enumerate(npcs, start=1):
        stem = f"{number:0{width}d}-{slug(npc.name)}"
        image = png.avatar(npc.name, npc.community if npc.community is not None else npc.cluster)
        plain = io.BytesIO()
        image.save(plain, format="PNG")
        icon = "data:image/png;base64," + base64.b64encode(plain.getvalue()).decode("ascii")
        v2 = card_io.card_v2(npc, len(npcs), cast_info)
        v3_json = card_io.card_v3(npc, len(npcs), cast_info, icon_uri=icon, timestamp=stamp)
        v3_png = card_io.card_v3(npc, len(npcs), cast_info, icon_uri="ccdefault:", timestamp=stamp)
        written = [
            _write_json(out / "cards" / f"{stem}.v2.json", v2),
            _write_json(out / "cards" / f"{stem}.v3.json", v3_json),
            _write_bytes(out / "cards" / f"{stem}.v2.png", png.card_png(image, {"chara": v2})),
            _write_bytes(
                out / "cards" / f"{stem}.v3.png",
                png.card_png(image, {"chara": card_io.v2_backfill(v2), "ccv3": v3_png}),
            ),
            _write_bytes(out / "cards" / f"{stem}.charx", card_io.charx_bytes(v3_png, plain.getvalue())),
        ]
        card_files[npc.persona_id] = [str(p.relative_to(out)) for p in written]
        result.files.extend(written)
        result.cards += 1
    result.files.append(_write_json(out / "cast.json", cast_document(cast, npcs, card_files, stamp)))
    result.files.append(_write_graph(cast_graph(cast, npcs), out / "cast.graphml", nx.write_graphml))
    result.files.append(_write_graph(cast_graph(cast, npcs, colours=True), out / "cast.gexf", nx.write_gexf))
    result.files.append(viewer.write(viewer.cast_data(cast, npcs, title), out / "cast.html"))
    result.files.extend(write_sillytavern(cast, npcs, out / "sillytavern", title, stamp))
    return result


def write_sillytavern(cast: Cast, npcs: Sequence[NPC], folder: Path, title: str, stamp: int) -> list[Path]:
    """The world book, the group and its chat (``export.sillytavern``)."""
    folder.mkdir(parents=True, exist_ok=True)
    created = time.strftime("%Y-%m-%d@%Hh%Mm%Ss", time.gmtime(stamp))  # SillyTavern's chat id style
    chat_id = f"{slug(title)}-{created}"
    lines = sillytavern.group_chat(cast, npcs, title, created)
    chat = "".join(json.dumps(line, ensure_ascii=False) + "\n" for line in lines)
    return [
        _write_json(folder / "world-info.json", sillytavern.world_book(cast, npcs, title)),
        _write_json(folder / "group.json", sillytavern.group(cast, npcs, title, chat_id)),
        _write_bytes(folder / "group-chat.jsonl", chat.encode("utf-8")),
    ]


def make_npcs(
    cast: Cast,
    client: LLMClient | None = None,
    *,
    setting: str | None = None,
    echo: Callable[[str], None] | None = None,
    temperature: float | None = None,
) -> list[NPC]:
    """NPCs for the cast: fleshed out by the LLM when a ``client`` is given (it is closed afterwards),
    else from the persona texts and relations alone. ``setting`` describes the game world."""
    from personagraph.cast.npc import npcs_from_texts

    if client is None:
        return npcs_from_texts(cast)
    from personagraph.cast.flesh import DEFAULT_SETTING, TEMPERATURE, flesh_out_sync

    return flesh_out_sync(
        cast,
        client,
        setting=setting or DEFAULT_SETTING,
        echo=echo,
        temperature=TEMPERATURE if temperature is None else temperature,
    )


__all__ = ["CastExport", "cast_document", "cast_graph", "export_cast", "make_npcs", "slug"]
