"""Turn what a store returns (Java objects, neo4j graph types) into plain Python values."""

from __future__ import annotations

from typing import Any

_PLAIN = (str, int, float, bool, type(None))


def neo4j_value(value: Any) -> Any:
    """Plain Python for a value from the neo4j driver (nodes and relationships become dicts)."""
    if isinstance(value, _PLAIN):
        return value
    from neo4j.graph import Node, Path, Relationship

    if isinstance(value, Node):
        return {"_labels": sorted(value.labels), **{k: neo4j_value(v) for k, v in value.items()}}
    if isinstance(value, Relationship):
        # A node's properties are known only when the row returns that node too; else its element id.
        start = value.start_node.get("id", value.start_node.element_id) if value.start_node is not None else None
        end = value.end_node.get("id", value.end_node.element_id) if value.end_node is not None else None
        return {"_type": value.type, "_start": start, "_end": end, **{k: neo4j_value(v) for k, v in value.items()}}
    if isinstance(value, Path):
        return [neo4j_value(n) for n in value.nodes]
    if isinstance(value, dict):
        return {k: neo4j_value(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [neo4j_value(v) for v in value]
    if hasattr(value, "iso_format"):
        return value.iso_format()
    return value


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
        # A path: its nodes, as neo4j_value gives for a driver Path.
        return [java_value(v) for v in value.getVertices()]
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
