"""The whole graph as one GraphML file, written as a stream, and read back as one.

networkx built the whole graph in memory before writing (the probe: 3.2 GB for 200k relations),
so the file is written here: the ``<key>`` declarations from the columns the JSONL pass saw, then
every node, then every edge, each element from its JSONL row. networkx reads the result (the
tests parse it back with ``nx.read_graphml``).

Conventions, so that a reader gets every value back as it was:
- a persona's node id is its id; another node's is ``Label:id`` (``Text:t_…``, ``Cluster:3``);
  the node's label is the data key ``:label``; an edge's type is the data key ``type``;
- bool, 64-bit int, float and string properties have the GraphML types boolean, long, double and
  string (floats written with ``repr``: exact); lists and columns mixing kinds are JSON text,
  named in the graph's ``personagraph`` data (``{"json_keys": {"node": [...], "edge": [...]}}``);
- characters XML 1.0 forbids are dropped (``xml_text``), ``\\r`` is written as ``&#13;``.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import IO, Any

from personagraph.export.column_kinds import ColumnKinds, from_json_text, to_json_text
from personagraph.export.graph_rows import NODE_FILES, Kind
from personagraph.export.neo4j_csv import INTEGER_ID_LABELS
from personagraph.export.xml_text import xml_escape

NS = "http://graphml.graphdrawing.org/xmlns"
LABEL_KEY = ":label"
META_KEY = "personagraph"
GRAPHML_TYPES = {"bool": "boolean", "int": "long", "float": "double", "str": "string"}
PREFIXED = [label for label in NODE_FILES if label != "Persona"]


def node_xml_id(label: str, node_id: Any) -> str:
    return str(node_id) if label == "Persona" else f"{label}:{node_id}"


def _text(value: Any, kind: str) -> str:
    if kind == "json":
        return xml_escape(to_json_text(value) or "")
    if kind == "bool":
        return "true" if value else "false"
    if kind == "float":
        return repr(float(value))
    return xml_escape(str(value))


class _Keys:
    """The ``<key>`` declarations of one domain (node or edge): property name -> (key id, kind)."""

    def __init__(self, prefix: str, kinds: ColumnKinds, skip: set[str], fixed: dict[str, str]) -> None:
        self.ids: dict[str, tuple[str, str]] = {}
        for name, kind in fixed.items():
            self.ids[name] = (f"{prefix}{len(self.ids)}", kind)
        for name in sorted(set(kinds.kinds) - skip - set(fixed)):
            resolved = kinds.resolved(name)
            self.ids[name] = (f"{prefix}{len(self.ids)}", resolved if resolved in GRAPHML_TYPES else "json")

    def declarations(self, domain: str) -> Iterator[str]:
        for name, (key_id, kind) in self.ids.items():
            graphml_type = GRAPHML_TYPES.get(kind, "string")
            yield f'<key id="{key_id}" for="{domain}" attr.name="{xml_escape(name)}" attr.type="{graphml_type}"/>\n'

    def json_names(self) -> list[str]:
        return [name for name, (_, kind) in self.ids.items() if kind == "json"]

    def data(self, row: dict[str, Any], skip: tuple[str, ...]) -> str:
        parts = []
        for name, value in row.items():
            if value is None or name in skip:
                continue
            key_id, kind = self.ids[name]
            parts.append(f'<data key="{key_id}">{_text(value, kind)}</data>')
        return "".join(parts)


def write_graphml(files: list[tuple[Kind, Path, ColumnKinds]], path: Path) -> None:
    """One GraphML file from the JSONL rows of every kind (nodes first, then edges)."""
    from personagraph.export.graph_files import iter_jsonl

    node_kinds, edge_kinds = ColumnKinds(), ColumnKinds()
    for kind, _, columns in files:
        (node_kinds if kind.label else edge_kinds).merge(columns)
    nodes = _Keys("n", node_kinds, {"id"}, {LABEL_KEY: "str"})
    edges = _Keys("e", edge_kinds, {"src", "dst"}, {"type": "str"})
    meta = {"version": 1, "json_keys": {"node": nodes.json_names(), "edge": edges.json_names()}}
    with path.open("w", encoding="utf-8", newline="") as out:
        out.write(
            "<?xml version='1.0' encoding='utf-8'?>\n"
            f'<graphml xmlns="{NS}" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" '
            f'xsi:schemaLocation="{NS} {NS}/1.0/graphml.xsd">\n'
            f'<key id="g0" for="graph" attr.name="{META_KEY}" attr.type="string"/>\n'
        )
        out.writelines(nodes.declarations("node"))
        out.writelines(edges.declarations("edge"))
        out.write(f'<graph edgedefault="directed">\n<data key="g0">{xml_escape(json.dumps(meta))}</data>\n')
        for kind, source, _ in files:
            if kind.label:
                _write_nodes(out, kind.label, iter_jsonl(source), nodes)
        for kind, source, _ in files:
            if kind.edge:
                _write_edges(out, kind.edge, iter_jsonl(source), edges)
        out.write("</graph>\n</graphml>\n")


def _write_nodes(out: IO[str], label: str, rows: Iterator[dict[str, Any]], keys: _Keys) -> None:
    label_key = keys.ids[LABEL_KEY][0]
    for row in rows:
        node_id = xml_escape(node_xml_id(label, row["id"]))
        data = keys.data(row, ("id",))
        out.write(f'<node id="{node_id}"><data key="{label_key}">{label}</data>{data}</node>\n')


def _write_edges(out: IO[str], edge: tuple[str, str, str], rows: Iterator[dict[str, Any]], keys: _Keys) -> None:
    for row in rows:
        src = xml_escape(node_xml_id(edge[0], row["src"]))
        dst = xml_escape(node_xml_id(edge[2], row["dst"]))
        out.write(f'<edge source="{src}" target="{dst}">{keys.data(row, ("src", "dst"))}</edge>\n')


# -- reading ---------------------------------------------------------------------------------------


def _label_and_id(xml_id: str) -> tuple[str, Any]:
    for label in PREFIXED:
        if xml_id.startswith(f"{label}:"):
            raw = xml_id[len(label) + 1 :]
            return label, int(raw) if label in INTEGER_ID_LABELS else raw
    return "Persona", xml_id


def _value(text: str, graphml_type: str, is_json: bool) -> Any:
    if is_json:
        return from_json_text(text)
    if graphml_type == "boolean":
        return text.strip().lower() == "true"
    if graphml_type in ("int", "long"):
        return int(text)
    if graphml_type in ("float", "double"):
        return float(text)
    return text


def read_graphml(path: Path) -> Iterator[tuple[str, dict[str, Any]]]:
    """``("node", {":label", "id", props…})`` then ``("edge", {"src", "dst", "type", …, ":ends"})`` rows.

    Streams with ``iterparse``: each element is dropped from the tree once read, so memory is one element.
    """
    import xml.etree.ElementTree as ET

    keys: dict[str, tuple[str, str]] = {}  # key id -> (name, graphml type)
    json_keys: dict[str, set[str]] = {"node": set(), "edge": set()}
    domains: dict[str, str] = {}
    tag = f"{{{NS}}}"
    graph = None
    for event, element in ET.iterparse(path, events=("start", "end")):
        name = element.tag.removeprefix(tag)
        if event == "start":
            if name == "graph":
                graph = element
            continue
        if name == "key":
            key_id = element.get("id", "")
            keys[key_id] = (element.get("attr.name", key_id), element.get("attr.type", "string"))
            domains[key_id] = element.get("for", "")
        elif name == "data" and domains.get(element.get("key", "")) == "graph":
            if keys[element.get("key", "")][0] == META_KEY:
                meta = json.loads(element.text or "{}")
                json_keys = {d: set(meta.get("json_keys", {}).get(d, [])) for d in ("node", "edge")}
        elif name in ("node", "edge"):
            row: dict[str, Any] = {}
            for data in element:
                key_name, graphml_type = keys[data.get("key", "")]
                row[key_name] = _value(data.text or "", graphml_type, key_name in json_keys[name])
            if name == "node":
                label, node_id = _label_and_id(element.get("id", ""))
                row[LABEL_KEY] = row.get(LABEL_KEY, label)
                row["id"] = node_id
            else:
                src_label, row["src"] = _label_and_id(element.get("source", ""))
                dst_label, row["dst"] = _label_and_id(element.get("target", ""))
                row[":ends"] = (src_label, dst_label)
            yield name, row
            if graph is not None:
                graph.clear()  # the elements read so far
