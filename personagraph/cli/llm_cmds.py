"""LLM commands: ``t2p`` (alias ``text-to-persona``) and ``expand``."""

from __future__ import annotations

import json
import os
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import click

from personagraph.cli.context import App, pass_app
from personagraph.cli.options import llm_options


def _client(app: App, model: str | None, concurrency: int, timeout: float, max_retries: int, no_cache: bool) -> Any:
    from personagraph.llm import LLMClient

    app.settings = app.settings.with_overrides(model=model)
    return LLMClient.from_settings(
        app.settings, concurrency=concurrency, timeout=timeout, max_retries=max_retries, cache=not no_cache
    )


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


def _llm_line(llm: dict[str, Any], failures_path: str) -> str:
    cost = "n/a" if llm.get("cost_usd") is None else f"${llm['cost_usd']:.4f}"
    line = (
        f"LLM: {llm['calls']:,} calls, {llm['cached']:,} cached, {llm['retries']:,} retries, {llm['invalid']:,} invalid replies, "
        f"{llm['prompt_tokens'] + llm['completion_tokens']:,} tokens, cost {cost}"
    )
    if llm.get("failures"):
        line += f"\nfailures: {llm['failures']:,} requests never gave a valid reply; read them in {failures_path}"
    return line


def _print_dry(prompts_shown: list[list[dict[str, str]]], summary: str) -> None:
    for i, messages in enumerate(prompts_shown, 1):
        click.echo(f"--- prompt {i} ---")
        for message in messages:
            click.echo(f"[{message['role']}]\n{message['content']}\n")
    click.echo(summary)


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
    model: str | None,
    concurrency: int,
    temperature: float,
    timeout: float,
    max_retries: int,
    no_cache: bool,
    dry_run: bool,
    as_json: bool,
) -> None:
    """Text-to-Persona: ask who is likely to read, write, like or dislike each text.

    With PATHS (.txt files, folders of .txt, or JSONL/CSV/Parquet with a `text` field), those
    texts are imported as :Text nodes and processed; without, every :Text node not yet processed
    by this prompt version and granularity is. Each persona gets a DERIVED_FROM edge to its text
    (model, prompt version, run, stance). Example: personagraph t2p examples/texts/ --granularity fine
    """
    from personagraph.cli.progress import progress_bar
    from personagraph.expand.t2p import T2POptions, t2p_dry_run, text_to_persona
    from personagraph.ingest import import_texts

    # The endpoint is checked before the store opens (the JVM takes seconds to start).
    client = None if dry_run else _client(app, model, concurrency, timeout, max_retries, no_cache)
    store = app.store(workload="llm")
    ids = import_texts(store, paths) if paths else None
    options = T2POptions(
        granularity=granularity,  # type: ignore[arg-type]
        per_text=per_text,
        max_text_tokens=max_text_tokens,
        concurrency=concurrency,
        max_texts=max_texts,
        redo=redo,
        temperature=temperature,
    )
    if dry_run:
        plan = t2p_dry_run(store, options, ids)
        _print_dry(
            plan["prompts"],
            f"dry run: {plan['texts']:,} texts, about {plan['prompt_tokens']:,} prompt tokens "
            f"and {plan['completion_tokens']:,} completion tokens; no calls made",
        )
        return
    assert client is not None
    total = len(ids) if ids is not None else None
    with progress_bar("text-to-persona", total=total, unit="texts") as advance:
        report = text_to_persona(store, client, options, ids, on_progress=advance)
    client.close()
    if as_json:
        click.echo(json.dumps(report.as_dict(), indent=2))
        return
    click.echo(
        f"{report.texts:,} texts ({report.texts_cut:,} cut to {max_text_tokens} tokens) → {report.personas_new:,} new personas, "
        f"{report.personas_existing:,} already in the graph; run {report.run}, prompt {report.prompt}"
    )
    click.echo(f"stances: {_counts(dict(report.stances.most_common()))}")
    click.echo(_llm_line(report.llm, report.failures_path))


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
    help="Relation vocabulary for this run, e.g. COLLEAGUE,PATIENT_OF,RIVAL (default: the store's).",
)
@click.option("--max-personas", type=click.IntRange(1), help="Expand at most this many personas in this run.")
@click.option(
    "--max-calls", type=click.IntRange(1), help="Stop claiming work once this many LLM calls are made or under way."
)
@click.option(
    "--lease",
    type=click.FloatRange(1),
    default=120.0,
    show_default=True,
    help="Seconds a claim holds before another worker may take it (renewed while working).",
)
@click.option(
    "--origin",
    "origins",
    multiple=True,
    type=click.Choice(["text", "persona", "import"]),
    help="Expand only personas of this origin (repeatable; default: all).",
)
@click.option("--run", "run_id", help="Run id written into the provenance (default: a new one).")
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
    model: str | None,
    concurrency: int,
    temperature: float,
    timeout: float,
    max_retries: int,
    no_cache: bool,
    dry_run: bool,
    as_json: bool,
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
    client = None if dry_run else _client(app, model, concurrency, timeout, max_retries, no_cache)
    store = app.store(workload="llm")
    options = ExpandOptions(
        hops=hops,
        per_persona=per_persona,
        concurrency=concurrency,
        max_personas=max_personas,
        max_calls=max_calls,
        lease=lease,
        temperature=temperature,
        run_id=run_id,
        origins=list(origins),
    )
    if dry_run:
        plan = plan_dry_run(store, options, app.vocabulary)
        _print_dry(
            plan.prompts,
            f"dry run: {plan.frontier:,} personas in the frontier now, about {plan.prompt_tokens:,} prompt tokens "
            f"and {plan.completion_tokens:,} completion tokens for them; about {plan.projected_calls:,} calls "
            f"for all {hops} hops; no calls made",
        )
        return
    assert client is not None
    with _live("expanding") as update:
        report = expand(store, client, options, app.vocabulary, on_progress=update)
    client.close()
    summary = report.as_dict()
    if as_json:
        click.echo(json.dumps(summary, indent=2))
        return
    rate = report.expanded / report.elapsed if report.elapsed else 0.0
    click.echo(
        f"expanded {report.expanded:,} personas in {report.elapsed:.1f} s ({rate:.1f}/s); stopped: {report.stopped}; run {report.run}"
    )
    by_hop = ", ".join(f"hop {h}: {n:,}" for h, n in summary["new_by_hop"].items())
    click.echo(
        f"new personas: {summary['new_personas']:,} ({by_hop or 'none'}); {report.linked_existing:,} answers were personas already in the graph"
    )
    click.echo(f"relations: {_counts(summary['relations'])}")
    if report.rejected:
        click.echo(f"rejected relation types (not in the vocabulary): {_counts(summary['rejected_relations'])}")
    if report.lost_claims:
        click.echo(f"{report.lost_claims} claims expired before the answer was written (their work was left to others)")
    click.echo(_llm_line(report.llm, report.failures_path))


def register(main: click.Group) -> None:
    """Add this area's commands to ``main``."""
    main.add_command(t2p_cmd, name="t2p")
    main.add_command(t2p_cmd, name="text-to-persona")
    main.add_command(expand_cmd)
