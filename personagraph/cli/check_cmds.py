"""``personagraph check``: the store's integrity after crashes, and its repair."""

from __future__ import annotations

import sys

import click

from personagraph.cli.context import App, pass_app
from personagraph.cli.output import emit, output_option, render


@click.command("check")
@click.option("--fix", is_flag=True, help="Repair what can be repaired, then report what is left.")
@output_option()
@pass_app
def check_cmd(app: App, fix: bool, fmt: str) -> None:
    """Check the store for what an interrupted command can leave behind.

    Orphan edge records (the engine's CHECK DATABASE, embedded store), personas still present
    under an id another persona lists as an alias, expansion claims still held, dedup runs
    that never finished, and sampled batches whose ledger was cut short (--fix undoes them).
    Exits 1 when something is wrong (after --fix: when something is left).

    Examples: personagraph check;  personagraph check --fix
    """
    from personagraph.dedup.integrity import check_graph

    report = check_graph(app.store(), fix=fix, echo=lambda m: click.echo(m, err=True))
    if fmt == "table":
        emit(report.rows(), fmt, title="check" + (" --fix" if fix else ""))
    else:
        render({"ok": report.problems == 0, "findings": report.rows()}, fmt)
    if report.problems:
        click.echo(f"{report.problems} checks found problems" + ("" if fix else " (--fix repairs them)"), err=True)
        sys.exit(1)


def register(main: click.Group) -> None:
    """Add this area's commands to ``main``."""
    main.add_command(check_cmd)
