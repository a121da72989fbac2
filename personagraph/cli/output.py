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

Output cannot hurt its reader (issue 15, part 8):

- CSV: a text cell that begins with ``=``, ``+``, ``-``, ``@``, a tab or a carriage return gets a
  leading ``'`` (OWASP's "CSV injection" advice), so a spreadsheet shows it as text instead of
  running it as a formula (``=HYPERLINK(…)``, ``+cmd|…``, ``@SUM(…)``); numbers are left as they are.
- table and plain text: terminal escape sequences (ESC …, CSI, OSC) and the other C0 and C1 control
  characters are stripped (``\n`` and ``\t`` kept), as are the bidirectional overrides that
  reorder what a terminal shows; table cells are never read as Rich markup (``[link=…]``).
- JSON: C1 controls, DEL and bidirectional overrides are written as ``\\u`` escapes (the value
  is unchanged; the json module already escapes C0).

``--raw`` (every command with ``--format``) writes CSV and table cells as they are.

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
import re
from collections.abc import Callable, Iterable, Mapping, Sequence
from itertools import islice
from typing import Any

import click

FORMATS = ("table", "json", "jsonl", "csv")
RAW = "personagraph.raw_output"  # click context meta key set by --raw
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
_BIDI = "\u202a-\u202e\u2066-\u2069"
# ESC followed by a CSI (ESC [ … final byte), an OSC/DCS/PM/APC string (ended by BEL or ESC \\), or
# one more character; then any C0 control but \t and \n, DEL, C1, and the bidi overrides.
_TERMINAL = re.compile(
    f"\x1b\\[[0-?]*[ -/]*[@-~]?|\x1b[\\]PX^_].*?(?:\x07|\x1b\\\\|$)|\x1b.?|[\x00-\x08\x0b-\x1f\x7f-\x9f{_BIDI}]",
    re.DOTALL,
)
_JSON_UNSAFE = re.compile(f"[\x7f-\x9f{_BIDI}\u2028\u2029]")


def _raw_flag(ctx: click.Context, _param: click.Parameter, value: bool) -> bool:
    if value:
        ctx.meta[RAW] = True
    return value


def output_option(default: str = "table") -> Callable[[Callable[..., Any]], Callable[..., Any]]:
    """The ``--format`` option (the command receives it as ``fmt``) and ``--raw`` (kept in the context)."""
    format_option = click.option(
        "--format",
        "fmt",
        type=click.Choice(FORMATS),
        default=default,
        show_default=True,
        help="Output format: a table to read, or JSON, JSON lines or CSV to parse.",
    )
    raw_option = click.option(
        "--raw",
        is_flag=True,
        expose_value=False,
        callback=_raw_flag,
        help="Cells as they are: no quote before CSV cells starting = + - @, no control characters stripped.",
    )

    def decorate(command: Callable[..., Any]) -> Callable[..., Any]:
        return format_option(raw_option(command))

    return decorate


def raw_output() -> bool:
    """Whether ``--raw`` was given to the running command."""
    ctx = click.get_current_context(silent=True)
    return bool(ctx is not None and ctx.meta.get(RAW))  # click shares meta across nested contexts


def terminal_text(text: str) -> str:
    """``text`` without escape sequences and control characters (``\n`` and ``\t`` kept)."""
    return _TERMINAL.sub("", text)


def csv_text(text: str) -> str:
    """A CSV cell a spreadsheet shows as text: a leading ``'`` when it could start a formula."""
    return "'" + text if text.startswith(FORMULA_STARTS) else text


def echo(message: str = "", err: bool = False, nl: bool = True) -> None:
    """``click.echo`` of text that may hold stored content (persona texts, names, LLM replies)."""
    click.echo(message if raw_output() else terminal_text(message), err=err, nl=nl)


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
    """Strict JSON text of ``value`` (see ``plain``); C1 controls and bidi overrides as ``\\u`` escapes."""
    text = json.dumps(plain(value), ensure_ascii=False, indent=indent, allow_nan=False)
    return _JSON_UNSAFE.sub(lambda m: f"\\u{ord(m.group()):04x}", text)


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


