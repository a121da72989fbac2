"""Progress on stderr: a rich bar on a terminal; a plain line now and then when stderr is a file or a
pipe (a long import under nohup or a batch scheduler); nothing when CI is set."""

from __future__ import annotations

import os
import sys
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

# Seconds between two progress lines when stderr is not a terminal (PERSONAGRAPH_PROGRESS_SECONDS).
LINE_SECONDS = 60.0


@contextmanager
def progress_bar(description: str, total: int | None = None, unit: str = "records") -> Iterator[Callable[[int], None]]:
    """Yield ``advance(n)``; shows a rich bar with count, rate and times on an interactive terminal."""
    if os.environ.get("CI"):
        yield lambda n: None
        return
    if not sys.stderr.isatty():
        with _progress_lines(description, total, unit) as advance:
            yield advance
        return
    from rich.console import Console
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, ProgressColumn, TextColumn, TimeElapsedColumn
    from rich.text import Text

    class RateColumn(ProgressColumn):
        def render(self, task: Any) -> Text:
            speed = task.finished_speed or task.speed
            return Text(f"{speed:,.0f} {unit}/s" if speed else "")

    columns = [TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(), RateColumn(), TimeElapsedColumn()]
    with Progress(*columns, console=Console(stderr=True), transient=True) as progress:
        task = progress.add_task(description, total=total)
        yield lambda n: progress.advance(task, n)


@contextmanager
def _progress_lines(description: str, total: int | None, unit: str) -> Iterator[Callable[[int], None]]:
    """One line on stderr every ``LINE_SECONDS`` of work (none for work that ends sooner), and a last
    line at the end once any was written: count, share of the total, rate, elapsed time."""
    try:
        every = float(os.environ.get("PERSONAGRAPH_PROGRESS_SECONDS", LINE_SECONDS))
    except ValueError:
        every = LINE_SECONDS
    started = time.monotonic()
    state = {"done": 0, "next": started + every, "lines": 0}

    def line(now: float) -> None:
        done, elapsed = state["done"], now - started
        share = f" of {total:,} ({100 * done / total:.0f}%)" if total else ""
        rate = f", {done / elapsed:,.0f} {unit}/s" if elapsed > 0 else ""
        minutes, seconds = divmod(int(elapsed), 60)
        print(
            f"{description}: {done:,}{share} {unit}{rate}, {minutes}:{seconds:02d} elapsed", file=sys.stderr, flush=True
        )
        state["lines"] += 1

    def advance(n: int) -> None:
        state["done"] += n
        now = time.monotonic()
        if now >= state["next"]:
            line(now)
            state["next"] = now + every

    yield advance
    if state["lines"]:
        line(time.monotonic())
