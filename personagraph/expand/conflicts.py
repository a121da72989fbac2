"""Writes that lose a race to another worker are run again, never reported as errors.

Several workers on one server create the same new persona (its id is a hash of its text) or add
edges to the same node in concurrent transactions. ArcadeDB's Bolt server refuses the second
commit either as a unique-key violation (``Neo.ClientError.Schema.ConstraintValidationFailed``,
which the neo4j driver does not retry) or as a concurrent change to the same record (a
``TransientError`` the driver retries on its own); both reach us as ``StoreConflictError``. Run
again, the transaction finds the other worker's persona and MERGE links to it: the collision is
a merge. With two workers at 100 ms, 3 runs in 4 ended with a worker exiting 4 on the first kind
before this (issue 12); four workers collide a few times a minute, and one retry settles it.
"""

from __future__ import annotations

import logging
import random
import time
from collections.abc import Callable
from typing import Any, TypeVar

from personagraph.errors import StoreConflictError

T = TypeVar("T")
log = logging.getLogger("personagraph.expand")

ATTEMPTS = 12  # each waits twice as long as the last, up to MAX_WAIT: about 8 s in all
FIRST_WAIT = 0.02
MAX_WAIT = 1.0


def retry_conflicts(
    fn: Callable[..., T],
    *args: Any,
    attempts: int = ATTEMPTS,
    on_conflict: Callable[[StoreConflictError], None] | None = None,
    **kwargs: Any,
) -> T:
    """``fn(*args, **kwargs)``, run again after a ``StoreConflictError`` (a jittered, growing wait
    in between, so the colliding workers do not meet again); the last conflict is raised."""
    for attempt in range(1, attempts + 1):
        try:
            return fn(*args, **kwargs)
        except StoreConflictError as exc:
            if attempt >= attempts:
                raise
            if on_conflict is not None:
                on_conflict(exc)
            log.info("write conflict with another worker, attempt %d of %d: %s", attempt, attempts, exc.reason)
            time.sleep(min(MAX_WAIT, FIRST_WAIT * 2 ** (attempt - 1)) * random.uniform(0.5, 1.5))
    raise AssertionError("unreachable")  # the loop returns or raises
