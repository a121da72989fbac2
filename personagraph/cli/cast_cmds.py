"""NPC casts and the graph viewer: ``personagraph cast``, ``personagraph export cast``, ``personagraph view``."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import click

from personagraph.cli.context import App, pass_app
from personagraph.cli.options import (
    cast_options,
    cast_spec,
    follow_option,
    hops_option,
    param_option,
    parse_param,
    query_file_option,
    query_text,
    relation_types,
)
from personagraph.cli.output import echo, note, output_option, render


@click.command("cast")
@cast_options
@output_option()
@pass_app
def cast_cmd(app: App, fmt: str, **options: Any) -> None:
    """Choose a connected cast of related personas and print it.

    From a seed's ego network (--seed-persona, --hops), a community (--community) or a Cypher
    pattern (--query). The cast stays connected through the relation types it may --follow; if a
    pinned persona cannot be reached, the cast is printed with a warning saying so. JSON is the
    whole cast (members, relations, connected); JSON lines and CSV are its members, one a row.

    Example: personagraph cast --seed-persona "lighthouse keeper" --follow PATIENT_OF,MENTOR_OF --size 6
    """
    from personagraph.cast.build import build_cast
    from personagraph.cast.npc import derived_role

    spec = cast_spec(app, **options)  # options checked before the store opens
    cast = build_cast(app.store(), spec, echo=note)
    if fmt == "json":
        render(cast.model_dump(), fmt)
        return
    rows = [
        {"#": i, "id": m.id, "role": derived_role(m.text), "community": m.community, "text": m.text}
        for i, m in enumerate(cast.members, start=1)
    ]
    render(rows, fmt, title="cast")
    if fmt == "table":
        render([r.model_dump() for r in cast.relations], fmt, title="relations")
        echo(
            f"{len(cast.members)} personas, {len(cast.relations)} relations, "
            + ("connected" if cast.connected else "NOT CONNECTED (see the note above)")
        )


@click.command("view")
@click.argument("cypher", required=False)
@query_file_option()
@param_option("Query parameter (JSON value or string).")
@click.option("--persona", metavar="ID|TEXT", help="Show this persona's neighbourhood instead of a query's result.")
@hops_option("Neighbourhood depth for --persona.")
@click.option("--batch", metavar="ID", help="Show the personas a sampled batch used, and the relations among them.")
@follow_option("Only relations of these types, e.g. COLLEAGUE,RIVAL (default: all).")
@click.option(
    "--limit", type=click.IntRange(1, 100000), default=1500, show_default=True, help="At most this many personas."
)
@click.option(
    "-o",
    "--out",
    type=click.Path(path_type=Path),
    default=Path("personagraph-view.html"),
    show_default=True,
    help="Where to write the HTML page.",
)
@click.option("--open", "open_browser", is_flag=True, help="Also open the page in a browser, if one is available.")
@pass_app
def view_cmd(
    app: App,
    cypher: str | None,
    query_file: Path | None,
    params: tuple[str, ...],
    persona: str | None,
    hops: int,
    batch: str | None,
    follow: str | None,
    limit: int,
    out: Path,
    open_browser: bool,
) -> None:
    """Write an interactive HTML view of a subgraph and print its path.

    The subgraph is a read-only query's result (personas and relationships it returns), a
    persona's neighbourhood (--persona, --hops) or a sampled batch (--batch). The page is one
    self-contained file: click a node to read it, filter relation types, drag and zoom.

    Example: personagraph view 'MATCH (a:Persona)-[r:RIVAL]-(b:Persona) RETURN a, r, b'
    """
    from personagraph.export.view import write_view

    query = query_text(cypher, query_file)
    values = dict(parse_param(p) for p in params)
    types = relation_types(follow, app)
    path, data = write_view(
        app.store(),
        out,
        query=query,
        params=values,
        persona=persona,
        hops=hops,
        batch=batch,
        relations=types,
        limit=limit,
    )
    for line in data["notes"]:
        note(line)
    echo(f"{len(data['nodes'])} personas, {len(data['edges'])} relations", err=True)
    echo(str(path))
    if open_browser:
        import webbrowser

        if not webbrowser.open(path.resolve().as_uri()):
            note("no browser available here; open the file yourself")


def register(main: click.Group) -> None:
    """Add this area's commands to ``main``."""
    main.add_command(cast_cmd)
    main.add_command(view_cmd)
