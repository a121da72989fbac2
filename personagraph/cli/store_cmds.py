"""Commands on the store itself: import, export, query, stats, serve, demo."""

from __future__ import annotations

import os
import secrets
import shlex
from pathlib import Path
from typing import Any

import click

from personagraph.cli.context import App, pass_app
from personagraph.cli.options import parse_param
from personagraph.cli.output import emit, output_option, render
from personagraph.errors import ConfigError, MissingFileError


def _sentence(summary: dict[str, Any]) -> str:
    if summary["kind"] == "cards":
        return (
            f"{summary['path']}: {summary['records']} character card, {summary['personas_new']} new personas, "
            f"{summary['relations']} relations to personas in the graph"
        )
    return (
        f"{summary['path']}: {summary['records']} {summary['kind']} records, {summary['personas_new']} new personas, "
        f"{summary['texts_new']} new texts, {summary['relations_new']} new relations"
        + (f" ({summary['relations']} matched)" if summary["relations"] != summary["relations_new"] else "")
        + (
            f", {summary['relations_unmatched']} relations without both personas"
            if summary["relations_unmatched"]
            else ""
        )
        + (f", {summary['skipped']} lines skipped" if summary["skipped"] else "")
        + f" in {summary['seconds']:.1f} s"
    )


def _neo4j_admin_folder(path: Path) -> bool:
    """A folder written by ``export graph --format neo4j-admin`` (it holds its import command)."""
    return path.is_dir() and (path / "import.sh").is_file()


@click.command("import")
@click.argument("files", nargs=-1, required=True, type=click.Path(path_type=Path))
@click.option(
    "--kind",
    type=click.Choice(["auto", "personas", "texts", "relations", "cards"]),
    default="auto",
    show_default=True,
    help="What the records are; auto looks at the keys (persona / input persona / text / src,dst,type), "
    "and takes .png files and .json files with a card `spec` as Character Cards V2/V3.",
)
@click.option("--skip-bad", is_flag=True, help="Skip malformed lines and report them, instead of stopping.")
@click.option(
    "--batch-size",
    type=click.IntRange(1, 1_000_000),
    default=None,
    help="Records read and checked before a write [default: 50000 embedded, 10000 over Bolt].",
)
@output_option()
@pass_app
def import_cmd(app: App, files: tuple[Path, ...], kind: str, skip_bad: bool, batch_size: int | None, fmt: str) -> None:
    """Import personas, texts, relations or Character Cards from JSONL, CSV, Parquet, JSON or PNG files.

    Reads Persona Hub files (`persona`, or `input persona`), FinePersonas (`id`, `persona`,
    `labels`), texts (`text`, `source`), relations (`src`, `dst`, `type`, properties; ends are
    persona ids or persona texts), Character Cards V2/V3 (PNG or JSON) such as `export cast`
    writes, and folders written by `export graph --format neo4j-admin` (every node and edge,
    properties as they were). Ids are content hashes, so importing a file twice adds nothing. A
    malformed line stops the import with file:line, the batches before it written and nothing of
    its own batch, unless --skip-bad. Other formats than table print one report per file.

    Example: personagraph import personas.jsonl relations.csv
    """
    from personagraph.cli.progress import progress_bar
    from personagraph.ingest.importer import check_file, import_file

    for path in files:  # every file is checked before the first one is read
        if _neo4j_admin_folder(path):
            continue
        check_file(path)
    store = app.store()
    summaries = []
    for path in files:
        if _neo4j_admin_folder(path):
            from personagraph.export.neo4j_admin_read import read_neo4j_admin

            read = read_neo4j_admin(store, path)
            summaries.append(
                {"path": str(path), "kind": "neo4j-admin", "nodes": read.nodes, "relationships": read.relationships}
            )
            if fmt == "table":
                click.echo(
                    f"{path}: {sum(read.nodes.values())} nodes ({', '.join(f'{k} {v}' for k, v in read.nodes.items())}), "
                    f"{sum(read.relationships.values())} relationships read from a neo4j-admin export"
                )
            elif fmt == "jsonl":
                render(summaries[-1], fmt)
            continue
        with progress_bar(f"importing {path.name}", total=None) as advance:
            report = import_file(store, path, kind=kind, skip_bad=skip_bad, batch_size=batch_size, progress=advance)  # type: ignore[arg-type]
        summaries.append(report.as_dict())
        if fmt == "table":
            click.echo(_sentence(summaries[-1]))
        elif fmt == "jsonl":  # one line per file as soon as it is done
            render(summaries[-1], fmt)
        for line, reason in report.skipped[:20]:
            click.echo(f"  skipped {path}:{line}: {reason}", err=True)
        if len(report.skipped) > 20:
            click.echo(f"  … and {len(report.skipped) - 20} more skipped lines", err=True)
    if fmt in ("json", "csv"):
        render(summaries, fmt)


