"""The CLI side of the LLM lifecycle (``llm.lifecycle``): build the client, print a dry run, print the end report."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from personagraph.cli.context import App
from personagraph.cli.output import echo

if TYPE_CHECKING:
    from personagraph.llm import LLMClient
    from personagraph.llm.lifecycle import DryRunReport, LLMRunOptions
    from personagraph.store import GraphStore


def llm_client(app: App, llm: LLMRunOptions) -> LLMClient:
    """The client of an LLM command (checked before the store opens: the JVM takes seconds to start)."""
    from personagraph.llm.lifecycle import client_for

    app.settings = app.settings.with_overrides(model=llm.model)
    return client_for(app.settings, llm)


def start_llm_command(app: App, llm: LLMRunOptions) -> tuple[GraphStore, LLMClient | None]:
    """The store and client of an LLM command; no client on ``--dry-run`` (the command prints its plan).

    The client comes first: a missing endpoint is reported before the store opens (seconds of JVM start).
    """
    app.settings = app.settings.with_overrides(model=llm.model)  # a dry run names the model too
    client = None if llm.dry_run else llm_client(app, llm)
    return app.store(workload="llm"), client


def print_dry_run(report: DryRunReport, fmt: str = "table") -> None:
    if fmt != "table":
        from personagraph.cli.output import render

        render(report.as_dict(), fmt)
        return
    for line in report.lines():
        echo(line)


def print_end(report: dict[str, Any]) -> None:
    """The end line of every LLM command: calls, cached, retries, invalid, failures (+ log), tokens, cost."""
    from personagraph.llm.lifecycle import end_line

    echo(end_line(report))