def csv_cell(value: Any, raw: bool = False) -> str:
    """One CSV cell: text neutralised against formulas (unless ``raw``); numbers as they are."""
    cell = _cell(value)
    return cell if raw or not isinstance(value, str) else csv_text(cell)


def _csv(rows: Sequence[Mapping[str, Any]]) -> None:
    columns = _columns(rows)
    raw = raw_output()
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    # The csv module quotes a cell holding the line terminator ("\n") but not a lone "\r", which
    # then splits the row for every reader; a row with one is written fully quoted.
    quoted = csv.writer(buffer, lineterminator="\n", quoting=csv.QUOTE_ALL)
    for cells in (
        [csv_cell(name, raw) for name in columns],
        *([csv_cell(r.get(k), raw) for k in columns] for r in rows),
    ):
        (quoted if any("\r" in cell for cell in cells) else writer).writerow(cells)
    click.echo(buffer.getvalue(), nl=False)


def _table(rows: Sequence[Mapping[str, Any]], title: str | None) -> None:
    from rich.console import Console
    from rich.table import Table
    from rich.text import Text

    clean = (lambda text: text) if raw_output() else terminal_text
    # Text, not str: Rich reads a str cell as markup, and "[link=…]" in a persona is a hyperlink.
    table = Table(title=Text(clean(title)) if title else None, show_lines=False)
    columns = _columns(rows)
    for column in columns:
        table.add_column(Text(clean(column)), overflow="fold")
    for row in rows:
        table.add_row(*(Text(clean(_cell(row.get(k)))) for k in columns))
    Console(soft_wrap=False).print(table)


def print_coverage(report: dict[str, Any], title: str, store: Any = None) -> None:
    """The coverage table, and (given the store) the clusters drawn from, with their labels."""
    from personagraph.sampling.summary import cluster_rows, coverage_rows

    emit(coverage_rows(report), "table", title=title)
    if store is not None and (report.get("clusters") or {}).get("batch"):
        from personagraph.sampling.strata import cluster_names

        emit(cluster_rows(report, cluster_names(store)), "table", title="clusters in the batch")
    if report.get("target"):
        print_target(report["target"])


def print_target(target: dict[str, Any], show: int = 30) -> None:
    """Achieved against target per cell (largest targets first), the TVD beside a random batch's, and
    the cells the candidates cannot fill."""
    cells = sorted(target.get("cells", []), key=lambda r: -float(r.get("target", 0)))
    more = f", the {show} largest of {len(cells)}" if len(cells) > show else ""
    emit(cells[:show], "table", title=f"target over {', '.join(target['attributes'])} ({target['kind']}{more})")
    random = target.get("tvd_random")
    click.echo(
        f"total variation distance to the target: {target['tvd']:.4f}"
        + (f" (a random batch of the same size: {random:.4f})" if random is not None else "")
    )
    short = target.get("unfillable") or []
    if short:
        names = "; ".join(
            f"{'/'.join(str(r[a]) for a in target['attributes'])} ({r['candidates']} of {r['target_n']:g})"
            for r in short[:10]
        )
        click.echo(f"cells the candidates cannot fill ({len(short)}): {names}" + (" ..." if len(short) > 10 else ""))
    for item in target.get("unreachable") or []:
        click.echo(f"no candidate has {item['attribute']} = {item['value']} (target share {item['target']:.2%})")


def note(message: str) -> None:
    echo(f"note: {message}", err=True)


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
        raw = raw_output()
        columns: list[str] | None = None
        for row in iterator:
            buffer = io.StringIO()
            if columns is None:
                columns = list(row)
                csv.writer(buffer, lineterminator="\n").writerow([csv_cell(name, raw) for name in columns])
            cells = [csv_cell(row.get(k), raw) for k in columns]
            # As in _csv: a lone "\r" is not quoted by the csv module and would split the row.
            if any("\r" in cell for cell in cells):
                csv.writer(buffer, lineterminator="\n", quoting=csv.QUOTE_ALL).writerow(cells)
            else:
                csv.writer(buffer, lineterminator="\n").writerow(cells)
            click.echo(buffer.getvalue(), nl=False)


def _indented(row: Mapping[str, Any]) -> str:
    return "\n".join("  " + line for line in to_json(row, indent=2).splitlines())
