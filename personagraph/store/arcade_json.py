"""Rows for embedded ArcadeDB's batch API as JSON text, handed to the binding's bridge classes.

``GraphBatch.create_vertices`` and ``new_edges`` (arcadedb-embedded) check every value in Python
and encode the rows with the stdlib's ``json`` before one call into Java per chunk: py-spy put that
at 7% (vertices) and 10% (edges) of the writing thread's time on a 300k import, in the thread that
holds the engine up. Here the rows are encoded with orjson and checked by type (``json_ready``),
then given to the same Java entry points (``com.arcadedb.python.VertexBatcher.createVerticesJson``,
``EdgeBatcher.newEdgesJson``): the engine reads the same JSON.

This leans on two private attributes of the binding's batch object (``_java_graph_batch``,
``_java_db``) and on its bridge class names, pinned by the version range in pyproject.toml. Where
any of them is missing (another binding version) the wrapper's own methods are called instead, so
a change there costs speed, never correctness (tests/integration/test_bulk_load.py checks that the
installed binding takes the bridge, and that rows orjson cannot carry take the wrapper's path).
"""

from __future__ import annotations

import math
from typing import Any

_INT64 = (-(2**63), 2**63 - 1)


def json_ready(row: dict[str, Any]) -> bool:
    """Whether orjson writes every value of ``row`` as the engine should read it: a string (orjson
    refuses a lone surrogate, which sends the call down the wrapper's path), a bool, None, a 64-bit
    int or a finite float (orjson would write NaN as null). Lists go to the wrapper's path too."""
    for value in row.values():
        kind = type(value)
        if kind is str or kind is bool or value is None:
            continue
        if kind is int:
            if not _INT64[0] <= value <= _INT64[1]:
                return False
        elif kind is not float or not math.isfinite(value):
            return False
    return True


def encode(rows: list[dict[str, Any]]) -> bytes | None:
    """The rows as the JSON the bridge hands the engine, or None when one of them must take the
    wrapper's path (a value orjson would not write as the engine should read it)."""
    import orjson

    if not all(json_ready(row) for row in rows):
        return None
    try:
        return orjson.dumps(rows)
    except TypeError:  # orjson.JSONEncodeError: a lone surrogate
        return None


class Bridge:
    """The bridge classes, looked up once (``load``); None where the binding has none."""

    def __init__(self) -> None:
        self.loaded = False
        self.vertices: Any = None
        self.edges: Any = None
        self.calls = {"bridge": 0, "wrapper": 0}  # chunks written by each path (a test reads it)
        self.java_text: Any = None  # bytes -> java.lang.String, decoded as UTF-8 in Java

    def load(self) -> None:
        if self.loaded:
            return
        import jpype

        for name in ("vertices", "edges"):
            try:
                cls = jpype.JClass("com.arcadedb.python." + {"vertices": "VertexBatcher", "edges": "EdgeBatcher"}[name])
            except Exception:  # another binding: the wrapper's path
                cls = None
            setattr(self, name, cls)
        string, utf8 = jpype.JClass("java.lang.String"), jpype.JClass("java.nio.charset.StandardCharsets").UTF_8
        byte_array = jpype.JArray(jpype.JByte)
        self.java_text = lambda data: string(byte_array(data), utf8)
        self.loaded = True

    def text(self, data: bytes) -> Any:
        """orjson's UTF-8 as the Java string the bridge takes. JPype turns an ASCII str into a Java
        string fast, but one with any other character ~6x slower (0.21 s against 0.035 s for a batch of
        50k personas, one in eight with an accent or a curly quote: on the writing thread, which holds
        up the engine). Such text goes over as bytes and Java decodes it (~0.08 s)."""
        return data.decode("ascii") if data.isascii() else self.java_text(data)

    def create_vertices(
        self, batch: Any, label: str, rows: list[dict[str, Any]], encoded: bytes | None = None
    ) -> list[str]:
        """The rows' RIDs, in order; ``encoded``: the rows' JSON, made beforehand (``encode``)."""
        import orjson

        self.load()
        java_batch, java_db = getattr(batch, "_java_graph_batch", None), getattr(batch, "_java_db", None)
        if self.vertices is None or java_batch is None or java_db is None:
            self.calls["wrapper"] += 1
            return list(batch.create_vertices(label, rows))
        try:
            data = encoded if encoded is not None else orjson.dumps(rows)
        except TypeError:  # orjson.JSONEncodeError: a lone surrogate
            self.calls["wrapper"] += 1
            return list(batch.create_vertices(label, rows))
        text = self.text(data)
        self.calls["bridge"] += 1
        owns_transaction = not java_db.isTransactionActive()
        try:
            joined = str(self.vertices.createVerticesJson(java_batch, label, text))
        except BaseException:
            # As the wrapper does: a failed call (a duplicate key) must not leave the engine's
            # transaction open, or a later write outside any transaction is lost at close.
            if owns_transaction and java_db.isTransactionActive():
                java_db.rollback()
            raise
        return joined.split(";") if joined else []

    def new_edges(self, batch: Any, rel_type: str, rows: list[dict[str, Any]], encoded: bytes | None = None) -> None:
        """``rows``: ``{"_src": rid, "_dst": rid, **props}``, each ``_json_ready``; or ``encoded``,
        such rows' JSON made beforehand (``rows`` is then not read)."""
        import orjson

        self.load()
        java_batch = getattr(batch, "_java_graph_batch", None)
        text = None
        if self.edges is not None and java_batch is not None:
            try:
                text = self.text(encoded if encoded is not None else orjson.dumps(rows))
            except TypeError:
                text = None
        self.calls["wrapper" if text is None else "bridge"] += 1
        if text is None:
            if encoded is not None:
                rows = orjson.loads(encoded)
            batch.new_edges(
                [r["_src"] for r in rows],
                rel_type,
                [r["_dst"] for r in rows],
                [{k: v for k, v in r.items() if k not in ("_src", "_dst")} for r in rows],
            )
            return
        self.edges.newEdgesJson(java_batch, rel_type, text)


bridge = Bridge()
