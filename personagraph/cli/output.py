"""The output of every command that prints rows or a report: ``--format table|json|jsonl|csv``.

A command prints either rows (a list of dicts: query results, batches, cast members) or one
report (a dict: stats, a dedup run, a sampled batch). ``render`` prints either in each format:

=======  ==========================  ====================================================
format   rows                        report
=======  ==========================  ====================================================
table    one table                   a two-column table (nested keys joined with ".")
json     one JSON array              one JSON object
jsonl    one JSON object a line      one JSON object on one line
csv      header + one line a row     header + one line (nested keys joined with ".")
=======  ==========================  ====================================================

JSON is strict: NaN and infinities become null (a Vendi score of an empty batch is NaN, and
``json.dumps`` would write the bare ``NaN`` that most JSON readers reject); numpy scalars and
arrays become numbers and lists; anything else unknown becomes its ``str``.
A command whose table is richer than one table (coverage, diversity) prints it itself and calls
``render`` for the other formats::

    @output_option()
    def cmd(..., fmt: str) -> None:
        if fmt != "table":
            return render(report.as_dict(), fmt)
"""

from __future__ import annotations

import csv
import dataclasses
import io
import json
import math
from collections.abc import Callable, Iterable, Mapping, Sequence
from itertools import islice
from typing import Any

import click

FORMATS = ("table", "json", "jsonl", "csv")


def output_option(default: str = "table") -> Callable[[Callable[..., Any]], Callable[..., Any]]:
    """The ``--format`` option; the command receives it as ``fmt``."""
    return click.option(
        "--format",
        "fmt",
        type=click.Choice(FORMATS),
        default=default,
        show_default=True,
        help="Output format: a table to read, or JSON, JSON lines or CSV to parse.",
    )


def plain(value: Any) -> Any:
    """``value`` as JSON-able Python values: dicts, lists, str, int, finite floats, bool, None."""
    if value is None or isinstance(value, (str, bool, int)):
        return value
    if isinstance(value, float):
        return value if math.isfinite(value) else None
    if isinstance(value, Mapping):
        return {str(key): plain(item) for key, item in value.items()}
    if isinstance(value, (list, tuple, set, frozenset)):
        return [plain(item) for item in value]
    if hasattr(value, "model_dump"):  # pydantic models
        return plain(value.model_dump())
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return plain(dataclasses.asdict(value))
    if hasattr(value, "tolist"):  # numpy scalars and arrays, without importing numpy
        return plain(value.tolist())
    return str(value)


def to_json(value: Any, indent: int | None = None) -> str:
    """Strict JSON text of ``value`` (see ``plain``)."""
    return json.dumps(plain(value), ensure_ascii=False, indent=indent, allow_nan=False)


def _cell(value: Any) -> str:
    value = plain(value)
    if value is None:
        return ""
    if isinstance(value, (dict, list)):
        return json.dumps(value, ensure_ascii=False)
    return str(value)


def flatten(report: Mapping[str, Any], prefix: str = "") -> dict[str, Any]:
    """Nested dicts as one level, their keys joined with "." (lists stay values)."""
    flat: dict[str, Any] = {}
    for key, value in report.items():
        name = f"{prefix}{key}"
        if isinstance(value, Mapping) and value:
            flat.update(flatten(value, f"{name}."))
        else:
            flat[name] = value
    return flat


def render(data: Mapping[str, Any] | Sequence[Mapping[str, Any]], fmt: str = "table", title: str | None = None) -> None:
    """Print a report (a dict) or rows (a list of dicts) in ``fmt`` to stdout."""
    if isinstance(data, Mapping):
        if fmt == "json":
            click.echo(to_json(data, indent=2))
        elif fmt == "jsonl":
            click.echo(to_json(data))
        elif fmt == "csv":
            _csv([flatten(data)])
        else:
            _table([{"field": k, "value": v} for k, v in flatten(data).items()], title)
        return
    rows = list(data)
    if fmt == "json":
        click.echo(to_json(rows, indent=2))
    elif fmt == "jsonl":
        for row in rows:
            click.echo(to_json(row))
    elif fmt == "csv":
        _csv(rows)
    else:
        _table(rows, title)
        click.echo(f"({len(rows)} row{'s' if len(rows) != 1 else ''})")


def emit(rows: Sequence[Mapping[str, Any]], fmt: str = "table", title: str | None = None) -> None:
    """Rows in ``fmt`` (``render`` of a list)."""
    render(list(rows), fmt, title)


def _columns(rows: Sequence[Mapping[str, Any]]) -> list[str]:
    return list(dict.fromkeys(key for row in rows for key in row))


def _csv(rows: Sequence[Mapping[str, Any]]) -> None:
    columns = _columns(rows)
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=columns, lineterminator="\n")
    writer.writeheader()
    for row in rows:
        writer.writerow({k: _cell(row.get(k)) for k in columns})
    click.echo(buffer.getvalue(), nl=False)


def _table(rows: Sequence[Mapping[str, Any]], title: str | None) -> None:
    from rich.console import Console
    from rich.table import Table

    table = Table(title=title, show_lines=False)
    columns = _columns(rows)
    for column in columns:
        table.add_column(column, overflow="fold")
    for row in rows:
        table.add_row(*(_cell(row.get(k)) for k in columns))
    Console(soft_wrap=False).print(table)


def print_coverage(report: dict[str, Any], title: str, store: Any = None) -> None:
    """The coverage table, and (given the store) the clusters drawn from, with their labels."""
    from personagraph.sampling.summary import cluster_rows, coverage_rows

    emit(coverage_rows(report), "table", title=title)
    if store is not None and (report.get("clusters") or {}).get("batch"):
        from personagraph.sampling.strata import cluster_names

        emit(cluster_rows(report, cluster_names(store)), "table", title="clusters in the batch")


def note(message: str) -> None:
    click.echo(f"note: {message}", err=True)


TABLE_ROWS = 1000  # a table is read on screen; more rows are counted, not drawn


def stream(rows: Iterable[Mapping[str, Any]], fmt: str = "table", table_rows: int = TABLE_ROWS) -> None:
    """Rows in ``fmt`` as they come, holding one at a time (json, jsonl, csv): a query of a million
    rows prints in constant memory. A table shows the first ``table_rows`` and counts the rest."""
    iterator = iter(rows)
    if fmt == "table":
        shown = list(islice(iterator, table_rows))
        left = sum(1 for _ in iterator)
        _table(shown, None)
        total = len(shown) + left
        click.echo(f"({total} row{'s' if total != 1 else ''})")
        if left:
            note(f"{left} more rows not shown in the table; --format jsonl or csv prints them all")
        return
    if fmt == "jsonl":
        for row in iterator:
            click.echo(to_json(row))
    elif fmt == "json":
        first = True
        for row in iterator:
            click.echo(("[\n" if first else ",\n") + _indented(row), nl=False)
            first = False
        click.echo("[]" if first else "\n]")
    else:
        writer: csv.DictWriter[str] | None = None
        for row in iterator:
            buffer = io.StringIO()
            if writer is None:
                writer = csv.DictWriter(buffer, fieldnames=list(row), lineterminator="\n", extrasaction="ignore")
                writer.writeheader()
            else:
                writer = csv.DictWriter(
                    buffer, fieldnames=writer.fieldnames, lineterminator="\n", extrasaction="ignore"
                )
            writer.writerow({k: _cell(row.get(k)) for k in writer.fieldnames})
            click.echo(buffer.getvalue(), nl=False)


def _indented(row: Mapping[str, Any]) -> str:
    return "\n".join("  " + line for line in to_json(row, indent=2).splitlines())
