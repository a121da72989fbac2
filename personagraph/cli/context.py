"""What every command shares: settings, the store (opened on first use), output helpers."""

from __future__ import annotations

import sys
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import click

from personagraph.config import Settings

if TYPE_CHECKING:
    from personagraph.store import GraphStore
    from personagraph.vocabulary import Vocabulary


@dataclass
class App:
    settings: Settings
    _store: GraphStore | None = field(default=None, repr=False)

    @classmethod
    def create(cls, **overrides: Any) -> App:
        return cls(Settings.from_env().with_overrides(**overrides))

    @property
    def vocabulary(self) -> Vocabulary:
        from personagraph.vocabulary import Vocabulary

        return Vocabulary.parse(self.settings.relations)

    def store(self, workload: str = "bulk") -> GraphStore:
        """The store named by --store / PERSONAGRAPH_STORE, opened once (``open_store``'s workload)."""
        if self._store is None:
            from personagraph.store import open_store

            self._store = open_store(self.settings.store, self.settings, self.vocabulary, workload)
        return self._store

    def close(self) -> None:
        """Close the store, once. A store that fails to close is reported on one line: after the error
        the command already printed (its exit code kept), or as this command's error (exit 4)."""
        store, self._store = self._store, None
        if store is None:
            return
        from personagraph.errors import PersonaGraphError
        from personagraph.redaction import redact

        leaving = sys.exc_info()[1]  # the command's own error (or exit) on its way out, if any
        try:
            store.close()
        except PersonaGraphError as exc:
            click.echo(redact(f"error: {exc}"), err=True)
            if leaving is None:
                raise SystemExit(exc.exit_code) from None


pass_app = click.make_pass_decorator(App)
"""Decorator giving a command the shared ``App`` as its first argument."""

COMMANDS = "personagraph.commands"


class CommandGroup(click.Group):
    """A group that notes each command it runs in ``ctx.meta[COMMANDS]`` (outermost first), so that
    an error about a parameter can be shown as the flag of the command that was run."""

    def resolve_command(
        self, ctx: click.Context, args: list[str]
    ) -> tuple[str | None, click.Command | None, list[str]]:
        name, command, rest = super().resolve_command(ctx, args)
        if command is not None:
            ctx.meta.setdefault(COMMANDS, []).append(command)
        return name, command, rest