@click.command("query")
@click.argument("cypher", required=False)
@click.option("-f", "--file", "query_file", type=click.Path(path_type=Path), help="Read the query from a .cypher file.")
@click.option(
    "-p",
    "--param",
    "params",
    multiple=True,
    metavar="NAME=VALUE",
    help='Query parameter; the value is parsed as JSON if it can be (42, 0.5, [1,2], {"a":1}), else taken as a string.',
)
@click.option(
    "--write",
    is_flag=True,
    help="Allow the query to write. Without it, a writing query is refused and nothing changes.",
)
@output_option()
@pass_app
def query_cmd(
    app: App, cypher: str | None, query_file: Path | None, params: tuple[str, ...], write: bool, fmt: str
) -> None:
    """Run a Cypher query (inline or from a file) and print the rows.

    Values go in as parameters: personagraph query 'MATCH (p:Persona) WHERE p.hop = $h RETURN p.text' -p h=1
    """
    if bool(cypher) == bool(query_file):
        raise ConfigError("give a query inline or with --file, not both or neither")
    name = None
    if query_file:
        if not query_file.is_file():
            raise MissingFileError(f"{query_file}: no such file")
        cypher = query_file.read_text(encoding="utf-8")
        name = str(query_file)
    values = dict(parse_param(p) for p in params)
    rows = app.store().cypher(cypher or "", values, write=write, name=name)
    emit(rows, fmt)


@click.command("stats")
@output_option()
@pass_app
def stats_cmd(app: App, fmt: str) -> None:
    """Counts by label, relation type, hop, origin and cluster, and the degree distribution."""
    stats = app.store().stats()
    if fmt != "table":
        render(stats, fmt)
        return
    for section, values in stats.items():
        rows = [
            {section.rstrip("s") if section != "degree" else "degree": key, "count": value}
            for key, value in values.items()
        ]
        if rows:
            emit(rows, "table", title=section)


@click.command("serve")
@click.option("--port", type=click.IntRange(1, 65535), default=7687, show_default=True, help="Bolt port on 127.0.0.1.")
@click.option(
    "--http-port",
    type=click.IntRange(1, 65535),
    default=2480,
    show_default=True,
    help="ArcadeDB HTTP/studio port on 127.0.0.1.",
)
@pass_app
def serve_cmd(app: App, port: int, http_port: int) -> None:
    """Serve the embedded store over Bolt on 127.0.0.1 until Ctrl-C.

    Neo4j drivers and other processes connect as user `root` with PERSONAGRAPH_PASSWORD (at
    least 8 characters); if it is not set, a random one is made for this run and printed once.
    Each start uses the password it is given: an earlier run's password stops working. The
    command printed at start connects another personagraph process (--store bolt://127.0.0.1:PORT).
    """
    from personagraph.config import DEFAULT_DATABASE
    from personagraph.store import is_bolt_url
    from personagraph.store.server import serve

    folder = app.settings.store
    if is_bolt_url(folder):
        raise ConfigError("serve needs an embedded store folder, not a Bolt URL")
    password = app.settings.password.reveal()
    generated = not password
    if generated:
        password = secrets.token_urlsafe(12)
    database = app.settings.database

    def ready(url: str) -> None:
        # The password goes into the printed command only when it was made here; one from the
        # environment is referred to by its variable, never printed.
        if generated:
            secret = shlex.quote(password)
        else:
            source = "PERSONAGRAPH_PASSWORD" if os.environ.get("PERSONAGRAPH_PASSWORD") else "NEO4J_PASSWORD"
            secret = f'"${source}"'
        env = f"PERSONAGRAPH_USER=root PERSONAGRAPH_PASSWORD={secret}"
        if database != DEFAULT_DATABASE:
            env += f" PERSONAGRAPH_DATABASE={shlex.quote(database)}"
        click.echo(f"serving {os.path.abspath(folder)} at {url} (database {database}, user root)", err=True)
        if generated:
            click.echo(f"password for this run (random, not stored anywhere): {password}", err=True)
        click.echo(f"connect with: {env} personagraph --store {url} stats", err=True)
        click.echo("ready", err=True)

    serve(folder, password, database, port, http_port, on_ready=ready)


@click.command("demo")
@click.option(
    "--out",
    "out_dir",
    type=click.Path(path_type=Path),
    default=Path("personagraph-demo"),
    show_default=True,
    help="Folder for the demo's store and files (re-created on each run).",
)
@pass_app
def demo_cmd(app: App, out_dir: Path) -> None:
    """Build the example world in an embedded store and walk through what PersonaGraph does.

    Stages that need a language model run when OPENAI_BASE_URL is set, and are skipped otherwise.
    """
    from personagraph.demo import run_demo

    run_demo(out_dir, app.settings, echo=click.echo)


def register(main: click.Group) -> None:
    for command in (import_cmd, query_cmd, stats_cmd, serve_cmd, demo_cmd):
        main.add_command(command)
