"""Read a neo4j-admin export (``export graph --format neo4j-admin``) back into a PersonaGraph store.

The headers say everything: ``id:ID(Persona)`` gives the label's ID space, ``:START_ID(Persona)``
and ``:END_ID(Text)`` the ends of an edge, ``hop:int`` and ``labels:string[]`` the property types.
pyarrow's CSV reader parses the body because it tells ``""`` (an empty string) from an empty
unquoted field (null), as neo4j-admin does; Python's csv module reads both as ``''``.
"""

from __future__ import annotations

import csv
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from personagraph.errors import InputError, MalformedInputError, MissingFileError
from personagraph.export.neo4j_admin import EDGE_QUERIES, NODE_QUERIES
from personagraph.export.neo4j_csv import ARRAY_DELIMITER
from personagraph.store.graph import GraphStore, chunked

# name:ID(space) / :START_ID(space) / :END_ID(space) / :LABEL / :TYPE / :IGNORE / name:type / name
FIELD = re.compile(
    r"^(?P<name>[^:]*)(?::(?:(?P<kind>ID|START_ID|END_ID|LABEL|TYPE|IGNORE)(?:\((?P<space>[^)]*)\))?"
    r"|(?P<type>[a-z]+)(?P<array>\[\])?))?$"
)
INTEGER_TYPES = {"int", "long", "short", "byte"}
FLOAT_TYPES = {"float", "double"}
CHUNK = 2000  # rows a write query (the importer's Cypher chunk)


@dataclass
class Column:
    name: str
    kind: str  # ID, START_ID, END_ID, LABEL, TYPE, IGNORE or PROPERTY
    space: str | None = None
    type: str = "string"
    array: bool = False


def parse_header(path: Path) -> list[Column]:
    """The columns named by the first line of ``path``; a field outside the grammar is an error."""
    with path.open(encoding="utf-8", newline="") as handle:
        first = next(csv.reader(handle), None)
    if not first:
        raise MalformedInputError(str(path), 1, "no header line")
    columns = []
    for text in first:
        match = FIELD.match(text)
        if not match:
            raise MalformedInputError(str(path), 1, f"header field {text!r} is not name:type or :ID(space) …")
        kind = match["kind"] or "PROPERTY"
        if kind == "PROPERTY" and not match["name"]:
            raise MalformedInputError(str(path), 1, f"header field {text!r} names no property")
        columns.append(Column(match["name"], kind, match["space"], match["type"] or "string", bool(match["array"])))
    return columns


def _scalar(kind: str) -> Callable[[str], Any]:
    if kind in INTEGER_TYPES:
        return int
    if kind in FLOAT_TYPES:
        return float  # takes Java's NaN / Infinity / -Infinity as written
    if kind == "boolean":
        return lambda text: text == "true"  # the manual: true only when it is exactly "true"
    return str


def _converter(column: Column) -> Callable[[str], Any]:
    scalar = _scalar(column.type)
    if column.array:
        return lambda text: [scalar(part) for part in text.split(ARRAY_DELIMITER)]
    return scalar


def _rows(path: Path, columns: list[Column]) -> Iterator[tuple[int, list[str | None]]]:
    """(row number, raw field texts) of the body; None where the field was empty and unquoted."""
    import pyarrow as pa
    from pyarrow import csv as pacsv

    names = [f"c{i}" for i in range(len(columns))]
    reader = pacsv.open_csv(
        path,
        read_options=pacsv.ReadOptions(column_names=names, skip_rows=1, block_size=1 << 22),
        parse_options=pacsv.ParseOptions(delimiter=",", quote_char='"', double_quote=True, newlines_in_values=True),
        convert_options=pacsv.ConvertOptions(
            column_types={name: pa.string() for name in names},
            null_values=[""],
            strings_can_be_null=True,
            quoted_strings_can_be_null=False,
        ),
    )
    number = 1
    for batch in reader:
        values = [batch.column(i).to_pylist() for i in range(len(names))]
        for row in zip(*values, strict=True):
            number += 1
            yield number, list(row)


@dataclass
class ReadReport:
    nodes: dict[str, int] = field(default_factory=dict)  # label -> rows read
    relationships: dict[str, int] = field(default_factory=dict)  # type -> rows read


def _records(path: Path, columns: list[Column]) -> Iterator[tuple[int, dict[str, Any], dict[str, Any]]]:
    """(row number, special fields by kind, properties) for each row of ``path``."""
    convert = [_converter(c) if c.kind == "PROPERTY" else str for c in columns]
    for number, raw in _rows(path, columns):
        special: dict[str, Any] = {}
        props: dict[str, Any] = {}
        try:
            for column, fn, text in zip(columns, convert, raw, strict=True):
                if text is None or column.kind == "IGNORE":
                    continue
                if column.kind == "PROPERTY":
                    props[column.name] = fn(text)
                else:
                    special[column.kind] = text
                    if column.kind == "ID" and column.name:
                        props[column.name] = text  # a named ID column is stored as that property (string ids)
        except ValueError as exc:
            raise MalformedInputError(str(path), number, f"{exc}") from exc
        yield number, special, props


