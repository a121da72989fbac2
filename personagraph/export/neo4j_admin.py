"""The graph as ``neo4j-admin database import full`` CSV files, with the command that loads them.

One file a node label (``nodes-Persona.csv``: ``id:ID(Persona)``, ``:LABEL``, typed properties) and
one a kind of edge (``rels-RIVAL.csv``: ``:START_ID(Persona)``, ``:END_ID(Persona)``, ``:TYPE``,
typed properties); each label is its own ID space. Every property of every node and edge is kept.

How values are written (Neo4j 5 operations manual, "Import header format" and "Full import"):
- strings are always quoted, a quote doubled (RFC 4180; ``--legacy-style-quoting=false`` keeps a
  backslash literal); a null is an empty unquoted field and an empty string is ``""``, which
  ``--ignore-empty-strings=false`` keeps apart; newlines stay inside quotes (``--multiline-fields``);
- lists are one quoted field, elements joined by U+001F (``--array-delimiter=U+001F``): persona
  texts hold ``;``, ``,`` and ``|``, never a control character. An empty list cannot be told from
  null in CSV (the manual says so) and comes back as a missing property;
- a column's type is what its values were: all ints ``long`` (``int`` for ``hop``), ints and
  floats ``double``, bools ``boolean``, lists ``string[]``/``long[]``/``double[]``/``boolean[]``;
  a column mixing kinds (or holding maps, stored as JSON) is ``string``.

The columns of a file must be known before its first row, so one query per run collects each
label's property keys; the types are only known after the last row, so rows go to a body file
and the header is written in front of it at the end. Everything is written into a hidden folder
and moved into place at the end: an error leaves nothing half-written.
"""

from __future__ import annotations

import json
import math
import os
import re
import shutil
import tempfile
from collections import defaultdict
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from itertools import repeat
from operator import itemgetter, methodcaller
from pathlib import Path
from types import NoneType
from typing import IO, Any

from personagraph.errors import InputError
from personagraph.store.graph import GraphStore, chunked
from personagraph.vocabulary import TYPE_PATTERN

ARRAY_DELIMITER = "\x1f"
ARRAY_DELIMITER_FLAG = "U+001F"
# Node labels with a page query in cypher/export/ (label -> query name part).
NODE_QUERIES = {
    "Persona": "persona",
    "Text": "text",
    "Sample": "sample",
    "Batch": "batch",
    "DedupRun": "dedup_run",
    "Cluster": "cluster",
}
# Labels whose ids are integers: the ID column (always strings to neo4j-admin) stores no property,
# and ``id`` is written as a typed property column beside it.
INTEGER_ID_LABELS = {"Cluster"}
# Structural edges with a page query (start label, type, end label) -> query name part.
EDGE_QUERIES = {
    ("Persona", "DERIVED_FROM", "Text"): "derived_from",
    ("Persona", "USED_IN", "Batch"): "used_in",
    ("Sample", "GENERATED_BY", "Persona"): "generated_by",
}
INT_KEYS = {"hop"}  # small counters declared as 32-bit `int`, as the example header does
KEY_PATTERN = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")
IMPORT_FLAGS = (
    "--delimiter=,",
    f"--array-delimiter={ARRAY_DELIMITER_FLAG}",
    "--quote='\"'",
    "--multiline-fields=true",
    "--ignore-empty-strings=false",
    "--legacy-style-quoting=false",
    "--trim-strings=false",
    "--id-type=string",
)


def _float(value: float) -> str:
    if math.isfinite(value):
        return repr(value)
    return "NaN" if math.isnan(value) else ("Infinity" if value > 0 else "-Infinity")  # Java's spellings


def _element(value: Any, where: str) -> str:
    kind = type(value)
    if kind is str:
        if ARRAY_DELIMITER in value:
            raise InputError(f"{where}: a list element holds U+001F, the array delimiter; it cannot be exported")
        return value  # type: ignore[no-any-return]
    if kind is bool:
        return "true" if value else "false"
    if kind is int:
        return str(value)
    if kind is float:
        return _float(value)
    return str(value)


