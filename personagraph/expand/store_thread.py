"""Run store calls on one dedicated thread, so the event loop keeps the LLM calls flowing.

The embedded store is an in-process JVM and the Bolt driver is synchronous; either would stall
every pending HTTP request while a batch is written if called on the loop itself.

While a store thread lives, the objects that existed when it started are out of the garbage
collector's sight (``runtime.frozen_gc``): the full collections JPype runs after Java ones would
otherwise walk every module, class and client object and stall the event loop.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from contextlib import ExitStack
from functools import partial
from typing import Any, TypeVar

from personagraph.runtime import frozen_gc

T = TypeVar("T")


class StoreThread:
    """``await thread(fn, *args)`` runs ``fn`` on the store thread; calls run one at a time, in order.

    With ``threads`` > 1, that many calls may run at once (the caller orders what must be ordered):
    expansion claims its next personas while a batch is being written. On one thread a claim
    waited for the write before it, 1.5 s on average over Bolt on a loaded machine, with no
    request in flight meanwhile (benchmarks/llm_pipeline.py --only-workers)."""

    def __init__(self, threads: int = 1) -> None:
        self._pool = ThreadPoolExecutor(max_workers=threads, thread_name_prefix="personagraph-store")
        self._cleanup = ExitStack()
        self._cleanup.enter_context(frozen_gc())

    async def __call__(self, fn: Callable[..., T], *args: Any, **kwargs: Any) -> T:
        loop = asyncio.get_running_loop()
        return await loop.run_in_executor(self._pool, partial(fn, *args, **kwargs))

    def sync(self, fn: Callable[..., T], *args: Any, **kwargs: Any) -> T:
        """Run on the store thread and wait (for clean-up code outside the loop)."""
        return self._pool.submit(partial(fn, *args, **kwargs)).result()

    def close(self) -> None:
        self._pool.shutdown(wait=True)
        self._cleanup.close()
