"""CLI commands of this area (registered on the main group)."""

from __future__ import annotations

import click


def register(main: click.Group) -> None:
    """Add this area's commands to ``main``."""