_DOUBLE_QUOTES = methodcaller("replace", '"', '""')


def quote(text: str) -> str:
    return '"' + text.replace('"', '""') + '"'


class Table:
    """One CSV file: fixed leading columns, then one column a property key, typed at the end."""

    def __init__(self, path: Path, lead: list[str], keys: list[str]) -> None:
        for key in keys:
            if not KEY_PATTERN.match(key):
                raise InputError(f"{path.name}: property key {key!r} cannot be a neo4j-admin header field")
        self.path = path
        self.lead = lead
        self.keys = keys
        self.seen: list[set[Any]] = [set() for _ in keys]
        self._columns = list(zip(keys, self.seen, strict=True))
        self.rows = 0
        self.type_cell = ""  # the quoted label (node files) or type (relationship files)
        self._body_path = path.with_name(f".{path.name}.body")
        self._body: IO[str] = self._body_path.open("w", encoding="utf-8", newline="")
        self._write = self._body.write

    def add(self, lead: list[list[str]], props: list[dict[str, Any]]) -> None:
        """Append rows: ``lead`` holds the formatted leading fields column by column, ``props`` the rows.

        Column by column, not row by row: a column's types come from one C-level ``set(map(type, …))``
        and the usual columns (strings, ints, either with nulls) format in one comprehension. Per
        value in a loop this ran at 135k rows/s of CPU time on the 2-core machine, column-wise at ≥2x.
        """
        columns = [*lead]
        for key, seen in self._columns:
            values = list(map(dict.get, props, repeat(key)))  # C-level: no Python frame per row
            kinds = set(map(type, values))
            nulls = NoneType in kinds
            kinds.discard(NoneType)
            if kinds == {str}:
                seen.add(str)
                if nulls:
                    columns.append(["" if v is None else '"' + v.replace('"', '""') + '"' for v in values])
                else:
                    columns.append(list(map('"{}"'.format, map(_DOUBLE_QUOTES, values))))
            elif kinds == {int}:
                seen.add(int)
                columns.append(["" if v is None else str(v) for v in values] if nulls else list(map(str, values)))
            elif kinds == {list} and self._string_lists(key, values, seen):
                delimiter = ARRAY_DELIMITER
                columns.append(['"' + delimiter.join(v).replace('"', '""') + '"' if v else "" for v in values])
            elif kinds:
                columns.append([self._cell(key, seen, v, n) for n, v in enumerate(values, self.rows + 1)])
            else:
                columns.append([""] * len(values))
        self._write("\n".join(map(",".join, zip(*columns, strict=True))) + "\n")
        self.rows += len(props)

    def _string_lists(self, key: str, values: list[Any], seen: set[Any]) -> bool:
        """True when every list of the column holds only strings (checked for the delimiter, in one pass)."""
        elements = [x for v in values if v for x in v]
        if set(map(type, elements)) - {str}:
            return False
        if ARRAY_DELIMITER in "".join(elements):
            raise InputError(
                f"{self.path.name} rows {self.rows + 1}-{self.rows + len(values)} property {key}: "
                "a list element holds U+001F, the array delimiter; it cannot be exported"
            )
        seen.add((list, frozenset({str}) if elements else frozenset()))
        return True

    def _cell(self, key: str, seen: set[Any], value: Any, row: int) -> str:
        """One value of a column that holds more than strings or ints (floats, bools, lists, maps)."""
        kind = type(value)
        if value is None:
            return ""
        if kind is str:
            seen.add(str)
            return quote(value)
        if kind is bool:
            seen.add(bool)
            return "true" if value else "false"
        if kind is int:
            seen.add(int)
            return str(value)
        if kind is float:
            seen.add(float)
            return _float(value)
        if kind is list or kind is tuple:
            where = f"{self.path.name} row {row} property {key}"
            seen.add((list, frozenset(type(x) for x in value)))
            return quote(ARRAY_DELIMITER.join(_element(x, where) for x in value)) if value else ""
        seen.add(dict)  # a map (as JSON) or another value (a temporal from the driver: its text)
        if kind is dict:
            return quote(json.dumps(value, ensure_ascii=False, sort_keys=True, default=str))
        return quote(str(value))

    def header(self) -> list[str]:
        return self.lead + [f"{key}:{column_type(key, seen)}" for key, seen in zip(self.keys, self.seen, strict=True)]

    def finish(self) -> None:
        """Write the header line and the body into ``path`` (then drop the body file)."""
        self._body.close()
        with self.path.open("w", encoding="utf-8", newline="") as out:
            out.write(",".join(self.header()) + "\n")
            with self._body_path.open("r", encoding="utf-8", newline="") as body:
                shutil.copyfileobj(body, out, 1 << 20)
        self._body_path.unlink()

    def discard(self) -> None:
        self._body.close()


