"""`personagraph query`: one Cypher statement, or a file of several, read-only unless --write."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

import click

from personagraph.cli.context import App, pass_app
from personagraph.cli.options import parse_param
from personagraph.cli.output import emit, output_option, render, stream
from personagraph.errors import ConfigError, MissingFileError, QueryError
from personagraph.store.statements import Statement, split_statements


def warn_neo4j5(statement: Statement, name: str) -> None:
    """One stderr line per construct Neo4j 5 rejects (the query still runs)."""
    from personagraph.store.neo4j_lint import neo4j5_warnings

    for found in neo4j5_warnings(statement.text):
        line, column = statement.in_file(found.line, found.column)
        click.echo(f"warning: {name}:{line}:{column}: {found.message}", err=True)


def param_values(params: tuple[str, ...]) -> dict[str, Any]:
    return dict(parse_param(p) for p in params)


@click.command("query")
@click.argument("cypher", required=False)
@click.option(
    "-f",
    "--file",
    "query_file",
    type=click.Path(path_type=Path),
    help="Read the statements from a .cypher file; several statements end each with `;` and run in order.",
)
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
    """Run Cypher (inline or from a file) and print the rows.

    Values go in as parameters: personagraph query 'MATCH (p:Persona) WHERE p.hop = $h RETURN p.text' -p h=1

    A file may hold several statements, each ended by `;` (a `;` in a string or comment does not
    count): all are checked before the first runs, they run in order, and an error names the
    file's own line. EXPLAIN or PROFILE before a statement prints its plan. Constructs that run
    here but that Neo4j 5 rejects (exists(p.x), size((p)--())) get a warning with the Neo4j 5 form.
    """
    from personagraph.store.user_script import check_script, run_script

    if bool(cypher) == bool(query_file):
        raise ConfigError("give a query inline or with --file, not both or neither")
    if query_file:
        if not query_file.is_file():
            raise MissingFileError(f"{query_file}: no such file")
        script, name = query_file.read_text(encoding="utf-8"), str(query_file)
    else:
        script, name = cypher or "", "query"
    values = param_values(params)
    # One inline statement is checked where it runs, its errors quoting it; a file or several
    # statements are all checked here first, errors naming the statement's line.
    inline_one = not query_file and len(check_script(script, name, write=True)) == 1
    statements = check_script(script, name, write=write or inline_one)
    for statement in statements:
        warn_neo4j5(statement, name)
    store = app.store()
    if len(statements) == 1:  # one statement streams its rows (constant memory for json, jsonl and csv)
        if query_file:
            only = statements[0]
            try:
                stream(store.cypher_stream(only.text, values, write=write, name=f"{name}:{only.line}"), fmt)
            except QueryError as exc:
                error = QueryError(exc.query, only.file_position(exc.reason))
                error.hint = exc.hint
                raise error from exc
        else:  # an inline statement: its errors quote it, as always
            stream(store.cypher_stream(script, values, write=write), fmt)
        return
    results = []
    for statement, rows in run_script(store, script, values, write=write, name=name):
        label = f"{name}:{statement.line}"
        if fmt == "table":
            click.echo(f"// {label}")
            emit(rows, "table")
        elif fmt == "json":
            results.append({"statement": label, "rows": rows})
        else:  # jsonl and csv: one stream of rows, each naming its statement
            render([{"_statement": label, **row} for row in rows] or [{"_statement": label}], fmt)
    if fmt == "json":
        render(results, "json")


@click.command("shell")
@click.option("--write", is_flag=True, help="Allow statements to write. Without it, a writing statement is refused.")
@pass_app
def shell_cmd(app: App, write: bool) -> None:
    """An interactive Cypher shell on the store: one store connection (one JVM) for the session.

    Statements end with `;` and may span lines; rows print as tables. `:param name => value` and
    `:params {json}` set parameters, `:help` lists the commands, `:exit` leaves. History is kept
    in the cache folder. Read-only unless --write. From a pipe it runs every statement and exits
    with the last error's code (0 if none):

      printf 'MATCH (p:Persona) RETURN count(p);\n' | personagraph shell
    """
    from personagraph.cli.shell import Shell, read_lines

    def warn(text: str, name: str) -> None:
        for statement in split_statements(text):
            warn_neo4j5(statement, name)

    cache = (
        Path(app.settings.cache_dir).expanduser() if app.settings.cache_dir else Path.home() / ".cache" / "personagraph"
    )
    history = cache / "shell_history"
    if sys.stdin.isatty():
        click.echo("personagraph shell: statements end with ';', :help for commands, :exit to leave", err=True)
    code = Shell(app.store, write, warn).run(read_lines(history))
    if code:
        sys.exit(code)


def register(main: click.Group) -> None:
    for command in (query_cmd, shell_cmd):
        main.add_command(command)
