"""``personagraph export``: the graph, generated samples, and NPC casts, written to files."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import click

from personagraph.cli.context import App, CommandGroup, pass_app
from personagraph.cli.options import TASK_NAMES, cast_options, cast_spec, llm_options
from personagraph.cli.output import echo, note
from personagraph.errors import ConfigError


@click.group("export", cls=CommandGroup)
def export_group() -> None:
    """Write personas, relations, samples or NPC casts to files."""


@export_group.command("graph")
@click.argument("out_dir", type=click.Path(path_type=Path))
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["jsonl", "parquet", "graphml", "neo4j-admin"]),
    default="jsonl",
    show_default=True,
)
@pass_app
def export_graph_cmd(app: App, out_dir: Path, fmt: str) -> None:
    """Write every node and edge, with every property, into the folder OUT_DIR.

    JSONL or Parquet: one file a kind (personas, relations, texts, samples, batches, clusters,
    dedup_runs, derived_from, used_in, generated_by) and export.json; GraphML: graph.graphml and
    export.json. `personagraph import OUT_DIR` reads it back. OUT_DIR is replaced whole at the
    end (a failed or killed export leaves the previous one); a folder of other files is refused.

    neo4j-admin: every node and edge (texts, samples, batches too) as `neo4j-admin database import
    full` CSV files, with import.sh and IMPORT.md; the import command is printed.
    """
    if fmt == "neo4j-admin":
        from personagraph.export.neo4j_admin import write_neo4j_admin

        written = write_neo4j_admin(app.store(), out_dir)
        nodes, edges = sum(written.nodes.values()), sum(written.relationships.values())
        echo(f"wrote {nodes} nodes and {edges} relationships in {len(written.files) - 2} files to {out_dir}")
        for line in written.skipped:
            note(f"not exported: {line}")
        echo(f"import with {out_dir / 'import.sh'} [DATABASE], or from {out_dir}:")
        echo(written.command())
        return
    from personagraph.export.graph_files import export_graph

    result = export_graph(app.store(), out_dir, fmt, note=note)
    others = ", ".join(f"{n} {stem}" for stem, n in result["counts"].items() if stem not in ("personas", "relations"))
    echo(
        f"wrote {result['personas']} personas and {result['relations']} relations"
        + (f" ({others})" if others else "")
        + f": {', '.join(result['files'])}"
    )


@export_group.command("samples")
@click.argument("out", type=click.Path(path_type=Path))
@click.option(
    "--format", "fmt", type=click.Choice(["jsonl", "parquet"]), help="Default: from OUT's extension (folder: parquet)."
)
@click.option("--batch", help="Only the samples of this batch.")
@click.option("--task", type=click.Choice(TASK_NAMES), help="Only this task.")
@click.option(
    "--where",
    metavar="EXPR",
    help='Only samples with these judge scores or flags, e.g. "quality >= 4" (fields: quality, verified).',
)
@click.option(
    "--include-flagged",
    is_flag=True,
    help="Write flagged samples (math answers the solvers did not confirm) with the clean ones, not apart.",
)
@pass_app
def export_samples_cmd(
    app: App, out: Path, fmt: str | None, batch: str | None, task: str | None, where: str | None, include_flagged: bool
) -> None:
    """Write generated samples with persona text(s) and lineage ids (Hugging Face `datasets` loads it).

    OUT is a .jsonl or .parquet file (flagged samples go to NAME.flagged.EXT), or a folder: then
    a dataset folder with data/train.EXT, flagged/train.EXT and a dataset card README.md (fields,
    counts per task and mode, lineage, models, prompt versions; `license:` left for you to fill),
    which `datasets.load_dataset(FOLDER)` loads.

    Columns: id, task, mode, text, data (the structured output, JSON), persona, persona_ids,
    persona_texts, batch, model, prompt, prompt_version, relation, options, created_at, verified,
    verify_reason, quality, judge_prompt.
    """
    from personagraph.export.samples import parse_sample_where, write_samples

    parse_sample_where(where)  # checked before the store opens
    result = write_samples(app.store(), out, fmt, batch, task, where=where, include_flagged=include_flagged)
    echo(f"wrote {result.written} samples to {result.path}")
    if result.flagged_path:
        echo(f"wrote {result.flagged} flagged samples apart to {result.flagged_path} (--include-flagged: together)")
    if result.card:
        echo(f"dataset card: {result.card} (fill in its license)")


@export_group.command("cast")
@click.argument("out_dir", type=click.Path(path_type=Path))
@cast_options
@click.option(
    "--llm/--no-llm",
    "use_llm",
    default=None,
    help="Flesh NPCs out with the LLM (default: when OPENAI_BASE_URL is set). Without, cards are "
    "made from persona texts and relations alone.",
)
@click.option(
    "--setting", metavar="TEXT", help="The game world, for the LLM (e.g. 'a fog-bound harbour town in 1920')."
)
@click.option("--title", default="PersonaGraph cast", show_default=True, help="Title of the HTML page.")
@llm_options(temperature=0.8, json_flag=False)
@pass_app
def export_cast_cmd(
    app: App, out_dir: Path, use_llm: bool | None, setting: str | None, title: str, llm: Any, **options: Any
) -> None:
    """Export a cast as Character Cards V2/V3 (JSON and PNG), cast.json, GraphML, GEXF and an HTML view.

    Takes the same options as `personagraph cast`. Writes OUT_DIR/cards/*.v2.json, *.v3.json,
    *.v2.png (card in a `chara` chunk), *.v3.png (card in `ccv3`, V2 backfill in `chara`), *.charx,
    OUT_DIR/cast.json, cast.graphml, cast.gexf, cast.html (open it in any browser, offline) and
    OUT_DIR/sillytavern/ (world-info.json for the whole cast, group.json, group-chat.jsonl).
    With --llm, the LLM options (--model ... --dry-run) apply to the flesh-out.
    """
    from personagraph.cast.build import build_cast
    from personagraph.cli.llm_run import llm_client, print_dry_run, print_end
    from personagraph.export.cast import export_cast, make_npcs

    spec = cast_spec(app, **options)  # options checked before the store opens
    if use_llm and not app.settings.llm_configured:
        raise ConfigError("--llm needs an endpoint", hint="set OPENAI_BASE_URL (and OPENAI_API_KEY)")
    if use_llm is None:
        use_llm = app.settings.llm_configured
    client = llm_client(app, llm) if use_llm and not llm.dry_run else None
    cast = build_cast(app.store(), spec, echo=note)
    if use_llm and llm.dry_run:
        from personagraph.cast.flesh import DEFAULT_SETTING, flesh_dry_run

        print_dry_run(flesh_dry_run(cast, setting=setting or DEFAULT_SETTING))
        return
    npcs = make_npcs(cast, client, setting=setting, echo=note, temperature=llm.temperature)
    result = export_cast(cast, npcs, out_dir, title=title)
    how = "fleshed out by the LLM" if npcs and npcs[0].source == "llm" else "from persona texts and relations (no LLM)"
    echo(
        f"{len(npcs)} NPCs {how}, {len(cast.relations)} relations, "
        + ("connected" if cast.connected else "NOT CONNECTED")
    )
    for npc in npcs:
        echo(f"  {npc.name}: {npc.role}")
    echo(
        f"wrote {len(result.files)} files to {out_dir}: {result.cards} NPCs × 5 cards, cast.json, "
        f"cast.graphml, cast.gexf, cast.html, sillytavern/ (world info, group, group chat)"
    )
    echo(str(out_dir / "cast.html"))
    if client is not None:
        from personagraph.llm.lifecycle import end_report

        print_end(end_report(client))


def register(main: click.Group) -> None:
    """Add the ``export`` group to ``main``."""
    main.add_command(export_group)