def column_type(key: str, seen: set[Any]) -> str:
    """The neo4j-admin type of a column from the Python types of its values."""
    lists = [s for s in seen if isinstance(s, tuple)]
    if lists:
        if len(lists) != len(seen):
            return "string"  # lists and scalars in one column: kept as text
        elements: set[type] = set().union(*(s[1] for s in lists))
        return ("string" if not elements else _scalar_type(key, elements)) + "[]"
    return _scalar_type(key, seen) if seen else "string"


def _scalar_type(key: str, kinds: set[Any]) -> str:
    if kinds == {int}:
        return "int" if key in INT_KEYS else "long"
    if kinds <= {int, float}:
        return "double"
    if kinds == {bool}:
        return "boolean"
    return "string"


@dataclass
class Neo4jAdminExport:
    """What ``write_neo4j_admin`` wrote: files with their arguments and row counts, the command."""

    out: Path
    nodes: dict[str, int] = field(default_factory=dict)  # file name -> rows
    relationships: dict[str, int] = field(default_factory=dict)
    arguments: list[str] = field(default_factory=list)  # --nodes=Label=file / --relationships=TYPE=file
    skipped: list[str] = field(default_factory=list)  # kinds of node or edge with no export query

    def command(self, database: str = "neo4j", admin: str = "neo4j-admin") -> str:
        """The ``neo4j-admin`` command, run from the export folder (file names are relative).

        The database name comes first: ``--nodes`` takes several values and would swallow it.
        """
        return " \\\n  ".join([f"{admin} database import full {database}", *IMPORT_FLAGS, *self.arguments])

    @property
    def files(self) -> list[str]:
        return [str(self.out / name) for name in [*self.nodes, *self.relationships, "import.sh", "IMPORT.md"]]


def _pages(store: GraphStore, name: str, after: Any, size: int) -> Iterator[dict[str, Any]]:
    """Rows of a keyset-paged query in ``cypher/export/``; each row's ``key`` or ``id`` pages on."""
    while True:
        page = store.run(f"export/{name}", after=after, limit=size)
        if not page:
            return
        yield from page
        last = page[-1]
        after = last["key"] if "key" in last else last["id"]


def _keys(keysets: Iterable[list[str]], skip: Iterable[str] = ()) -> list[str]:
    """The property keys of a file, sorted (the same graph gives the same columns)."""
    found = {key for keys in keysets for key in keys} - set(skip)
    return sorted(found)


def write_neo4j_admin(store: GraphStore, out_dir: str | Path, page_size: int = 10000) -> Neo4jAdminExport:
    """Write every node and edge of ``store`` as neo4j-admin CSV files, ``import.sh`` and ``IMPORT.md``."""
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    work = Path(tempfile.mkdtemp(prefix=".neo4j-admin.", dir=out))
    result = Neo4jAdminExport(out=out)
    tables: list[Table] = []
    try:
        _write_nodes(store, work, result, tables, page_size)
        _write_edges(store, work, result, tables, page_size)
        for table in tables:
            table.finish()
        (work / "import.sh").write_text(_script(result), encoding="utf-8")
        (work / "import.sh").chmod(0o755)
        (work / "IMPORT.md").write_text(_readme(result), encoding="utf-8")
        for path in work.iterdir():
            os.replace(path, out / path.name)
    finally:
        for table in tables:
            table.discard()
        shutil.rmtree(work, ignore_errors=True)
    return result


