"""Shared output formats for commands that print rows: table, JSON, JSON lines, CSV."""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Sequence
from typing import Any

import click


def _cell(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, (dict, list)):
        return json.dumps(value, ensure_ascii=False, default=str)
    return str(value)


def emit(rows: Sequence[dict[str, Any]], fmt: str = "table", title: str | None = None) -> None:
    """Print rows in the chosen format to stdout."""
    if fmt == "json":
        click.echo(json.dumps(list(rows), ensure_ascii=False, indent=2, default=str))
        return
    if fmt == "jsonl":
        for row in rows:
            click.echo(json.dumps(row, ensure_ascii=False, default=str))
        return
    columns = list(dict.fromkeys(key for row in rows for key in row))
    if fmt == "csv":
        buffer = io.StringIO()
        writer = csv.DictWriter(buffer, fieldnames=columns, lineterminator="\n")
        writer.writeheader()
        for row in rows:
            writer.writerow({k: _cell(row.get(k)) for k in columns})
        click.echo(buffer.getvalue(), nl=False)
        return
    from rich.console import Console
    from rich.table import Table

    table = Table(title=title, show_lines=False)
    for column in columns:
        table.add_column(column, overflow="fold")
    for row in rows:
        table.add_row(*(_cell(row.get(k)) for k in columns))
    Console(soft_wrap=False).print(table)
    click.echo(f"({len(rows)} row{'s' if len(rows) != 1 else ''})")


def print_coverage(report: dict[str, Any], title: str, store: Any = None) -> None:
    """The coverage table, and (given the store) the clusters drawn from, with their labels."""
    from personagraph.sampling.summary import cluster_rows, coverage_rows

    emit(coverage_rows(report), "table", title=title)
    if store is not None and (report.get("clusters") or {}).get("batch"):
        from personagraph.sampling.strata import cluster_names

        emit(cluster_rows(report, cluster_names(store)), "table", title="clusters in the batch")


def note(message: str) -> None:
    click.echo(f"note: {message}", err=True)
