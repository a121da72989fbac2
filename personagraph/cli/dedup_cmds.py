"""CLI commands of the dedup area: ``embed`` and ``dedup`` (thin wrappers over the pipeline)."""

from __future__ import annotations

import click

from personagraph.cli.context import App, pass_app

EMBEDDER_CHOICE = click.Choice(["minilm", "static"])


@click.command("embed")
@click.option("--embedder", type=EMBEDDER_CHOICE, default="minilm", show_default=True,
              help="minilm: all-MiniLM-L6-v2 (384-d, ~270 personas/s on 2 cores); "
                   "static: a model2vec model distilled from it on this machine (256-d, much faster).")
@click.option("--distill", is_flag=True, help="(Re)distil the static embedder from the local MiniLM, offline, and exit.")
@click.option("--batch-size", type=click.IntRange(1, 4096), default=64, show_default=True, help="Texts per model batch.")
@pass_app
def embed_cmd(app: App, embedder: str, distill: bool, batch_size: int) -> None:
    """Compute and keep the embedding of every persona (each one once; reused by dedup and sampling).

    Embeddings are kept beside the graph (inside an embedded store's folder, or under the cache
    folder for a Bolt store), with the embedder that made them. Only personas without one are
    embedded, so running it again after adding personas is cheap.

    Example: personagraph embed --embedder static
    """
    from personagraph.cli.progress import progress_bar
    from personagraph.pipeline.embed import distill_static, embeddings_dir, persona_embeddings

    if distill:
        folder = distill_static(app.settings, notice=lambda m: click.echo(m, err=True), force=True)
        click.echo(f"static embedder distilled into {folder}")
        return
    store = app.store()
    total = store.count("Persona")
    if embedder == "static":
        distill_static(app.settings, notice=lambda m: click.echo(m, err=True))
    with progress_bar(f"embedding ({embedder})", total=total, unit="personas") as advance:
        ids, vectors = persona_embeddings(store, app.settings, embedder, progress=advance, batch_size=batch_size)
    click.echo(f"{len(ids)} personas have {embedder} embeddings ({vectors.shape[1] if len(ids) else 0}-d), "
               f"kept in {embeddings_dir(store, app.settings) / embedder}")


def register(main: click.Group) -> None:
    """Add this area's commands to ``main``."""
    main.add_command(embed_cmd)
