"""The two loops every claiming worker runs beside its LLM calls: the batch writer and the lease heartbeat.

Expansion (``p2p``) and text-to-persona (``t2p``) workers both answer in batches and hold claims
with a lease; both need the same two background tasks, so they live here once.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Awaitable, Callable, Collection
from typing import Any

from personagraph.expand.store_thread import StoreThread


async def write_batches(flush_now: asyncio.Event, interval: float, flush: Callable[[], Awaitable[None]]) -> None:
    """Write what is pending when ``flush_now`` is set, and at least every ``interval`` seconds."""
    while True:
        with contextlib.suppress(asyncio.TimeoutError):
            await asyncio.wait_for(flush_now.wait(), interval)
        flush_now.clear()
        await flush()


async def renew_leases(
    thread: StoreThread, renew: Callable[[list[str]], Any], in_flight: Collection[str], lease: float
) -> None:
    """Renew the claims still in flight three times a lease (at most every half second), on the store thread."""
    while True:
        await asyncio.sleep(max(0.5, lease / 3))
        await thread(renew, list(in_flight))
