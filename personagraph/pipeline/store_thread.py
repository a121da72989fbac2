"""Run store calls on one dedicated thread, so the event loop keeps the LLM calls flowing.

The embedded store is an in-process JVM and the Bolt driver is synchronous; either would stall
every pending HTTP request while a batch is written if called on the loop itself.

The thread also freezes Python's garbage collector's view of the objects that exist when it
starts (``gc.freeze``): JPype runs a full Python collection from its own thread, holding the GIL,
after Java collections, and those full passes over every module, class and client object stalled
the event loop (measured with py-spy: 17% of GIL time in an expansion at 64 calls in flight).
Frozen objects are skipped by collections; what the run allocates is still collected.
"""

from __future__ import annotations

import asyncio
import gc
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from functools import partial
from typing import Any, TypeVar

T = TypeVar("T")


class StoreThread:
    """``await thread(fn, *args)`` runs ``fn`` on the store thread; calls run one at a time, in order."""

    def __init__(self) -> None:
        self._pool = ThreadPoolExecutor(max_workers=1, thread_name_prefix="personagraph-store")
        gc.collect()
        gc.freeze()

    async def __call__(self, fn: Callable[..., T], *args: Any, **kwargs: Any) -> T:
        loop = asyncio.get_running_loop()
        return await loop.run_in_executor(self._pool, partial(fn, *args, **kwargs))

    def sync(self, fn: Callable[..., T], *args: Any, **kwargs: Any) -> T:
        """Run on the store thread and wait (for clean-up code outside the loop)."""
        return self._pool.submit(partial(fn, *args, **kwargs)).result()

    def close(self) -> None:
        self._pool.shutdown(wait=True)
        gc.unfreeze()
