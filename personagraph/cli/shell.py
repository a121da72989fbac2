"""`personagraph shell`: an interactive Cypher shell on one open store (one JVM for the session).

Statements may span lines and end with ``;`` (the lexer decides, so a ``;`` in a string or comment
does not end one). Lines starting with ``:`` are shell commands when no statement is open:
``:help``, ``:exit`` (or ``:quit``), ``:params`` (show), ``:params {json}`` (replace all),
``:param name => value`` (one; the value is JSON if it parses, else text). Rows print as a table.
The read-only rule of ``query`` holds for every statement unless the shell runs with ``--write``.

At a terminal it reads with prompt_toolkit (line editing, history in the cache folder); from a pipe
it reads stdin line by line with no prompt, runs every statement, and exits with the code of the
last error (0 if none), as a script expects.
"""

from __future__ import annotations

import json
import sys
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click

from personagraph.cli.output import emit
from personagraph.errors import ConfigError, PersonaGraphError
from personagraph.store.cypher_lexer import SYMBOL, tokens
from personagraph.store.statements import split_statements

if TYPE_CHECKING:
    from personagraph.store import GraphStore

HELP = """Cypher statements end with ';' and may span lines. Shell commands:
  :params                 show the parameters
  :params {"k": 5}        replace all parameters (a JSON object)
  :param name => value    set one parameter (JSON if it parses, else text); use it as $name
  :help                   this text
  :exit                   leave (also :quit, or Ctrl-D)"""


def read_lines(history: Path | None) -> Iterator[str]:
    """Lines from the terminal (prompt_toolkit, with history) or from a pipe (no prompt)."""
    if not sys.stdin.isatty():
        for line in sys.stdin:
            yield line.rstrip("\n")
        return
    from prompt_toolkit import PromptSession
    from prompt_toolkit.history import FileHistory, InMemoryHistory

    if history is not None:
        history.parent.mkdir(parents=True, exist_ok=True)
    session: PromptSession[str] = PromptSession(
        history=FileHistory(str(history)) if history is not None else InMemoryHistory()
    )
    continuing = False
    while True:
        try:
            yield session.prompt("     > " if continuing else "cypher> ")
        except KeyboardInterrupt:  # Ctrl-C drops the statement being typed, as in cypher-shell
            continuing = False
            yield "\x03"
            continue
        except EOFError:
            return
        continuing = True


def _param(text: str) -> tuple[str, Any]:
    name, arrow, raw = text.partition("=>")
    if not arrow or not name.strip().isidentifier():
        raise ConfigError(f"bad parameter line {text!r}", hint=":param name => value")
    try:
        value = json.loads(raw)
    except json.JSONDecodeError:
        value = raw.strip()
    return name.strip(), value


def _ends_statement(buffer: str) -> bool:
    return any(t.kind == SYMBOL and t.text == ";" for t in tokens(buffer))


class Shell:
    def __init__(self, store: Callable[[], GraphStore], write: bool, warn: Callable[[Any, str], None]) -> None:
        self.store = store
        self.write = write
        self.warn = warn
        self.params: dict[str, Any] = {}
        self.exit_code = 0

    def command(self, line: str) -> bool:
        """Run a ``:command``; False when it asks to leave."""
        word, _, rest = line[1:].strip().partition(" ")
        word = word.lower()
        if word in ("exit", "quit"):
            return False
        if word == "help":
            click.echo(HELP)
        elif word == "params" and not rest.strip():
            click.echo(json.dumps(self.params, ensure_ascii=False))
        elif word == "params":
            value = json.loads(rest)
            if not isinstance(value, dict):
                raise ConfigError(":params takes a JSON object", hint=':params {"k": 5}')
            self.params = value
        elif word == "param":
            name, value = _param(rest)
            self.params[name] = value
        else:
            raise ConfigError(f"unknown shell command :{word}", hint=":help lists them")
        return True

    def statement(self, text: str) -> None:
        self.warn(text, "shell")
        rows = self.store().cypher(text, self.params, write=self.write)
        emit(rows, "table")

    def run(self, lines: Iterator[str]) -> int:
        buffer = ""
        for line in lines:
            if line == "\x03":
                buffer = ""
                continue
            try:
                if not buffer.strip() and line.strip().startswith(":"):
                    if not self.command(line):
                        return self.exit_code
                    continue
                buffer += line + "\n"
                if not _ends_statement(buffer):
                    continue
                statements = split_statements(buffer)
                last = statements[-1] if statements else None
                complete = buffer.rstrip().endswith(";") or last is None
                # A statement after the last ';' on the line stays open for the next lines.
                todo = statements if complete else statements[:-1]
                buffer = "" if complete else last.text + "\n"  # type: ignore[union-attr]
                for statement in todo:
                    self.statement(statement.text)
            except json.JSONDecodeError as exc:
                self._error(ConfigError(f":params: not JSON ({exc.msg})"))
            except PersonaGraphError as exc:
                self._error(exc)
        if buffer.strip():  # the input ended inside a statement: run it
            try:
                self.statement(buffer)
            except PersonaGraphError as exc:
                self._error(exc)
        return self.exit_code

    def _error(self, exc: PersonaGraphError) -> None:
        from personagraph.cli import error_line

        context = click.get_current_context(silent=True)
        click.echo(error_line(exc, [context.command] if context else []), err=True)
        self.exit_code = exc.exit_code
