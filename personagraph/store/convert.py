"""Turn what a store returns (Java objects, neo4j graph types) into plain Python values.

Both stores give the same shapes, so a query prints the same rows embedded and over Bolt:

- a node: ``{"_labels": [...], **properties}``;
- a relationship: ``{"_type": T, "_start": id, "_end": id, **properties}``, where the ends are the
  persona ids (the nodes' ``id`` property) on both stores, never internal record ids;
- a path: ``{"_path": "(p_a)-[:FRIEND_OF]->(p_b)<-[:RIVAL]-(p_c)", "_nodes": [...],
  "_relationships": [...]}``: the line a reader scans, and the elements in order, each relationship
  with its own direction (``_start`` -> ``_end``), which may differ from the path's walking order.
"""

from __future__ import annotations

from typing import Any

_PLAIN = (str, int, float, bool, type(None))


def path_line(nodes: list[Any], relationships: list[dict[str, Any]]) -> str:
    """``(a)-[:T]->(b)<-[:U]-(c)``: a path as Cypher draws it, each node by its id."""

    def label(node: Any) -> str:
        return str(node.get("id", "?")) if isinstance(node, dict) else str(node)

    parts = [f"({label(nodes[0])})"] if nodes else []
    for index, rel in enumerate(relationships):
        before = nodes[index] if index < len(nodes) else None
        after = nodes[index + 1] if index + 1 < len(nodes) else None
        forward = isinstance(before, dict) and rel.get("_start") == before.get("id")
        arrow = f"-[:{rel.get('_type')}]->" if forward else f"<-[:{rel.get('_type')}]-"
        parts.append(f"{arrow}({label(after)})")
    return "".join(parts)


def path_value(nodes: list[Any], relationships: list[dict[str, Any]]) -> dict[str, Any]:
    return {"_path": path_line(nodes, relationships), "_nodes": nodes, "_relationships": relationships}


class Neo4jConverter:
    """Plain Python for the values of one driver result.

    A relationship returned without its end nodes carries only their element ids (``#1:139`` on
    ArcadeDB); ``pending`` collects those, and ``resolve`` puts the persona ids in once the caller
    has looked them up (in the same transaction).
    """

    def __init__(self) -> None:
        self.pending: dict[str, list[tuple[dict[str, Any], str]]] = {}

    def value(self, value: Any) -> Any:
        if isinstance(value, _PLAIN):
            return value
        from neo4j.graph import Node, Path, Relationship

        if isinstance(value, Node):
            return {"_labels": sorted(value.labels), **{k: self.value(v) for k, v in value.items()}}
        if isinstance(value, Relationship):
            return self._relationship(value)
        if isinstance(value, Path):
            return path_value(
                [self.value(n) for n in value.nodes], [self._relationship(r) for r in value.relationships]
            )
        if isinstance(value, dict):
            return {k: self.value(v) for k, v in value.items()}
        if isinstance(value, (list, tuple)):
            return [self.value(v) for v in value]
        if hasattr(value, "iso_format"):
            return value.iso_format()
        return value

    def _relationship(self, value: Any) -> dict[str, Any]:
        out: dict[str, Any] = {"_type": value.type, "_start": None, "_end": None}
        for key, node in (("_start", value.start_node), ("_end", value.end_node)):
            if node is None:
                continue
            if "id" in node:
                out[key] = node["id"]
            else:  # the driver knows this end only by its element id: look it up after
                out[key] = node.element_id
                self.pending.setdefault(node.element_id, []).append((out, key))
        out.update({k: self.value(v) for k, v in value.items()})
        return out

    def resolve(self, ids: dict[str, Any]) -> None:
        """Put each pending end's persona id in (``ids``: element id -> id); ends without one keep the element id."""
        for element_id, places in self.pending.items():
            if ids.get(element_id) is not None:
                for holder, key in places:
                    holder[key] = ids[element_id]
        self.pending.clear()


def neo4j_value(value: Any) -> Any:
    """Plain Python for a value from the neo4j driver (a lone relationship's ends stay element ids)."""
    return Neo4jConverter().value(value)


def java_value(value: Any) -> Any:
    """Plain Python for a value from embedded ArcadeDB (vertices and edges become dicts)."""
    if isinstance(value, _PLAIN):
        return value
    if isinstance(value, dict):
        return {str(k): java_value(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [java_value(v) for v in value]
    if hasattr(value, "getTypeName") and hasattr(value, "toMap"):
        raw = {str(k): v for k, v in dict(value.toMap()).items()}
        props = {k: java_value(v) for k, v in raw.items() if not k.startswith("@")}
        category = str(raw.get("@cat", "v"))
        if category == "e":
            return {
                "_type": str(value.getTypeName()),
                "_start": java_value(value.getOutVertex().get("id")),
                "_end": java_value(value.getInVertex().get("id")),
                **props,
            }
        return {"_labels": [str(value.getTypeName())], **props}
    if hasattr(value, "getVertices") and hasattr(value, "getEdges"):
        # A path (TraversalPath): its vertices and edges in walking order, as for a driver Path.
        return path_value([java_value(v) for v in value.getVertices()], [java_value(e) for e in value.getEdges()])
    cls = type(value).__name__
    if hasattr(value, "toString") and cls.startswith("java"):
        text = str(value.toString())
        return _java_scalar(value, text)
    if hasattr(value, "__iter__") and not isinstance(value, (bytes, bytearray)):
        try:
            return [java_value(v) for v in value]
        except TypeError:
            pass
    return value


def _java_scalar(value: Any, text: str) -> Any:
    name = str(value.getClass().getName()) if hasattr(value, "getClass") else ""
    if name in {"java.lang.Long", "java.lang.Integer", "java.lang.Short", "java.lang.Byte"}:
        return int(text)
    if name in {"java.lang.Double", "java.lang.Float"}:
        return float(text)
    if name == "java.lang.Boolean":
        return text == "true"
    if name.startswith("java.util") and hasattr(value, "size"):
        if hasattr(value, "keySet"):
            return {str(k): java_value(value.get(k)) for k in value.keySet()}
        return [java_value(v) for v in value]
    return text
