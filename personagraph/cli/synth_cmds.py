"""CLI commands of persona-driven synthesis: synth, lineage, export samples (registered by sampling_cmds)."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

import click

from personagraph.cli.context import App, pass_app
from personagraph.cli.options import (
    ALLOCATION,
    EMBEDDER,
    STRATEGY,
    TASK_NAMES,
    carver_options,
    llm_options,
    make_carver,
)
from personagraph.cli.output import echo, emit, output_option, print_coverage, render

if TYPE_CHECKING:
    from personagraph.llm.lifecycle import LLMRunOptions


@click.command("synth")
@click.option(
    "--task",
    type=click.Choice(TASK_NAMES),
    help="(Required unless --batch.) math, logic, instruction, knowledge, npc, tool (one persona each); rivals (RIVAL pairs), "
    "consultation (PATIENT_OF pairs), handoff (COLLEAGUE pairs).",
)
@click.option(
    "--mode",
    type=click.Choice(["zero-shot", "few-shot", "persona-few-shot"]),
    default="zero-shot",
    show_default=True,
    help="few-shot: example outputs in the prompt; persona-few-shot: examples with the personas they came from.",
)
@click.option(
    "--size",
    "-n",
    type=click.IntRange(1),
    default=10,
    show_default=True,
    help="Samples (personas, or pairs for pair tasks).",
)
@click.option(
    "--strategy",
    type=STRATEGY,
    default="kcenter",
    show_default=True,
    help="How the batch is chosen (pair tasks: graph).",
)
@click.option("--allocation", type=ALLOCATION, default="sqrt", show_default=True)
@click.option("--difficulty", help="math: easy|medium|hard|olympiad; logic: easy|medium|hard.")
@click.option("--domain", help='math: the area, e.g. "probability" (free text).')
@click.option("--setting", help='npc: the game world, e.g. "a cyberpunk city" (free text).')
@click.option(
    "--solutions",
    type=click.IntRange(0, 5),
    help="math: solve each problem in this many separate calls (the solver sees only the problem); a sample "
    "whose answers disagree is flagged (verified: false) and left out of the clean export. Default 1 for math.",
)
@click.option("--shots", type=click.IntRange(0, 20), default=3, show_default=True, help="Few-shot examples to use.")
@click.option(
    "--examples",
    "examples_file",
    type=click.Path(path_type=Path),
    help='Few-shot examples (JSONL: {"vars": {...}, "reply": {...}}).',
)
@click.option("--seed", type=int, default=0, show_default=True)
@click.option("--embedder", type=EMBEDDER, default="minilm", show_default=True)
@click.option(
    "--batch",
    "batch_id",
    metavar="ID",
    help="Finish this recorded batch (only the groups without a sample), with its recorded parameters.",
)
@click.option(
    "--regenerate", is_flag=True, help="With --batch: generate every group again (samples overwritten, no cache)."
)
@click.option("--new-batch", is_flag=True, help="Choose a new batch even if a run with these parameters was cut short.")
@carver_options
@llm_options(temperature=0.8)
@pass_app
def synth_cmd(
    app: App,
    task: str | None,
    mode: str,
    size: int,
    strategy: str,
    allocation: str,
    difficulty: str | None,
    domain: str | None,
    setting: str | None,
    solutions: int | None,
    shots: int,
    examples_file: Path | None,
    seed: int,
    embedder: str,
    batch_id: str | None,
    regenerate: bool,
    new_batch: bool,
    where: str | None,
    origin: str | None,
    clusters: str | None,
    text: str | None,
    match: str | None,
    llm: LLMRunOptions,
    fmt: str,
) -> None:
    """Generate synthetic data from a batch of personas, one sample per persona (or related pair).

    The batch is chosen like `personagraph sample` and recorded in the ledger with the run's
    parameters; each sample becomes a :Sample node linked to its persona(s) by GENERATED_BY, with
    task, mode, prompt version, model and batch, written as it arrives. Interrupted? Run the same
    command again: it resumes that batch ("resuming batch …"), asking only for the groups without a
    sample; `--batch ID` finishes a given batch. Needs OPENAI_BASE_URL (any OpenAI-compatible endpoint).

    Example: personagraph synth --task math --difficulty hard --size 50 --mode persona-few-shot
    """
    from personagraph.cli.llm_run import print_dry_run, print_end, start_llm_command
    from personagraph.cli.progress import progress_bar
    from personagraph.embeddings.embeddings import Embeddings
    from personagraph.sampling.summary import diversity_rows, similarity_rows
    from personagraph.synth.plan import plan_synthesis, synth_dry_run
    from personagraph.synth.prompting import load_examples
    from personagraph.synth.run import SynthesisOptions, synthesize

    if regenerate and not batch_id:
        raise click.UsageError("--regenerate needs --batch ID")
    if not task and not batch_id:
        raise click.UsageError("give --task (or --batch ID to finish a recorded batch)")
    if regenerate:
        llm.no_cache = True  # the cache would give the same replies again
    task_options = {"difficulty": difficulty, "domain": domain, "setting": setting}
    chosen = SynthesisOptions(
        task=task,
        mode=mode,
        size=size,
        strategy=strategy,
        carver=make_carver(app, where, origin, clusters, text, match),
        seed=seed,
        allocation=allocation,
        task_options={k: v for k, v in task_options.items() if v},
        shots=shots,
        examples=load_examples(examples_file) if examples_file else None,
        temperature=llm.temperature,
        batch_id=batch_id,
        regenerate=regenerate,
        resume=not new_batch,
        solutions=(1 if task == "math" else 0) if solutions is None else solutions,
    )
    store, client = start_llm_command(app, llm)
    embeddings = Embeddings.for_store(store, embedder, app.settings)
    if client is None:
        plan = plan_synthesis(store, embeddings, chosen, model=app.settings.model, record=False)
        print_dry_run(synth_dry_run(plan), fmt)
        return
    with progress_bar(f"synth {task or batch_id}", total=size, unit="samples") as advance:
        report = synthesize(store, client, embeddings, chosen, progress=advance)
    if fmt != "table":
        render(report.as_dict(), fmt)
        return
    echo(
        f"batch {report.batch.id}: {len(report.samples)} {report.task} samples ({report.mode}, {report.prompt}, "
        f"model {report.model})"
        + (f"; {report.skipped} groups already had one" if report.skipped else "")
        + (f"; {len(report.failed)} failed (kept in the LLM failure log)" if report.failed else "")
        + (f"; {len(report.flagged)} flagged (solvers disagree with the answer)" if report.flagged else "")
        + f"; batch {report.status}"
    )
    print_coverage(report.batch.coverage, "coverage of the batch", store)
    emit(diversity_rows(report.diversity), "table", title="diversity of the samples")
    bins = similarity_rows(report.diversity)
    if bins:
        emit(bins, "table", title="similar personas, similar samples?")
    for sample in report.samples[:3]:
        echo(f"  {sample['id']}: {sample['text'][:160]}")
    echo(
        f"next: personagraph lineage {report.samples[0]['id'] if report.samples else 'SAMPLE_ID'}; "
        f"personagraph export samples out.parquet --batch {report.batch.id}"
    )
    print_end(report.usage)


def _print_lineage(tree: dict[str, Any]) -> None:
    echo(
        f"sample {tree['id']} ({tree['task']}, {tree['mode']}, {tree['prompt']}, model {tree['model']}, batch {tree['batch']})"
    )
    for line in str(tree["text"])[:600].splitlines():
        echo(f"  {line}")
    for persona in tree["personas"]:
        echo(
            f"  └─ GENERATED_BY [{persona['role']}] persona {persona['id']} (hop {persona['hop']}, origin {persona['origin']})"
        )
        echo(f"       {persona['text']}")
        indent = "       "
        for text in persona["texts"]:
            echo(
                f"{indent}└─ DERIVED_FROM text {text['id']}{' (' + str(text['source']) + ')' if text.get('source') else ''}"
            )
            echo(f"{indent}     {str(text['text'])[:200]}")
        for step in persona["expanded_from"]:
            arrow = f"<-[:{step['relation']}]-" if step["outgoing"] else f"-[:{step['relation']}]->"
            echo(f"{indent}└─ expanded from {arrow} persona {step['id']} (hop {step['hop']})")
            echo(f"{indent}     {step['text']}")
            if step.get("text_id"):
                echo(f"{indent}     └─ DERIVED_FROM text {step['text_id']}: {str(step['source_text'])[:160]}")
            indent += "  "


@click.command("lineage")
@click.argument("sample_id")
@output_option()
@pass_app
def lineage_cmd(app: App, sample_id: str, fmt: str) -> None:
    """Show where a sample came from: its persona(s), and the text each persona was derived from
    or the chain of personas it was expanded from."""
    from personagraph.synth.report import lineage

    tree = lineage(app.store(), sample_id)
    if fmt != "table":
        render(tree, fmt)
        return
    _print_lineage(tree)


def register(main: click.Group) -> None:
    for command in (synth_cmd, lineage_cmd):
        main.add_command(command)
