"""``personagraph attributes``: typed attributes for personas that lack them (LLM), and their coverage."""

from __future__ import annotations

from typing import TYPE_CHECKING

import click

from personagraph.cli.context import App, pass_app
from personagraph.cli.llm_run import print_dry_run, print_end, start_llm_command
from personagraph.cli.options import llm_options
from personagraph.cli.output import emit, render

if TYPE_CHECKING:
    from personagraph.llm.lifecycle import LLMRunOptions


@click.command("attributes")
@click.option("--max-personas", type=click.IntRange(1), help="Extract for at most this many personas in this run.")
@click.option("--redo", is_flag=True, help="Ask again for personas whose attributes came from another prompt version.")
@click.option("--coverage", "coverage_only", is_flag=True, help="Only show how many personas have each attribute.")
@llm_options(temperature=0.0)
@pass_app
def attributes_cmd(
    app: App, max_personas: int | None, redo: bool, coverage_only: bool, llm: LLMRunOptions, fmt: str
) -> None:
    """Extract typed attributes (age band, gender, occupation + ISCO-08 group, place, education, Big Five...)
    for every persona that has none, with the LLM.

    Unknown stays unknown (never invented). Each persona gets attrs_source, attrs_model, attrs_prompt
    and attrs_at; imported attributes are kept. Kill it and run it again: only the rest is asked.
    The attributes are node properties, usable in Cypher and in --where.
    Example: personagraph attributes --max-personas 500 && personagraph sample --where "gender = female"
    """
    from personagraph.attributes import (
        AttributeOptions,
        attribute_coverage,
        attributes_dry_run,
        extract_attributes,
    )

    if coverage_only:
        counts = attribute_coverage(app.store())
        if fmt != "table":
            render(counts, fmt)
            return
        total = counts.pop("personas", 0) or 0
        emit(
            [{"field": k, "personas": v, "share": f"{v / total:.1%}" if total else "-"} for k, v in counts.items()],
            "table",
            title=f"attributes of {total:,} personas",
        )
        return
    store, client = start_llm_command(app, llm)
    options = AttributeOptions(max_personas=max_personas, redo=redo, temperature=llm.temperature)
    if client is None:
        print_dry_run(attributes_dry_run(store, options), fmt)
        return
    from personagraph.cli.progress import progress_bar

    with progress_bar("attributes", total=max_personas, unit="personas") as advance:
        report = extract_attributes(store, client, options, on_progress=advance)
    if fmt != "table":
        render(report.as_dict(), fmt)
        return
    click.echo(
        f"{report.personas:,} personas asked, {report.extracted:,} got attributes, {report.failures:,} without a valid "
        f"reply (left for the next run); prompt {report.prompt}"
    )
    filled = ", ".join(f"{k} {v:.0%}" for k, v in report.coverage().items() if v)
    click.echo(f"fields filled: {filled or 'none'}")
    print_end({**report.llm, "failures_path": report.failures_path})


def register(main: click.Group) -> None:
    """Add this area's commands to ``main``."""
    main.add_command(attributes_cmd)
