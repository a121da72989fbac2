"""Every node and edge of the graph as flat rows, one stream a file, in an order fixed by the ids.

``export graph`` (JSONL, Parquet, GraphML) writes one file a kind of node or edge: ``personas``,
``texts``, ``samples``, ``batches``, ``dedup_runs``, ``clusters``, ``relations`` (persona to
persona, every type) and the structural edges ``derived_from``, ``used_in``, ``generated_by``.
A node row is ``{"id": …, <every property, keys sorted>}``; an edge row ``{"src", "dst", "type",
<every property>}``. The same graph gives the same rows in the same order on either store, so
export → import → export gives identical files.

Reads are keyset pages (``cypher/export/page_*``, ``GraphStore.iter_relations``): each page costs
its own size, so a whole-graph read is O(N + E) and holds one page in memory.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from personagraph.export.neo4j_admin import EDGE_QUERIES, NODE_QUERIES, node_pages, structural_edges
from personagraph.export.neo4j_csv import INTEGER_ID_LABELS
from personagraph.store.graph import GraphStore

EDGE_KEYS = ("src", "dst", "type")
PERSONA_EDGE = ("Persona", "*", "Persona")  # every persona-to-persona type, in one file
# File stem of each kind; the order is the order of writing and reading (nodes before edges).
NODE_FILES = {
    "Persona": "personas",
    "Text": "texts",
    "Sample": "samples",
    "Batch": "batches",
    "DedupRun": "dedup_runs",
    "Cluster": "clusters",
}
EDGE_FILES = {
    PERSONA_EDGE: "relations",
    ("Persona", "DERIVED_FROM", "Text"): "derived_from",
    ("Persona", "USED_IN", "Batch"): "used_in",
    ("Sample", "GENERATED_BY", "Persona"): "generated_by",
}


@dataclass(frozen=True)
class Kind:
    """One file of an export: a node label, or an edge kind (start label, type or ``*``, end label)."""

    stem: str
    label: str | None = None
    edge: tuple[str, str, str] | None = None

    def as_dict(self) -> dict[str, Any]:
        return {"label": self.label} if self.label else {"edge": list(self.edge or ())}

    @staticmethod
    def from_dict(stem: str, entry: dict[str, Any]) -> Kind:
        if entry.get("label"):
            return Kind(stem, label=str(entry["label"]))
        edge = tuple(str(part) for part in entry.get("edge") or ())
        if len(edge) != 3:
            raise ValueError(f"{stem}: neither a node label nor an edge kind")
        return Kind(stem, edge=(edge[0], edge[1], edge[2]))


KINDS = [Kind(stem, label=label) for label, stem in NODE_FILES.items()]
KINDS += [Kind(stem, edge=edge) for edge, stem in EDGE_FILES.items()]


def node_row(node_id: Any, props: dict[str, Any]) -> dict[str, Any]:
    row = {"id": node_id}
    row.update((key, props[key]) for key in sorted(props) if key != "id")
    return row


def edge_row(src: Any, dst: Any, rel_type: str, props: dict[str, Any]) -> dict[str, Any]:
    row = {"src": src, "dst": dst, "type": rel_type}
    row.update((key, props[key]) for key in sorted(props) if key not in EDGE_KEYS)
    return row


def _order(row: dict[str, Any]) -> tuple[str, str, str]:
    return (row["type"], str(row["dst"]), json.dumps(row, sort_keys=True, default=str))


def _sorted(group: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """One source's edges in ``_order``; the whole row as JSON only breaks ties of type and target
    (parallel edges), so it is written only where there are some (it was 12% of an export's time)."""
    if len(group) < 2:
        return group
    keys = [(row["type"], str(row["dst"])) for row in group]
    if len(set(keys)) < len(keys):
        return sorted(group, key=_order)
    return [group[i] for i in sorted(range(len(group)), key=keys.__getitem__)]


def _persona_edges(store: GraphStore, size: int) -> Iterator[dict[str, Any]]:
    """``iter_relations`` gives the edges grouped by source in id order; within a source the
    engine's order is not fixed, so each source's edges are sorted (a handful a persona)."""
    group: list[dict[str, Any]] = []
    for row in store.iter_relations(batch_size=size):
        flat = edge_row(row["src"], row["dst"], row["type"], row.get("props") or {})
        if group and group[0]["src"] != flat["src"]:
            yield from _sorted(group)
            group = []
        group.append(flat)
    yield from _sorted(group)


def _structural_edges(store: GraphStore, kind: tuple[str, str, str], size: int) -> Iterator[dict[str, Any]]:
    group: list[dict[str, Any]] = []
    for row in structural_edges(store, kind, size):
        flat = edge_row(row["src"], row["dst"], kind[1], row.get("props") or {})
        if group and group[0]["src"] != flat["src"]:
            yield from _sorted(group)
            group = []
        group.append(flat)
    yield from _sorted(group)


def rows_of(store: GraphStore, kind: Kind, size: int = 10000) -> Iterator[dict[str, Any]]:
    """The rows of one file of the export."""
    if kind.label:
        first = None if kind.label in INTEGER_ID_LABELS else ""
        for row in node_pages(store, f"page_{NODE_QUERIES[kind.label]}", first, size):
            yield node_row(row["id"], row.get("props") or {})
    elif kind.edge == PERSONA_EDGE:
        yield from _persona_edges(store, size)
    # The page query walks every source node; a count push-down first skips a kind the graph lacks.
    elif kind.edge in EDGE_QUERIES and int(store.run_typed("count_relation_type", kind.edge[1])[0]["n"]):
        yield from _structural_edges(store, kind.edge, size)


def unexported(store: GraphStore, nodes: int, edges: int) -> list[str]:
    """A line for the nodes and edges of kinds no file holds (the graph's counts against the rows written).

    Counts, not a scan of every node's labels and edge's ends: ``export/node_kinds`` and
    ``export/edge_kinds`` (what neo4j-admin needs for its headers) read the whole graph twice more.
    """
    lines = []
    total_nodes = int(store.run("export/count_nodes")[0]["n"])
    total_edges = int(store.run("count_edges")[0]["n"])
    if total_nodes > nodes:
        lines.append(f"{total_nodes - nodes} nodes with a label export graph does not write")
    if total_edges > edges:
        lines.append(f"{total_edges - edges} edges of a kind export graph does not write")
    return lines
