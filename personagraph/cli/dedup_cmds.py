"""CLI commands of the dedup area: ``embed`` and ``dedup`` (thin wrappers over the dedup and embeddings stages)."""

from __future__ import annotations

from pathlib import Path

import click

from personagraph.cli.context import App, pass_app
from personagraph.cli.options import EMBEDDER, engine_options
from personagraph.cli.output import echo, emit, output_option, render


@click.command("embed")
@click.option(
    "--embedder",
    type=EMBEDDER,
    default="minilm",
    show_default=True,
    help="minilm: all-MiniLM-L6-v2 (384-d, ~270 personas/s on 2 cores); "
    "static: a model2vec model distilled from it on this machine (256-d, much faster).",
)
@click.option(
    "--distill", is_flag=True, help="(Re)distil the static embedder from the local MiniLM, offline, and exit."
)
@click.option(
    "--batch-size", type=click.IntRange(1, 4096), default=64, show_default=True, help="Texts per model batch."
)
@engine_options
@output_option()
@pass_app
def embed_cmd(
    app: App,
    embedder: str,
    distill: bool,
    batch_size: int,
    engine: str,
    scheduler: str | None,
    work_dir: Path | None,
    fmt: str,
) -> None:
    """Compute and keep the embedding of every persona (each one once; reused by dedup and sampling).

    Embeddings are kept beside the graph (inside an embedded store's folder, or under the cache
    folder for a Bolt store), with the embedder that made them. Only personas without one are
    embedded, so running it again after adding personas is cheap.

    Example: personagraph embed --embedder static
    """
    from personagraph.cli.progress import progress_bar
    from personagraph.embeddings.embedders import distill_static, embeddings_dir

    if distill:
        folder = distill_static(app.settings, notice=lambda m: echo(m, err=True), force=True)
        if fmt != "table":
            render({"embedder": "static", "distilled": str(folder)}, fmt)
            return
        echo(f"static embedder distilled into {folder}")
        return
    store = app.store()
    total = store.count("Persona")
    if embedder == "static":
        distill_static(app.settings, notice=lambda m: echo(m, err=True))
    from personagraph.embeddings.embeddings import Embeddings
    from personagraph.embeddings.sharded import embed_graph

    embeddings = Embeddings.for_store(store, embedder, app.settings)
    with progress_bar(f"embedding ({embedder})", total=total, unit="personas") as advance:
        personas = embed_graph(store, embeddings, engine, scheduler, work_dir, progress=advance, batch_size=batch_size)
    report = {
        "embedder": embedder,
        "personas": personas,
        "dimensions": embeddings.dim if personas else 0,
        "folder": str(embeddings_dir(store, app.settings) / embedder),
        "engine": engine,
    }
    if fmt != "table":
        render(report, fmt)
        return
    echo(
        f"{report['personas']} personas have {embedder} embeddings ({report['dimensions']}-d), kept in {report['folder']}"
    )


@click.command("dedup")
@click.option("--dry-run", is_flag=True, help="List the duplicate groups; change nothing.")
@click.option(
    "--stage",
    type=click.Choice(["minhash", "embedding", "both"]),
    default="both",
    show_default=True,
    help="minhash: word 1-gram Jaccard (catches reworded copies of longer texts); "
    "embedding: cosine of embeddings (catches one-word edits of short texts too); both: one then the other.",
)
@click.option(
    "--jaccard",
    type=click.FloatRange(0.0, 1.0, min_open=True),
    default=0.9,
    show_default=True,
    help="MinHash stage: Jaccard similarity of word sets at or above which two personas are duplicates.",
)
@click.option(
    "--cosine",
    type=click.FloatRange(0.0, 1.0, min_open=True),
    default=0.9,
    show_default=True,
    help="Embedding stage: cosine similarity threshold (0.5 carves a very diverse subset; use --linkage leaders then).",
)
@click.option(
    "--embedder",
    type=EMBEDDER,
    default="minilm",
    show_default=True,
    help="Embedding model; static is much faster for large graphs (distilled from MiniLM on first use).",
)
@click.option(
    "--linkage",
    type=click.Choice(["components", "leaders"]),
    default="components",
    show_default=True,
    help="components: duplicates of duplicates join one group; leaders: each duplicate is within the "
    "threshold of the persona it merges into (no chains).",
)
@click.option(
    "--min-overlap",
    type=click.FloatRange(0.0, 1.0),
    default=0.3,
    show_default=True,
    help="Embedding stage: pairs must also share this much text (character 3-gram Jaccard); the English "
    "models rate distinct non-English or generic personas above 0.9. 0 turns the check off.",
)
@click.option("--limit", type=click.IntRange(0), default=50, show_default=True, help="Groups to list (0: all).")
@engine_options
@output_option()
@pass_app
def dedup_cmd(
    app: App,
    dry_run: bool,
    stage: str,
    jaccard: float,
    cosine: float,
    embedder: str,
    linkage: str,
    min_overlap: float,
    limit: int,
    engine: str,
    scheduler: str | None,
    work_dir: Path | None,
    fmt: str,
) -> None:
    """Find near-duplicate personas and merge each group into one persona.

    The persona that stays (lowest hop, then oldest, then smallest id) keeps the others' ids and
    texts as aliases and takes over all their edges: relations in and out, DERIVED_FROM,
    GENERATED_BY, USED_IN. Parallel edges of one type are folded into one with a `count`.
    A :DedupRun node records each run. Running it again changes nothing.

    Examples: personagraph dedup --dry-run;  personagraph dedup --embedder static
    """
    from personagraph.cli.progress import progress_bar
    from personagraph.dedup.run import DedupOptions, dedup_graph

    store = app.store()
    options = DedupOptions(
        stage=stage, jaccard=jaccard, cosine=cosine, embedder=embedder, linkage=linkage, min_overlap=min_overlap
    )
    embeddings = None
    if options.uses_embeddings:
        from personagraph.embeddings.embeddings import Embeddings

        # (the static embedder is distilled here on first use, with a notice)
        embeddings = Embeddings.for_store(store, embedder, app.settings, notice=lambda m: echo(m, err=True))
    with progress_bar(f"embedding ({embedder}) where missing", total=None, unit="personas") as advance:
        report = dedup_graph(
            store,
            embeddings,
            options,
            dry_run=dry_run,
            progress=advance,
            echo=lambda m: echo(m, err=True),
            engine=engine,
            scheduler=scheduler,
            work_dir=str(work_dir) if work_dir else None,
        )
    if fmt != "table":  # the run's figures, and the members of the groups listed
        figures = report.record() | {"dry_run": dry_run, "duplicates": report.duplicates}
        figures["seconds_by_step"] = {step: round(value, 2) for step, value in report.seconds.items()}
        render(figures | {"members": report.group_rows(limit or None)}, fmt)
        return
    if report.groups and dry_run:
        emit(report.group_rows(limit or None), fmt, title="duplicate groups (dry run: nothing changed)")
        if limit and len(report.groups) > limit:
            echo(f"… {len(report.groups) - limit} more groups (--limit 0 lists all)", err=True)
    emit(report.table(), "table", title="dedup" + (" (dry run)" if dry_run else ""))


def register(main: click.Group) -> None:
    """Add this area's commands to ``main``."""
    main.add_command(embed_cmd)
    main.add_command(dedup_cmd)
