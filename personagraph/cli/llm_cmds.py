"""LLM commands: ``t2p`` (alias ``text-to-persona``) and ``expand``."""

from __future__ import annotations

import os
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click

from personagraph.cli.context import App, pass_app
from personagraph.cli.llm_run import print_dry_run, print_end, start_llm_command
from personagraph.cli.options import llm_options
from personagraph.cli.output import echo, render
from personagraph.errors import LLMReplyError

if TYPE_CHECKING:
    from personagraph.llm.lifecycle import LLMRunOptions


@contextmanager
def _live(description: str) -> Iterator[Callable[[dict[str, Any]], None]]:
    """A one-line live status on stderr (interactive terminals only)."""
    if not sys.stderr.isatty() or os.environ.get("CI"):
        yield lambda snapshot: None
        return
    from rich.console import Console
    from rich.live import Live
    from rich.text import Text

    with Live(Text(description), console=Console(stderr=True), transient=True, refresh_per_second=4) as live:

        def update(s: dict[str, Any]) -> None:
            live.update(
                Text(
                    f"{description}: {s['expanded']:,} personas ({s['personas_per_s']:.1f}/s) · {s['new_personas']:,} new · "
                    f"{s['calls']:,} calls ({s['calls_per_s']:.1f}/s) · {s['tokens']:,} tokens · {s['cached']:,} cached · "
                    f"{s['retries']} retries · {s['failures']} failures · {s['in_flight']} in flight · {s['elapsed']:.0f} s"
                )
            )

        yield update


def _counts(counter: dict[str, int]) -> str:
    return ", ".join(f"{k} {v:,}" for k, v in counter.items()) or "none"


# Both claiming stages (t2p, expand) take the same two worker options.
lease_option = click.option(
    "--lease",
    type=click.FloatRange(1),
    default=120.0,
    show_default=True,
    help="Seconds a claim holds before another worker may take it (renewed while working).",
)
run_option = click.option("--run", "run_id", help="Run id written into the provenance (default: a new one).")


@click.command("t2p")
@click.argument("paths", nargs=-1, type=click.Path(path_type=Path))
@click.option(
    "--granularity",
    type=click.Choice(["coarse", "fine"]),
    default="fine",
    show_default=True,
    help="coarse: broad roles; fine: as specific as the text allows.",
)
@click.option(
    "--per-text",
    type=click.IntRange(1, 10),
    default=3,
    show_default=True,
    help="Personas asked for per text (at most).",
)
@click.option(
    "--max-text-tokens",
    type=click.IntRange(16),
    default=1024,
    show_default=True,
    help="Longer texts are cut to about this many tokens.",
)
@click.option("--max-texts", type=click.IntRange(1), help="Process at most this many texts.")
@click.option("--redo", is_flag=True, help="Process texts again even if this prompt version already did.")
@lease_option
@run_option
@llm_options
@pass_app
def t2p_cmd(
    app: App,
    paths: tuple[Path, ...],
    granularity: str,
    per_text: int,
    max_text_tokens: int,
    max_texts: int | None,
    redo: bool,
    lease: float,
    run_id: str | None,
    llm: LLMRunOptions,
    fmt: str,
) -> None:
    """Text-to-Persona: ask who is likely to read, write, like or dislike each text.

    With PATHS (.txt files, folders of .txt, or JSONL/CSV/Parquet with a `text` field), those
    texts are imported as :Text nodes and processed; without, every :Text node not yet processed
    by this prompt version and granularity is. Each persona gets a DERIVED_FROM edge to its text
    (model, prompt version, run, stance). Kill it at any time and run it again to finish; start several
    (on one Bolt server) to share the texts. Example: personagraph t2p examples/texts/ --granularity fine
    """
    from personagraph.cli.progress import progress_bar
    from personagraph.expand.conflicts import retry_conflicts
    from personagraph.expand.t2p import T2POptions, t2p_dry_run, text_to_persona
    from personagraph.ingest import import_texts, read_texts

    store, client = start_llm_command(app, llm)
    # Several workers started on the same files import the same texts at once: a conflict is run again.
    ids = retry_conflicts(import_texts, store, paths) if paths and not llm.dry_run else None
    options = T2POptions(
        granularity=granularity,  # type: ignore[arg-type]
        per_text=per_text,
        max_text_tokens=max_text_tokens,
        concurrency=llm.concurrency,
        max_texts=max_texts,
        redo=redo,
        temperature=llm.temperature,
        lease=lease,
        run_id=run_id,
    )
    if client is None:
        texts = (t.text for t in read_texts(paths)) if paths else None  # read, not imported: nothing is written
        print_dry_run(t2p_dry_run(store, options, texts=texts), fmt)
        return
    total = len(ids) if ids is not None else None
    with progress_bar("text-to-persona", total=total, unit="texts") as advance:
        report = text_to_persona(store, client, options, ids, on_progress=advance)
    if fmt != "table":
        render(report.as_dict(), fmt)
    else:
        echo(
            f"{report.texts:,} texts ({report.texts_cut:,} cut to {max_text_tokens} tokens) → {report.personas_new:,} new personas, "
            f"{report.personas_existing:,} already in the graph; run {report.run}, prompt {report.prompt}"
        )
        echo(f"stances: {_counts(dict(report.stances.most_common()))}")
        print_end({**report.llm, "failures_path": report.failures_path})
    if report.texts and report.failures >= report.texts:  # nothing came of the run: a script must see it
        raise LLMReplyError(
            f"every one of the {report.texts:,} texts failed (no valid reply)",
            hint=f"read the replies in {report.failures_path}",
        )