def _write_nodes(store: GraphStore, work: Path, result: Neo4jAdminExport, tables: list[Table], size: int) -> None:
    by_label: dict[str, list[list[str]]] = {}
    for row in store.run("export/node_kinds"):
        labels = list(row["labels"])
        if len(labels) != 1 or labels[0] not in NODE_QUERIES:
            result.skipped.append(f"{int(row['n'])} nodes labelled {':'.join(labels) or '(none)'}")
            continue
        by_label.setdefault(labels[0], []).extend(row["keysets"])
    for label in NODE_QUERIES:  # a fixed order: the same graph gives the same files
        if label not in by_label:
            continue
        keys = _keys(by_label[label], skip=() if label in INTEGER_ID_LABELS else ("id",))
        table = node_table(work, label, keys)
        tables.append(table)
        first = None if label in INTEGER_ID_LABELS else ""
        add_nodes(table, _pages(store, f"page_{NODE_QUERIES[label]}", first, size))
        name = table.path.name
        result.nodes[name] = table.rows
        result.arguments.append(f"--nodes={label}={name}")


def _write_edges(store: GraphStore, work: Path, result: Neo4jAdminExport, tables: list[Table], size: int) -> None:
    persona_types: dict[str, list[list[str]]] = {}
    structural: dict[tuple[str, str, str], list[list[str]]] = {}
    for row in store.run("export/edge_kinds"):
        src, dst, rel_type = list(row["src"]), list(row["dst"]), str(row["type"])
        kind = (src[0] if len(src) == 1 else "", rel_type, dst[0] if len(dst) == 1 else "")
        if kind[0] == kind[2] == "Persona" and TYPE_PATTERN.match(rel_type):
            persona_types.setdefault(rel_type, []).extend(row["keysets"])
        elif kind in EDGE_QUERIES:
            structural.setdefault(kind, []).extend(row["keysets"])
        else:
            result.skipped.append(f"{int(row['n'])} edges ({':'.join(src)})-[:{rel_type}]->({':'.join(dst)})")
    by_type: dict[str, Table] = {}
    for rel_type in sorted(persona_types):
        by_type[rel_type] = _edge_table(work, result, tables, ("Persona", rel_type, "Persona"), persona_types[rel_type])
    if by_type:
        add_edges(by_type, store.iter_relations())
    for table in by_type.values():
        result.relationships[table.path.name] = table.rows
    for kind, query in EDGE_QUERIES.items():
        if kind not in structural:
            continue
        table = _edge_table(work, result, tables, kind, structural[kind])
        rows = _pages(store, f"page_{query}", "", size)
        add_edges({kind[1]: table}, ({**row, "type": kind[1]} for row in rows if row["dst"] is not None))
        result.relationships[table.path.name] = table.rows


def _edge_table(
    work: Path, result: Neo4jAdminExport, tables: list[Table], kind: tuple[str, str, str], keysets: list[list[str]]
) -> Table:
    table = edge_table(work, kind, _keys(keysets))
    tables.append(table)
    result.arguments.append(f"--relationships={kind[1]}={table.path.name}")
    return table


def node_table(folder: Path, label: str, keys: list[str]) -> Table:
    """``folder/nodes-<label>.csv``: the label's own ID space, ``:LABEL``, then ``keys``."""
    lead = [f":ID({label})" if label in INTEGER_ID_LABELS else f"id:ID({label})", ":LABEL"]
    table = Table(folder / f"nodes-{label}.csv", lead, keys)
    table.type_cell = quote(label)
    return table


