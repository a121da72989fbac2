"""`personagraph explore`: list and run the named read-only queries in cypher/explore/."""

from __future__ import annotations

import click

from personagraph.cli.context import App, pass_app
from personagraph.cli.options import param_option, parse_param
from personagraph.cli.output import emit, output_option


@click.command("explore")
@click.argument("name", required=False)
@param_option('Query parameter; the value is parsed as JSON if it can be (5, "1971", [1,2]), else taken as a string.')
@output_option()
@pass_app
def explore_cmd(app: App, name: str | None, params: tuple[str, ...], fmt: str) -> None:
    """List the explore queries, or run one read-only.

    Without NAME: each query with its parameters (name=default for optional ones) and what it
    shows. With NAME: run it and print the rows, e.g.

      personagraph explore search -p q=welder

      personagraph explore neighbourhood -p id=p_8fa45bf9a3d55359 --format json

      personagraph explore similar -p q="someone who mends fishing nets"

    `similar` embeds every persona once (kept beside the store) and ranks them by cosine
    similarity, on either store. `reach` counts a persona's degree and two-hop reach over
    persona-to-persona relations only (not through batches, samples or texts).
    """
    from personagraph import explore

    if name is None:
        rows = [{"name": q.name, "params": q.signature(), "description": q.description} for q in explore.catalogue()]
        emit(rows, fmt, title="explore queries" if fmt == "table" else None)
        return
    values = dict(parse_param(p) for p in params)
    explore.bind(explore.get(name), values)  # a bad name or parameter fails before the store opens
    emit(explore.run(app.store(), name, values, app.settings), fmt)


def register(main: click.Group) -> None:
    """Add `explore` to the main group."""
    main.add_command(explore_cmd)
