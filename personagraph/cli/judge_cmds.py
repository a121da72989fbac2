"""``personagraph judge personas|samples``: LLM-judged quality, stored on the nodes."""

from __future__ import annotations

from typing import TYPE_CHECKING

import click

from personagraph.cli.context import App, pass_app
from personagraph.cli.options import TASK_NAMES, llm_options
from personagraph.cli.output import render

if TYPE_CHECKING:
    from personagraph.llm.lifecycle import LLMRunOptions


@click.command("judge")
@click.argument("kind", type=click.Choice(["personas", "samples"]))
@click.option("--batch", metavar="ID", help="Only the samples of this batch (personas: those it used).")
@click.option("--task", type=click.Choice(TASK_NAMES), help="samples: only this task.")
@click.option("--limit", type=click.IntRange(1), help="Judge at most this many items.")
@click.option("--redo", is_flag=True, help="Judge again items this judge prompt version already scored.")
@click.option(
    "--repeat",
    is_flag=True,
    help="Judge every item a second time with another sampling seed (not the cached reply) and report "
    "how the two passes agree. Doubles the calls.",
)
@llm_options(temperature=0.3)
@pass_app
def judge_cmd(
    app: App,
    kind: str,
    batch: str | None,
    task: str | None,
    limit: int | None,
    redo: bool,
    repeat: bool,
    llm: LLMRunOptions,
    fmt: str,
) -> None:
    """Score personas or samples with an LLM judge against a rubric (prompts judge_persona,
    judge_sample): 1-5 per criterion and an overall `quality`, with reasons, the judge model and
    the prompt version, stored on each node. Then filter on them: --where "quality >= 4" in
    sample, synth and export samples.

    Personas: specific, plausible, self-consistent, safe. Samples: per task (math: solvable and
    answer correct; tool: valid definition; ...) plus persona fit and safety. Resumable: items
    this prompt version scored are skipped. The end report gives the judge's agreement with the
    deterministic checks (tool validity, solver-verified math) and, with --repeat, with itself.

    Example: personagraph judge samples --task math --repeat
    """
    from personagraph.cli.llm_run import print_dry_run, print_end, start_llm_command
    from personagraph.cli.progress import progress_bar
    from personagraph.judge.run import judge, judge_dry_run, plan_judging

    store, client = start_llm_command(app, llm)
    if client is None:
        plan = plan_judging(store, kind, batch=batch, task=task, limit=limit, redo=redo)
        print_dry_run(judge_dry_run(plan, repeat), fmt)
        return
    with progress_bar(f"judge {kind}", total=limit, unit=kind) as advance:
        report = judge(
            store,
            client,
            kind,
            batch=batch,
            task=task,
            limit=limit,
            redo=redo,
            repeat=repeat,
            temperature=llm.temperature,
            progress=advance,
        )
    data = report.as_dict()
    if fmt != "table":
        render(data, fmt)
        return
    spread = ", ".join(f"{q}: {n}" for q, n in data["quality"].items()) or "none"
    click.echo(
        f"judged {report.judged} {kind} with {report.prompt} (model {report.model}); quality {spread}"
        + (f"; mean {data['mean_quality']}" if data["mean_quality"] is not None else "")
        + (f"; {len(report.failed)} failed (kept in the LLM failure log)" if report.failed else "")
    )
    for name, entry in (report.agreement.get("checks") or {}).items():
        click.echo(
            f"agreement with {name}: {entry['agree']} of {entry['items']} ({entry['rate']:.0%}) "
            f"on {entry['criterion']}; the check failed {entry['check_failed']}"
        )
    again = report.agreement.get("repeat")
    if again and again.get("items"):
        click.echo(
            f"agreement with itself (second pass, another seed) over {again['items']}: quality equal "
            f"{again['quality_exact']:.0%}, within one point {again['quality_within_1']:.0%}, "
            f"criteria pass/fail equal {again['criteria_pass_fail']:.0%}"
        )
    print_end(report.usage)


def register(main: click.Group) -> None:
    main.add_command(judge_cmd)