@click.command("expand")
@click.option(
    "--hops", type=click.IntRange(1, 20), default=6, show_default=True, help="Expand personas whose hop is below this."
)
@click.option(
    "--per-persona",
    type=click.IntRange(1, 12),
    default=3,
    show_default=True,
    help="Related personas asked for per persona.",
)
@click.option(
    "--relations",
    metavar="TYPES",
    help="Relation vocabulary for this run, e.g. COLLEAGUE,PATIENT_OF,LANDLORD_OF/TENANT_OF "
    "(TYPE/INVERSE: an inverse name; default: the store's).",
)
@click.option("--max-personas", type=click.IntRange(1), help="Expand at most this many personas in this run.")
@click.option(
    "--max-calls", type=click.IntRange(1), help="Stop claiming work once this many LLM calls are made or under way."
)
@lease_option
@click.option(
    "--origin",
    "origins",
    multiple=True,
    type=click.Choice(["text", "persona", "import"]),
    help="Expand only personas of this origin (repeatable; default: all).",
)
@run_option
@llm_options
@pass_app
def expand_cmd(
    app: App,
    hops: int,
    per_persona: int,
    relations: str | None,
    max_personas: int | None,
    max_calls: int | None,
    lease: float,
    origins: tuple[str, ...],
    run_id: str | None,
    llm: LLMRunOptions,
    fmt: str,
) -> None:
    """Persona-to-Persona: grow the graph through relations, hop by hop.

    Takes the frontier from the graph (personas with hop < --hops not yet expanded, lowest hop
    first), asks the LLM who is in a close relationship with each, and stores the answers as new
    personas (hop + 1) joined by typed edges with provenance. Kill it at any time and run it again
    to finish; start several (on one Bolt server) to share the work.
    Example: personagraph expand --hops 2 --max-personas 100
    """
    from personagraph.expand.p2p import ExpandOptions, expand
    from personagraph.expand.p2p import dry_run as plan_dry_run

    if relations:
        app.settings = app.settings.with_overrides(relations=relations)
    store, client = start_llm_command(app, llm)
    options = ExpandOptions(
        hops=hops,
        per_persona=per_persona,
        concurrency=llm.concurrency,
        max_personas=max_personas,
        max_calls=max_calls,
        lease=lease,
        temperature=llm.temperature,
        run_id=run_id,
        origins=list(origins),
    )
    if client is None:
        print_dry_run(plan_dry_run(store, options, app.vocabulary).report(hops), fmt)
        return
    with _live("expanding") as update:
        report = expand(store, client, options, app.vocabulary, on_progress=update)
    summary = report.as_dict()
    if fmt != "table":
        render(summary, fmt)
        return
    rate = report.expanded / report.elapsed if report.elapsed else 0.0
    echo(
        f"expanded {report.expanded:,} personas in {report.elapsed:.1f} s ({rate:.1f}/s); stopped: {report.stopped}; run {report.run}"
    )
    by_hop = ", ".join(f"hop {h}: {n:,}" for h, n in summary["new_by_hop"].items())
    echo(
        f"new personas: {summary['new_personas']:,} ({by_hop or 'none'}); {report.linked_existing:,} answers were personas already in the graph"
    )
    echo(f"relations: {_counts(summary['relations'])}")
    if report.rejected:
        echo(f"rejected relation types (not in the vocabulary): {_counts(summary['rejected_relations'])}")
    if report.retried:
        echo(
            f"{report.retried} replies had no usable relation type and were asked again; "
            f"{report.unrelated} personas still got no edge (left unexpanded, counted as failures)"
        )
    if report.lost_claims:
        echo(f"{report.lost_claims} claims expired before the answer was written (their work was left to others)")
    print_end({**report.llm, "failures_path": report.failures_path})


def register(main: click.Group) -> None:
    """Add this area's commands to ``main``."""
    main.add_command(t2p_cmd, name="t2p")
    main.add_command(t2p_cmd, name="text-to-persona")
    main.add_command(expand_cmd)
