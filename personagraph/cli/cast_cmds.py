"""NPC casts and the graph viewer: ``personagraph cast``, ``personagraph export cast``, ``personagraph view``."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click

from personagraph.cli.context import App, pass_app
from personagraph.cli.output import emit, format_option
from personagraph.cli.store_cmds import export_group, parse_param
from personagraph.errors import ConfigError, MissingFileError

if TYPE_CHECKING:
    from personagraph.cast.build import CastSpec


class CommunityType(click.ParamType):
    """A community index (0 is the largest) or the word ``seed``."""

    name = "N|seed"

    def convert(self, value: Any, param: click.Parameter | None, ctx: click.Context | None) -> int | str:
        if isinstance(value, int) or value == "seed":
            return value  # type: ignore[no-any-return]
        try:
            number = int(value)
        except ValueError:
            self.fail(f"{value!r} is neither a community number nor 'seed'", param, ctx)
        if number < 0:
            self.fail("community numbers start at 0", param, ctx)
        return number


def _types(raw: str | None, app: App | None = None) -> list[str] | None:
    """``--relations`` as a list, checked against the vocabulary before the store is opened."""
    if not raw:
        return None
    types = [part.strip().upper() for part in raw.split(",") if part.strip()]
    if app is not None:
        for name in types:
            app.vocabulary.check(name)
    return types


def _query_text(query: str | None, query_file: Path | None) -> str | None:
    if query and query_file:
        raise ConfigError("give --query or --query-file, not both")
    if query_file:
        if not query_file.is_file():
            raise MissingFileError(f"{query_file}: no such file")
        return query_file.read_text(encoding="utf-8")
    return query


def cast_options(command: Callable[..., Any]) -> Callable[..., Any]:
    """The options that choose a cast, shared by ``cast`` and ``export cast``."""
    options = [
        click.option("--seed-persona", "seed", metavar="ID|TEXT",
                     help="Start from this persona: its id, or a phrase of its text (the best connected match wins)."),
        click.option("--hops", type=click.IntRange(1, 6), default=2, show_default=True,
                     help="How far from the seed the cast may reach (ego network)."),
        click.option("--relations", "relations", metavar="TYPES",
                     help="Only follow these relation types, e.g. COLLEAGUE,RIVAL (default: all)."),
        click.option("--community", type=CommunityType(),
                     help="Choose from a Louvain community of the relation graph: its number (0 is the largest) "
                          "or 'seed' for the seed persona's community."),
        click.option("--query", metavar="CYPHER",
                     help="Choose among the personas a read-only Cypher query returns (nodes, relationships or ids)."),
        click.option("--query-file", type=click.Path(path_type=Path), help="Read --query from a .cypher file."),
        click.option("-p", "--param", "params", multiple=True, metavar="NAME=VALUE", help="Parameter of --query (JSON value or string)."),
        click.option("--size", type=click.IntRange(1, 500), default=8, show_default=True,
                     help="At most this many NPCs; the cast grows in BFS order from the seed, most connected first."),
        click.option("--pin", "pins", multiple=True, metavar="ID|TEXT", help="Always include this persona (repeatable)."),
        click.option("--exclude", "excludes", multiple=True, metavar="ID|TEXT", help="Never include this persona (repeatable)."),
    ]
    for option in reversed(options):
        command = option(command)
    return command


def _spec(app: App, seed: str | None, hops: int, relations: str | None, community: int | str | None, query: str | None,
          query_file: Path | None, params: tuple[str, ...], size: int, pins: tuple[str, ...], excludes: tuple[str, ...]) -> CastSpec:
    from personagraph.cast.build import CastSpec

    return CastSpec(seed=seed, hops=hops, relations=_types(relations, app), community=community,
                    query=_query_text(query, query_file), query_params=dict(parse_param(p) for p in params),
                    size=size, pins=pins, excludes=excludes)


def _note(message: str) -> None:
    click.echo(f"note: {message}", err=True)


@click.command("cast")
@cast_options
@format_option()
@pass_app
def cast_cmd(app: App, fmt: str, **options: Any) -> None:
    """Choose a connected cast of related personas and print it.

    From a seed's ego network (--seed-persona, --hops), a community (--community) or a Cypher
    pattern (--query). The cast stays connected through the allowed --relations; if a pinned
    persona cannot be reached, the cast is printed with a warning saying so.

    Example: personagraph cast --seed-persona "lighthouse keeper" --relations PATIENT_OF,MENTOR_OF --size 6
    """
    from personagraph.cast.build import build_cast
    from personagraph.cast.npc import derived_role

    spec = _spec(app, **options)  # options checked before the store opens
    cast = build_cast(app.store(), spec, echo=_note)
    if fmt == "json":
        click.echo(json.dumps(cast.model_dump(), ensure_ascii=False, indent=2))
        return
    rows = [{"#": i, "id": m.id, "role": derived_role(m.text), "community": m.community, "text": m.text}
            for i, m in enumerate(cast.members, start=1)]
    emit(rows, fmt, title="cast")
    if fmt == "table":
        emit([r.model_dump() for r in cast.relations], fmt, title="relations")
        click.echo(f"{len(cast.members)} personas, {len(cast.relations)} relations, "
                   + ("connected" if cast.connected else "NOT CONNECTED (see the note above)"))


@click.command("cast")
@click.argument("out_dir", type=click.Path(path_type=Path))
@cast_options
@click.option("--llm/--no-llm", "use_llm", default=None,
              help="Flesh NPCs out with the LLM (default: when OPENAI_BASE_URL is set). Without, cards are "
                   "made from persona texts and relations alone.")
@click.option("--setting", metavar="TEXT", help="The game world, for the LLM (e.g. 'a fog-bound harbour town in 1920').")
@click.option("--title", default="PersonaGraph cast", show_default=True, help="Title of the HTML page.")
@pass_app
def export_cast_cmd(app: App, out_dir: Path, use_llm: bool | None, setting: str | None, title: str, **options: Any) -> None:
    """Export a cast as Character Cards V2/V3 (JSON and PNG), cast.json, GraphML, GEXF and an HTML view.

    Takes the same options as `personagraph cast`. Writes OUT_DIR/cards/*.v2.json, *.v3.json,
    *.v2.png (card in a `chara` chunk), *.v3.png (card in `ccv3`, V2 backfill in `chara`),
    OUT_DIR/cast.json, cast.graphml, cast.gexf and cast.html (open it in any browser, offline).
    """
    from personagraph.cast.build import build_cast
    from personagraph.export.cast import export_cast, make_npcs

    spec = _spec(app, **options)  # options checked before the store opens
    cast = build_cast(app.store(), spec, echo=_note)
    if use_llm and not app.settings.llm_configured:
        raise ConfigError("--llm needs an endpoint", hint="set OPENAI_BASE_URL (and OPENAI_API_KEY)")
    npcs = make_npcs(cast, app.settings, use_llm=use_llm, setting=setting, echo=_note)
    result = export_cast(cast, npcs, out_dir, title=title)
    how = "fleshed out by the LLM" if npcs and npcs[0].source == "llm" else "from persona texts and relations (no LLM)"
    click.echo(f"{len(npcs)} NPCs {how}, {len(cast.relations)} relations, "
               + ("connected" if cast.connected else "NOT CONNECTED"))
    for npc in npcs:
        click.echo(f"  {npc.name}: {npc.role}")
    click.echo(f"wrote {len(result.files)} files to {out_dir}: {result.cards} NPCs × 4 cards, cast.json, "
               f"cast.graphml, cast.gexf, cast.html")
    click.echo(str(out_dir / "cast.html"))


@click.command("view")
@click.argument("cypher", required=False)
@click.option("-f", "--file", "query_file", type=click.Path(path_type=Path), help="Read the query from a .cypher file.")
@click.option("-p", "--param", "params", multiple=True, metavar="NAME=VALUE", help="Query parameter (JSON value or string).")
@click.option("--persona", metavar="ID|TEXT", help="Show this persona's neighbourhood instead of a query's result.")
@click.option("--hops", type=click.IntRange(1, 6), default=2, show_default=True, help="Neighbourhood depth for --persona.")
@click.option("--batch", metavar="ID", help="Show the personas a sampled batch used, and the relations among them.")
@click.option("--relations", metavar="TYPES", help="Only these relation types, e.g. COLLEAGUE,RIVAL.")
@click.option("--limit", type=click.IntRange(1, 100000), default=1500, show_default=True, help="At most this many personas.")
@click.option("-o", "--out", type=click.Path(path_type=Path), default=Path("personagraph-view.html"), show_default=True,
              help="Where to write the HTML page.")
@click.option("--open", "open_browser", is_flag=True, help="Also open the page in a browser, if one is available.")
@pass_app
def view_cmd(app: App, cypher: str | None, query_file: Path | None, params: tuple[str, ...], persona: str | None, hops: int,
             batch: str | None, relations: str | None, limit: int, out: Path, open_browser: bool) -> None:
    """Write an interactive HTML view of a subgraph and print its path.

    The subgraph is a read-only query's result (personas and relationships it returns), a
    persona's neighbourhood (--persona, --hops) or a sampled batch (--batch). The page is one
    self-contained file: click a node to read it, filter relation types, drag and zoom.

    Example: personagraph view 'MATCH (a:Persona)-[r:RIVAL]-(b:Persona) RETURN a, r, b'
    """
    from personagraph.export.view import write_view

    query = _query_text(cypher, query_file)
    values = dict(parse_param(p) for p in params)
    types = _types(relations, app)
    path, data = write_view(app.store(), out, query=query, params=values, persona=persona, hops=hops, batch=batch,
                            relations=types, limit=limit)
    for note in data["notes"]:
        _note(note)
    click.echo(f"{len(data['nodes'])} personas, {len(data['edges'])} relations", err=True)
    click.echo(str(path))
    if open_browser:
        import webbrowser

        if not webbrowser.open(path.resolve().as_uri()):
            _note("no browser available here; open the file yourself")


def register(main: click.Group) -> None:
    """Add this area's commands to ``main`` (and ``cast`` to the ``export`` group)."""
    main.add_command(cast_cmd)
    main.add_command(view_cmd)
    export_group.add_command(export_cast_cmd)
