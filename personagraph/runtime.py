"""Python runtime settings for long jobs that share the process with the embedded store's JVM.

JPype runs a full Python garbage collection, holding the GIL, after Java collections; a bulk
load makes many of both. A full collection walks every tracked object, so with a large in-memory
id index each pass costs tens of milliseconds (measured: importing 900k relations, 38.9 s with
the collector on, 30.8 s with it paused; in an expansion at 64 calls in flight, 17% of GIL time).

- ``paused_gc``: no cyclic collection for the duration (bulk loads: their rows are freed by
  reference counting; one collection runs at the end).
- ``frozen_gc``: objects alive at the start are left out of every collection (long LLM runs, whose
  new objects must still be collected).
"""

from __future__ import annotations

import gc
import os
import signal
from collections.abc import Iterator
from contextlib import contextmanager


@contextmanager
def paused_gc() -> Iterator[None]:
    """Disable the cyclic garbage collector inside the block (re-entrant; restores the old state)."""
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()
            gc.collect()


@contextmanager
def frozen_gc() -> Iterator[None]:
    """Move what exists now out of the collector's sight for the block, then back."""
    gc.collect()
    gc.freeze()
    try:
        yield
    finally:
        gc.unfreeze()


# -- kill points (tests) -------------------------------------------------------------------------
# The crash harness (tests/e2e/test_kill_harness.py) sets PERSONAGRAPH_KILL_AT=<stage>:<n>: the
# n-th time the process passes the checkpoint named <stage> it sends itself SIGKILL, so a crash
# lands at the same place on every run. Unset, a checkpoint costs one global lookup.
KILL_ENV = "PERSONAGRAPH_KILL_AT"
_kill_at: tuple[str, int] | None = None
_kill_hits = 0


def _read_kill_plan() -> tuple[str, int] | None:
    stage, _, count = os.environ.get(KILL_ENV, "").partition(":")
    return (stage, int(count or "1")) if stage else None


def checkpoint(stage: str) -> None:
    """A named place where the crash harness may kill the process (see ``KILL_ENV``)."""
    global _kill_hits
    if _kill_at is None or _kill_at[0] != stage:
        return
    _kill_hits += 1
    if _kill_hits >= _kill_at[1]:
        os.kill(os.getpid(), signal.SIGKILL)


_kill_at = _read_kill_plan()