def _one(columns: list[Column], kind: str, path: Path) -> Column:
    found = [c for c in columns if c.kind == kind]
    if len(found) != 1:
        raise MalformedInputError(str(path), 1, f"needs exactly one :{kind} column, has {len(found)}")
    return found[0]


def _read_nodes(store: GraphStore, path: Path, report: ReadReport) -> None:
    columns = parse_header(path)
    id_column = _one(columns, "ID", path)
    label = id_column.space or path.stem.removeprefix("nodes-")
    if label not in NODE_QUERIES:
        raise InputError(f"{path}: label {label!r} cannot be read back (known: {', '.join(NODE_QUERIES)})")
    query = f"export/restore_{NODE_QUERIES[label]}"

    def rows() -> Iterator[dict[str, Any]]:
        for number, special, props in _records(path, columns):
            node_id = props.pop("id", None) if not id_column.name else special.get("ID")
            if node_id is None:
                raise MalformedInputError(str(path), number, "no id")
            props.pop(id_column.name or "id", None)
            yield {"id": node_id, "props": props}

    count = 0
    for chunk in chunked(rows(), CHUNK):
        store.run(query, rows=chunk)
        count += len(chunk)
    report.nodes[label] = report.nodes.get(label, 0) + count


def _read_relationships(store: GraphStore, path: Path, report: ReadReport) -> None:
    columns = parse_header(path)
    start, end, _ = _one(columns, "START_ID", path), _one(columns, "END_ID", path), _one(columns, "TYPE", path)
    persona_rows: list[tuple[str, str, str, dict[str, Any]]] = []
    structural: dict[str, list[dict[str, Any]]] = {}
    for number, special, props in _records(path, columns):
        rel_type = special.get("TYPE") or path.stem.removeprefix("rels-")
        kind = (start.space or "", rel_type, end.space or "")
        if kind[0] == kind[2] == "Persona":
            persona_rows.append((special["START_ID"], special["END_ID"], rel_type, props))
        elif kind in EDGE_QUERIES:
            pending = structural.setdefault(EDGE_QUERIES[kind], [])
            pending.append({"src": special["START_ID"], "dst": special["END_ID"], "props": props})
            if len(pending) >= CHUNK:
                store.run(f"export/restore_{EDGE_QUERIES[kind]}", rows=pending)
                pending.clear()
        else:
            raise MalformedInputError(
                str(path), number, f"edge ({kind[0]})-[:{rel_type}]->({kind[2]}) cannot be read back"
            )
        report.relationships[rel_type] = report.relationships.get(rel_type, 0) + 1
        if len(persona_rows) >= CHUNK * 10:
            store.bulk_add_relations(persona_rows)
            persona_rows = []
    if persona_rows:
        store.bulk_add_relations(persona_rows)
    for query, rows in structural.items():
        if rows:
            store.run(f"export/restore_{query}", rows=rows)


ARGUMENT = re.compile(r"--(nodes|relationships)=(?:[A-Za-z_][A-Za-z0-9_:]*=)?([^\s\\]+)")


def export_files(folder: Path) -> tuple[list[Path], list[Path]]:
    """The node and relationship files that ``import.sh`` names (not whatever else lies in the folder)."""
    script = folder / "import.sh"
    if not script.is_file():
        raise MissingFileError(f"{folder}: not a neo4j-admin export (no import.sh)")
    found: dict[str, list[Path]] = {"nodes": [], "relationships": []}
    for kind, names in ARGUMENT.findall(script.read_text(encoding="utf-8")):
        for name in names.split(","):  # a header file and data files, as neo4j-admin takes them
            path = folder / name
            if not path.is_file():
                raise MissingFileError(f"{path}: named in {script} but missing")
            found[kind].append(path)
    if not found["nodes"]:
        raise MissingFileError(f"{script}: names no node files")
    return found["nodes"], found["relationships"]


def read_neo4j_admin(store: GraphStore, directory: str | Path) -> ReadReport:
    """Create the nodes, then the edges, of an export folder in ``store``; returns what was read.

    The files are the ones ``import.sh`` names, so a file left in the folder by an older export is
    not read. Personas come first, every node before any edge (an edge needs both ends).
    """
    folder = Path(directory)
    nodes, relationships = export_files(folder)
    store.ensure_schema()
    report = ReadReport()
    nodes.sort(key=lambda p: p.name != "nodes-Persona.csv")  # stable: import.sh's order otherwise
    for path in nodes:
        _read_nodes(store, path, report)
    for path in relationships:
        _read_relationships(store, path, report)
    return report
