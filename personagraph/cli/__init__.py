"""The ``personagraph`` command: a thin Click layer over the Python API.

Each area registers its commands from its own module; heavy libraries are imported inside the
commands, so ``personagraph --help`` stays fast. Every PersonaGraphError becomes one line on
stderr and the exit code of its class.
"""

from __future__ import annotations

import os
import re
import sys
from typing import Any

import click

from personagraph.cli.context import COMMANDS, App, CommandGroup
from personagraph.errors import PersonaGraphError, mention
from personagraph.redaction import redact


def option_of(param: str, commands: list[click.Command]) -> click.Option | None:
    """The option of the innermost command that takes ``param``: by its name, else by its flag."""
    flag = "--" + param.replace("_", "-")
    for command in reversed(commands):
        options = [o for o in command.params if isinstance(o, click.Option)]
        found = next((o for o in options if o.name == param), None) or next(
            (o for o in options if flag in o.opts), None
        )
        if found is not None:
            return found
    return None


def with_flags(text: str, params: tuple[str, ...], commands: list[click.Command]) -> str:
    """``text`` with the first mention of each parameter written as the command's flag (a flag's
    ``write=True`` as ``--write``)."""
    for param in params:
        option = option_of(param, commands)
        if option is None:
            continue
        flag = next((o for o in option.opts if o.startswith("--")), option.opts[0])
        suffix = "(?:=True)?" if option.is_flag else ""
        pattern = mention(param).pattern.replace("(?![", suffix + "(?![", 1)
        text = re.sub(pattern, flag, text, count=1)
    return text


def error_line(exc: PersonaGraphError, commands: list[click.Command]) -> str:
    """``error: <message> (<hint>)``, parameters shown as the flags of the commands that were run."""
    message = with_flags(exc.message, exc.params, commands)
    hint = with_flags(exc.hint, exc.params, commands) if exc.hint else None
    return redact(f"error: {message}" + (f" ({hint})" if hint else ""))


class Group(CommandGroup):
    """Maps PersonaGraph's errors to ``error: <message>`` and the error's exit code."""

    def invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except PersonaGraphError as exc:
            click.echo(error_line(exc, [ctx.command, *ctx.meta.get(COMMANDS, [])]), err=True)
            sys.exit(exc.exit_code)
        except KeyboardInterrupt:
            from personagraph.runtime import INTERRUPTED, interrupt_exit_code, report_interrupt, signalled

            if not signalled():  # raised by code, not by a signal (an in-process runner): exit normally
                click.echo(INTERRUPTED, err=True)
                sys.exit(130)
            report_interrupt()
            # Close the store (what was committed is kept; the transaction in flight is rolled
            # back), then leave at once: the interpreter's own exit waits on the JVM's threads
            # and was seen to end with status 1 instead of 143.
            if isinstance(ctx.obj, App):
                ctx.obj.close()
            sys.stdout.flush()
            sys.stderr.flush()
            os._exit(interrupt_exit_code())


@click.group(cls=Group, context_settings={"help_option_names": ["-h", "--help"], "max_content_width": 100})
@click.option(
    "--store",
    envvar="PERSONAGRAPH_STORE",
    metavar="PATH|URL",
    help="Embedded store folder, or a Bolt URL (bolt://, neo4j://, neo4j+s://). "
    "Env: PERSONAGRAPH_STORE; default ./personagraph-store. Password from PERSONAGRAPH_PASSWORD. "
    "An embedded store runs a JVM in this process: PERSONAGRAPH_JVM_HEAP (default 4g), "
    "PERSONAGRAPH_JVM_JIT=full|quick (default quick for t2p, expand and synth).",
)
@click.option("--database", envvar="PERSONAGRAPH_DATABASE", help="Database name (default: personas).")
@click.option(
    "--relations",
    envvar="PERSONAGRAPH_RELATIONS",
    metavar="TYPES",
    help="Comma-separated relation vocabulary (default: COLLEAGUE,PATIENT_OF,RIVAL,MENTOR_OF,...); "
    "TYPE/INVERSE declares an inverse name (LANDLORD_OF/TENANT_OF), TYPE/TYPE a symmetric type.",
)
@click.version_option(package_name="personagraph")
@click.pass_context
def main(ctx: click.Context, store: str | None, database: str | None, relations: str | None) -> None:
    """PersonaGraph: personas as a graph, for synthetic data and game casts.

    Import or generate personas, grow them through their relations, deduplicate, sample
    coverage-aware batches, synthesize data, and export NPC casts. Start with
    `personagraph demo`.
    """
    from personagraph.runtime import interrupts_end_the_process

    # Ctrl-C / SIGTERM end every command within seconds, even inside a long engine call.
    ctx.with_resource(interrupts_end_the_process())
    ctx.obj = App.create(store=store, database=database, relations=relations)
    ctx.call_on_close(ctx.obj.close)


def _register() -> None:
    from personagraph.cli import (
        attribute_cmds,
        cast_cmds,
        check_cmds,
        dedup_cmds,
        explore_cmds,
        export_cmds,
        judge_cmds,
        llm_cmds,
        query_cmds,
        sampling_cmds,
        store_cmds,
        synth_cmds,
    )

    for module in (
        store_cmds,
        query_cmds,
        export_cmds,
        llm_cmds,
        dedup_cmds,
        sampling_cmds,
        synth_cmds,
        judge_cmds,
        cast_cmds,
        explore_cmds,
        attribute_cmds,
        check_cmds,
    ):
        module.register(main)


_register()
