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
