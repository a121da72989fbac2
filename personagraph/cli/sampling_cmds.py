"""CLI commands of the sampling area: cluster, sample, batches, report (synthesis: synth_cmds)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import click

from personagraph.cli.context import App, pass_app
from personagraph.cli.options import ALLOCATION, EMBEDDER, STRATEGY, carver_options, engine_options, make_carver
from personagraph.cli.output import echo, emit, output_option, print_coverage, render


@click.command("cluster")
@click.option(
    "--clusters",
    "k",
    type=click.IntRange(1, 100_000),
    help="Number of k-means clusters (default: about sqrt(personas / 5), 2 to 256).",
)
@click.option(
    "--embedder",
    type=EMBEDDER,
    default="minilm",
    show_default=True,
    help="Embeddings to cluster (computed where missing).",
)
@click.option("--seed", type=int, default=0, show_default=True, help="Seed of k-means and Louvain.")
@click.option(
    "--method",
    type=click.Choice(["faiss", "sklearn"]),
    default="faiss",
    show_default=True,
    help="k-means implementation (faiss is several times faster at scale).",
)
@engine_options
@output_option()
@pass_app
def cluster_cmd(
    app: App,
    k: int | None,
    embedder: str,
    seed: int,
    method: str,
    engine: str,
    scheduler: str | None,
    work_dir: Path | None,
    fmt: str,
) -> None:
    """Compute the strata: k-means clusters of the embeddings and Louvain communities of the relations.

    Stores `cluster` and `community` on every persona and one :Cluster node per cluster with a
    readable label (its most distinctive words). Personas without relations get community -1.

    Example: personagraph cluster --clusters 32 --seed 1
    """
    from personagraph.cli.progress import progress_bar
    from personagraph.embeddings.embeddings import Embeddings
    from personagraph.sampling.strata import compute_strata

    store = app.store()
    embeddings = Embeddings.for_store(store, embedder, app.settings)
    with progress_bar(f"embedding ({embedder})", total=store.count("Persona"), unit="personas") as advance:
        report = compute_strata(
            store,
            embeddings,
            clusters=k,
            seed=seed,
            method=method,
            progress=advance,
            engine=engine,
            scheduler=scheduler,
            work_dir=str(work_dir) if work_dir else None,
        )
    if report.requested is not None:
        click.echo(
            f"note: --clusters {report.requested:,} is more than the {report.personas:,} personas; "
            f"made at most {report.personas:,} clusters",
            err=True,
        )
    if fmt != "table":
        extra: dict[str, Any] = {}
        if report.seconds:
            extra["seconds_by_step"] = {step: round(value, 2) for step, value in report.seconds.items()}
        if report.written is not None:
            extra["personas_written"] = report.written
        render(report.as_dict() | extra, fmt)
        return
    emit(
        report.clusters,
        "table",
        title=f"{report.k} clusters of {report.personas} personas ({report.embedder}, seed {seed})",
    )
    echo(
        f"{report.communities} communities on the relation graph; {report.unrelated} personas without relations (community -1)"
    )
    if report.written is not None and report.written < report.personas:
        echo(f"{report.written:,} personas got a new cluster or community; the others kept theirs")


@click.command("sample")
@click.option(
    "--size",
    "-n",
    type=click.IntRange(1),
    default=100,
    show_default=True,
    help="Personas in the batch (pairs with --relation).",
)
@click.option(
    "--strategy",
    type=STRATEGY,
    default="kcenter",
    show_default=True,
    help="random (baseline), stratified (quota per cluster), kcenter (farthest-point within quotas), graph (communities × hops).",
)
@click.option(
    "--allocation", type=ALLOCATION, default="sqrt", show_default=True, help="How quotas follow cluster sizes."
)
@click.option(
    "--relation", metavar="TYPE", help="Pick pairs of personas joined by this relation type (graph strategy)."
)
@click.option("--task", default="sample", show_default=True, help="What the batch is for (recorded in the ledger).")
@click.option("--seed", type=int, default=0, show_default=True)
@click.option(
    "--embedder",
    type=EMBEDDER,
    default="minilm",
    show_default=True,
    help="Embeddings for kcenter and the covering radius.",
)
@click.option(
    "--target",
    "target_file",
    type=click.Path(dir_okay=False, path_type=Path),
    help="CSV or JSON of target shares over attributes (joint cells, e.g. country,age_band,gender,share; or "
    "marginals: attribute,value,share): the batch's mix matches it (exact cell quotas, raked from marginals).",
)
@click.option("--dry-run", is_flag=True, help="Show the batch and its coverage without recording it.")
@click.option(
    "--show", type=click.IntRange(0), default=10, show_default=True, help="How many chosen personas to print."
)
@click.option(
    "--ledger-chunk",
    type=click.IntRange(1),
    default=10_000,
    show_default=True,
    help="Personas recorded in the ledger per transaction (a larger batch is recorded in chunks, "
    "and undone if it stops part way). Lower it when the store's heap is small.",
)
@carver_options
@output_option()
@pass_app
def sample_cmd(
    app: App,
    size: int,
    strategy: str,
    allocation: str,
    relation: str | None,
    task: str,
    seed: int,
    embedder: str,
    target_file: Path | None,
    dry_run: bool,
    show: int,
    ledger_chunk: int,
    where: str | None,
    origin: str | None,
    clusters: str | None,
    text: str | None,
    match: str | None,
    fmt: str,
) -> None:
    """Choose a batch of personas that covers the persona space, and record it in the usage ledger.

    Personas used least so far come first, so consecutive batches do not repeat a persona until
    every candidate has been used. The coverage report compares the batch with a random batch of
    the same size on the same candidates.

    With --target, the batch matches a target distribution over typed attributes (see `personagraph
    attributes`), k-center inside each cell; the report adds achieved against target per cell, the
    total variation distance beside a random batch's, and the cells the candidates cannot fill.

    Example: personagraph sample -n 200 --strategy kcenter --where "hop <= 2"
    """
    from personagraph.cli.progress import progress_bar
    from personagraph.embeddings.embeddings import Embeddings
    from personagraph.sampling.batches import sample_batch
    from personagraph.sampling.candidates import persona_texts

    target = None
    if target_file is not None:  # checked before the store opens
        from personagraph.sampling.target import read_target

        target = read_target(target_file)
    store = app.store()
    carver = make_carver(app, where, origin, clusters, text, match)
    # The candidate read is most of a large sample's time (~45 min for 10k of 10M personas).
    with progress_bar("reading candidates", unit="personas") as advance:
        batch = sample_batch(
            store,
            size=size,
            strategy=strategy,
            task=task,
            carver=carver,
            allocation=allocation,
            seed=seed,
            embeddings=Embeddings.for_store(store, embedder, app.settings),
            relation=relation,
            record=not dry_run,
            target=target,
            progress=advance,
            ledger_chunk=ledger_chunk,
            echo=lambda message: click.echo(message, err=True),
        )
    if len(batch.groups) < size:  # said on stderr in every format, so a script's output stays clean
        unit = "pairs" if relation else "personas"
        click.echo(
            f"note: asked for {size:,} {unit}, only {len(batch.groups):,} could be drawn from the candidates",
            err=True,
        )
    if fmt != "table":
        render(batch.as_dict() | {"groups": batch.groups}, fmt)
        return
    texts = persona_texts(store, [p for g in batch.groups[:show] for p in g])
    state = "recorded" if batch.recorded else "not recorded (dry run)"
    echo(f"batch {batch.id}: {len(batch.groups)} {'pairs' if relation else 'personas'}, {batch.strategy}, {state}")
    print_coverage(batch.coverage, "coverage", store)
    for group in batch.groups[:show]:
        echo("  " + "  <->  ".join(texts.get(p, p)[:100] for p in group))


@click.command("batches")
@click.option("--limit", type=click.IntRange(1), default=50, show_default=True)
@output_option()
@pass_app
def batches_cmd(app: App, limit: int, fmt: str) -> None:
    """List the usage ledger: batches, newest first, with their coverage figures."""
    from personagraph.sampling.batches import list_batches

    emit(list_batches(app.store(), limit), fmt)


@click.command("report")
@click.argument("batch_id")
@click.option("--recompute", is_flag=True, help="Measure the diversity of the batch's samples again.")
@click.option("--embedder", type=EMBEDDER, default="minilm", show_default=True, help="For --recompute.")
@output_option()
@pass_app
def report_cmd(app: App, batch_id: str, recompute: bool, embedder: str, fmt: str) -> None:
    """Coverage and diversity report of one batch (from the ledger).

    Diversity: distinct-1/2, MinHash near-duplicate rate, mean pairwise cosine, Vendi score, and
    the persona-similarity bins against sample similarity (Persona Hub's check).
    """
    from personagraph.sampling.batches import load_batch
    from personagraph.sampling.summary import diversity_rows, similarity_rows

    store = app.store()
    batch = load_batch(store, batch_id)
    diversity = batch.get("diversity")
    if isinstance(diversity, str):
        diversity = json.loads(diversity)
    if recompute or (diversity is None and store.run("synth/count_batch_samples", id=batch_id)[0]["n"]):
        from personagraph.embeddings.embeddings import Embeddings
        from personagraph.synth.report import batch_diversity

        diversity = batch_diversity(store, Embeddings.for_store(store, embedder, app.settings), batch_id)
    if fmt != "table":
        report = {
            "batch": batch_id,
            "task": batch.get("task"),
            "strategy": batch.get("strategy"),
            "coverage": batch.get("coverage"),
            "diversity": diversity,
        }
        render(report, fmt)
        return
    echo(
        f"batch {batch_id}: task {batch.get('task')}, strategy {batch.get('strategy')}, "
        f"{batch.get('size')} {'pairs' if batch.get('relation') else 'personas'}, {batch.get('created_at')}"
        + (f", filters: {batch['carver']}" if batch.get("carver") else "")
    )
    print_coverage(batch.get("coverage") or {}, "coverage", store)
    emit(diversity_rows(diversity or {}), "table", title="diversity of the samples")
    bins = similarity_rows(diversity or {})
    if bins:
        emit(bins, "table", title="similar personas, similar samples? (pairs of samples by persona similarity)")


def register(main: click.Group) -> None:
    """Add this area's commands to ``main``."""
    for command in (cluster_cmd, sample_cmd, batches_cmd, report_cmd):
        main.add_command(command)
