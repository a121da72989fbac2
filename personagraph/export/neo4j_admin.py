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
beside the target and swapped in whole at the end (``folder``): an error or a kill leaves the
previous export as it was.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from personagraph.export.folder import replaced_folder
from personagraph.export.neo4j_csv import (
    ARRAY_DELIMITER_FLAG,
    INTEGER_ID_LABELS,
    Table,
    add_edges,
    add_nodes,
    edge_table,
    node_table,
)
from personagraph.runtime import checkpoint
from personagraph.store.graph import GraphStore
from personagraph.vocabulary import TYPE_PATTERN

# Node labels with a page query in cypher/export/ (label -> query name part).
NODE_QUERIES = {
    "Persona": "persona",
    "Text": "text",
    "Sample": "sample",
    "Batch": "batch",
    "DedupRun": "dedup_run",
    "Cluster": "cluster",
}
# Structural edges with a page query (start label, type, end label) -> query name part.
EDGE_QUERIES = {
    ("Persona", "DERIVED_FROM", "Text"): "derived_from",
    ("Persona", "USED_IN", "Batch"): "used_in",
    ("Sample", "GENERATED_BY", "Persona"): "generated_by",
}
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


# The ids query of each structural edge's source label: keyset pages on its unique id index.
SOURCE_IDS = {"Persona": "page_persona_ids", "Sample": "export/page_sample_ids"}


def structural_edges(store: GraphStore, kind: tuple[str, str, str], size: int) -> Iterator[dict[str, Any]]:
    """The edges of one structural kind (``EDGE_QUERIES``) as {src, dst, props}, grouped by source in id
    order: a keyset page of source ids, then the edges of those sources alone. Each page costs its own
    size, so the whole kind is O(N + E)."""
    for ids in store.id_pages(SOURCE_IDS[kind[0]], size):
        columns = store.range_columns(f"export/page_{EDGE_QUERIES[kind]}", ids, "src")
        if columns:
            yield from (
                {"src": s, "dst": d, "props": p or {}}
                for s, d, p in zip(columns["src"], columns["dst"], columns["props"], strict=True)
            )


def node_pages(store: GraphStore, name: str, after: Any, size: int) -> Iterator[dict[str, Any]]:
    """Rows {id, props} of a keyset-paged node query in ``cypher/export/``; each page's last ``id``
    pages on. Read as columns: the same values as rows, ~6x faster (a Java map converted in bulk,
    not entry by entry)."""
    while True:
        page = store.run_columns(f"export/{name}", after=after, limit=size)
        ids = [value.item() if hasattr(value, "item") else value for value in page.get("id") or []]
        if not ids:
            return
        checkpoint("read_page")  # a kill point of the crash harness (tests/e2e/test_kill_harness.py)
        yield from ({"id": node_id, "props": props} for node_id, props in zip(ids, page["props"], strict=True))
        if len(ids) < size:
            return
        after = ids[-1]


def _keys(keysets: Iterable[list[str]], skip: Iterable[str] = ()) -> list[str]:
    """The property keys of a file, sorted (the same graph gives the same columns)."""
    found = {key for keys in keysets for key in keys} - set(skip)
    return sorted(found)


def write_neo4j_admin(store: GraphStore, out_dir: str | Path, page_size: int = 10000) -> Neo4jAdminExport:
    """Write every node and edge of ``store`` as neo4j-admin CSV files, ``import.sh`` and ``IMPORT.md``."""
    out = Path(out_dir)
    result = Neo4jAdminExport(out=out)
    tables: list[Table] = []
    with replaced_folder(out) as work:
        try:
            _write_nodes(store, work, result, tables, page_size)
            _write_edges(store, work, result, tables, page_size)
            for table in tables:
                table.finish()
        finally:
            for table in tables:
                table.discard()
        (work / "import.sh").write_text(_script(result), encoding="utf-8")
        (work / "import.sh").chmod(0o755)
        (work / "IMPORT.md").write_text(_readme(result), encoding="utf-8")
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
        add_nodes(table, node_pages(store, f"page_{NODE_QUERIES[label]}", first, size))
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
    for kind in EDGE_QUERIES:
        if kind not in structural:
            continue
        table = _edge_table(work, result, tables, kind, structural[kind])
        add_edges({kind[1]: table}, ({**row, "type": kind[1]} for row in structural_edges(store, kind, size)))
        result.relationships[table.path.name] = table.rows


def _edge_table(
    work: Path, result: Neo4jAdminExport, tables: list[Table], kind: tuple[str, str, str], keysets: list[list[str]]
) -> Table:
    table = edge_table(work, kind, _keys(keysets))
    tables.append(table)
    result.arguments.append(f"--relationships={kind[1]}={table.path.name}")
    return table


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