def edge_table(folder: Path, kind: tuple[str, str, str], keys: list[str]) -> Table:
    """``folder/rels-<TYPE>.csv`` for edges ``(start)-[:TYPE]->(end)``, each end in its label's ID space."""
    start, rel_type, end = kind
    table = Table(folder / f"rels-{rel_type}.csv", [f":START_ID({start})", f":END_ID({end})", ":TYPE"], keys)
    table.type_cell = quote(rel_type)
    return table


def _quoted(values: Iterable[Any]) -> list[str]:
    return list(map('"{}"'.format, map(_DOUBLE_QUOTES, map(str, values))))


def add_nodes(table: Table, rows: Iterable[dict[str, Any]], batch: int = 10000) -> None:
    """Rows ``{id, props}`` (as the page queries return them) into a node table."""
    for chunk in chunked(rows, batch):
        ids = _quoted(map(itemgetter("id"), chunk))
        table.add([ids, [table.type_cell] * len(chunk)], [row["props"] or {} for row in chunk])


def add_edges(tables: dict[str, Table], rows: Iterable[dict[str, Any]], batch: int = 10000) -> None:
    """Rows ``{src, dst, type, props}`` into the table of their type (a type without one is left out)."""
    for chunk in chunked(rows, batch):
        by_type: defaultdict[str, list[dict[str, Any]]] = defaultdict(list)
        for row in chunk:
            by_type[row["type"]].append(row)
        for rel_type, part in by_type.items():
            table = tables.get(rel_type)
            if table is None:  # a persona edge type that is no valid name, counted in `skipped`
                continue
            starts, ends = _quoted(map(itemgetter("src"), part)), _quoted(map(itemgetter("dst"), part))
            props = [p or {} for p in map(itemgetter("props"), part)]
            table.add([starts, ends, [table.type_cell] * len(part)], props)


def _script(result: Neo4jAdminExport) -> str:
    return (
        "#!/bin/sh\n"
        "# Load this export into a new, empty Neo4j 5 database with neo4j-admin (the DBMS may run; the\n"
        "# database must not exist). Usage: ./import.sh [DATABASE]   (default: neo4j)\n"
        "# Then, in Neo4j: CREATE DATABASE <DATABASE> (Enterprise), or restart a stopped Community server.\n"
        "# neo4j-admin comes from PATH, or from $NEO4J_HOME/bin when NEO4J_HOME is set.\n"
        "set -eu\n"
        'cd "$(dirname "$0")"\n'
        'DATABASE="${1:-neo4j}"\n'
        'ADMIN="neo4j-admin"\n'
        'if [ -n "${NEO4J_HOME:-}" ]; then ADMIN="$NEO4J_HOME/bin/neo4j-admin"; fi\n'
        + result.command(database='"$DATABASE"', admin='"$ADMIN"')
        + "\n"
    )


def _readme(result: Neo4jAdminExport) -> str:
    rows = [f"| `{name}` | node | {count} |" for name, count in result.nodes.items()]
    rows += [f"| `{name}` | relationship | {count} |" for name, count in result.relationships.items()]
    skipped = "".join(f"- not exported: {line}\n" for line in result.skipped)
    return (
        "# Neo4j bulk import (`neo4j-admin database import full`)\n\n"
        "Written by `personagraph export graph OUT --format neo4j-admin`. Run `./import.sh [DATABASE]`\n"
        "from anywhere (it changes to this folder), or this command from this folder:\n\n"
        f"```sh\n{result.command()}\n```\n\n"
        "| file | kind | rows |\n| --- | --- | --- |\n" + "\n".join(rows) + "\n\n"
        "Each label is its own ID space (`id:ID(Persona)` … `:START_ID(Persona)`). Strings are quoted with\n"
        'doubled quotes inside; an empty unquoted field is null and `""` an empty string; list elements\n'
        "are separated by U+001F. Empty lists come back as missing properties (CSV cannot tell them from\n"
        "null). `personagraph import` reads this folder back into a PersonaGraph store.\n"
        + (f"\n{skipped}" if skipped else "")
    )
