"""The claim protocol of the LLM stages: which personas (expand) or texts (t2p) a worker may take.

The frontier is a query (``expand_frontier.cypher``): personas below the hop limit, not expanded,
not under a live lease, lowest hop first, and never more than one hop past the lowest hop that
still has a persona to expand (``expand_open_at_hop.cypher``). A claim (``expand_claim.cypher``)
is atomic in the graph and carries a lease, renewed while the calls run; a dead worker's claims on
this host are released at once, others when their lease ends. Every method runs on a store thread.

Text-to-Persona uses the same protocol on ``:Text`` nodes (``TextClaims``, ``cypher/t2p_*``): a
text is pending until a transaction marks it done together with its personas, and only the worker
holding its claim may do that, so no text is asked twice and none is written twice.
"""

from __future__ import annotations

import random
import time
from collections.abc import Set
from typing import Any

from personagraph.errors import StoreConflictError
from personagraph.expand.conflicts import retry_conflicts
from personagraph.expand.plan import order_frontier
from personagraph.expand.report import ExpandOptions, worker_is_dead
from personagraph.store import GraphStore
from personagraph.store.base import Row

REPRESENTATION_REFRESH = 60.0  # seconds between re-reading cluster/origin counts
# Frontier rows read at once and kept for the next claims. ArcadeDB's index seek reads every
# persona at the hop before LIMIT applies: measured 300-450 ms of CPU per frontier read on a hop of
# 100k personas, limit 72 or not, and as much for the LIMIT 1 of ``expand_open_at_hop``. One read
# per claim capped a 10-minute soak at ~30 calls/s once hops held tens of thousands; one read per
# this many candidates makes it a fraction of a millisecond per persona.
CANDIDATES = 1000


class Claims:
    """One worker's view of the frontier and its claims on it."""

    def __init__(self, store: GraphStore, options: ExpandOptions, worker: str) -> None:
        self.store = store
        self.options = options
        self.worker = worker
        self.low_hop = 0  # no frontier below this hop when last read
        self.lowest_open = 0  # no persona left to expand below this hop when last read (it only grows)
        self._rng = random.Random()
        self._representation: tuple[float, dict[str, int], dict[str, int]] = (0.0, {}, {})
        # Frontier rows read but not yet tried. A stale one is harmless: the claim re-checks each
        # row in the graph, and the hop bound only widens as the lowest open hop goes up.
        self._candidates: list[Row] = []

    def release_dead_workers(self) -> int:
        return release_dead_workers(
            self.store, self.worker, "expand_claims", "expand_release_worker", max_hop=self.options.hops
        )

    def counts(self) -> tuple[dict[str, int], dict[str, int]]:
        stamp, clusters, origins = self._representation
        if time.monotonic() - stamp > REPRESENTATION_REFRESH:
            clusters = {str(r["cluster"]): int(r["n"]) for r in self.store.run("stats_clusters")}
            origins = {str(r["origin"]): int(r["n"]) for r in self.store.run("stats_origins")}
            self._representation = (time.monotonic(), clusters, origins)
        return clusters, origins

    def open_hop(self, exclude: list[str]) -> int | None:
        """The lowest hop with a persona still to expand (claimed or not), None when there is none.

        It never goes down during a run: new personas get their source's hop + 1, and a source is
        at this hop or the next, so the search starts where it last stopped."""
        for hop in range(self.lowest_open, self.options.hops):
            if self.store.run("expand_open_at_hop", hop=hop, exclude=exclude, origins=self.options.origins):
                self.lowest_open = hop
                return hop
        return None

    def frontier(self, want: int, now: float, exclude: list[str]) -> list[Row]:
        """Candidates at the lowest hop that has any, at most one hop past the lowest hop still open.

        Running further ahead would expand a persona before a shorter route to it could appear
        (its hop, and what its answers reach within ``--hops``, would depend on timing): with that
        bound a persona's hop is final when it is claimed, and any number of workers build the
        graph one worker builds. One hop of slack keeps the LLM slots busy across a hop boundary."""
        lowest = self.open_hop(exclude)
        if lowest is None:
            return []
        self.low_hop = max(self.low_hop, lowest)
        for hop in range(self.low_hop, min(lowest + 2, self.options.hops)):
            pool = self.store.run(
                "expand_frontier",
                hop=hop,
                now=now,
                exclude=exclude,
                origins=self.options.origins,
                limit=want,
            )
            if pool:
                self.low_hop = hop
                return pool
        self.low_hop = lowest  # next time look again from the open hop: claims released elsewhere reappear there
        return []

    def claim(self, want: int, failed: Set[str]) -> tuple[list[Row], bool]:
        """Claim up to ``want`` personas, none of ``failed``; also says whether the frontier showed any.

        ``failed`` is read now, on the store thread, not when the call was queued: a persona that
        failed (and was released) meanwhile must not be claimed again by the call already waiting.
        (Copying a set of strings holds the GIL throughout, so the loop cannot change it mid-copy.)
        The copy may still predate a failure; the check after the claim closes that gap."""
        now = time.time()
        pool = [row for row in self._candidates if row["id"] not in failed]
        if len(pool) < want:
            pool = self.frontier(max(want, CANDIDATES), now, sorted(failed))
        if not pool:
            self._candidates = []
            return [], False
        clusters, origins = self.counts()
        picked = order_frontier(pool, want, clusters, origins, self._rng)
        taken = set(picked)
        self._candidates = [row for row in pool if row["id"] not in taken]
        try:
            rows = self.store.run(
                "expand_claim", ids=picked, worker=self.worker, now=now, until=now + self.options.lease
            )
        except StoreConflictError:
            return [], True  # another worker's claim won the race; read the frontier again
        # A persona that failed while this call ran was released after joining ``failed``: if the
        # claim got it, that release came first, so the check below sees it. Hand it back.
        again = [str(r["id"]) for r in rows if r["id"] in failed]
        if again:
            self.release(again)
            rows = [r for r in rows if r["id"] not in failed]
        return rows, True

    def pending_state(self, failed: Set[str]) -> Row:
        rows = self.store.run(
            "expand_pending",
            max_hop=self.options.hops,
            exclude=sorted(failed),
            origins=self.options.origins,
            now=time.time(),
        )
        return rows[0] if rows else {"pending": 0, "leased": 0, "next_lease_end": None}

    def renew(self, ids: list[str]) -> None:
        if ids:
            until = time.time() + self.options.lease
            retry_conflicts(self.store.run, "expand_renew", ids=ids, worker=self.worker, until=until)

    def release(self, ids: list[str]) -> None:
        if ids:
            retry_conflicts(self.store.run, "expand_release", ids=ids, worker=self.worker)


def release_dead_workers(store: GraphStore, me: str, claims_query: str, release_query: str, **params: Any) -> int:
    """Release the claims of workers on this host whose process is gone (any other worker's, on a
    store only one process opens); returns how many claims were released."""
    released = 0
    single_process = store.capabilities.single_process
    for row in store.run(claims_query, **params):
        worker = str(row["worker"])
        if worker != me and worker_is_dead(worker, single_process):
            released += int(store.run(release_query, worker=worker)[0]["n"])
    return released


class TextClaims:
    """One Text-to-Persona worker's claims on the pending texts (all of them, or ``ids``).

    A walk in id order from a cursor finds the texts to claim, so a claim reads past the texts
    already done once per run, not once per claim; at the end of the walk it starts again from the
    first id, where texts released by failed or dead workers, or whose lease ended, reappear."""

    def __init__(
        self, store: GraphStore, worker: str, key: str, run: str, lease: float, ids: list[str] | None = None
    ) -> None:
        self.store = store
        self.worker = worker
        self.key = key  # '' with --redo: a text is pending until this run has done it
        self.run = run
        self.lease = lease
        self.ids = sorted(set(ids)) if ids is not None else None  # in the id order the queries return
        self._after: str | int = 0 if ids is not None else ""  # the cursor: an index into ids, or the last id read

    def release_dead_workers(self) -> int:
        return release_dead_workers(self.store, self.worker, "t2p_claims", "t2p_release_worker")

    def _free(self, want: int, now: float, exclude: list[str]) -> list[str]:
        """Up to ``want`` claimable ids from the cursor on (the cursor moves past them)."""
        scope: dict[str, Any] = {"key": self.key, "run": self.run, "now": now, "exclude": exclude}
        if self.ids is None:
            after = str(self._after)
            rows = self.store.run("t2p_free_texts", after=after, limit=want, **scope)
            if rows:
                self._after = str(rows[-1]["id"])
            return [str(r["id"]) for r in rows]
        found: list[str] = []
        start = int(self._after)
        while start < len(self.ids) and len(found) < want:
            chunk = self.ids[start : start + max(want, 256)]
            free = [str(r["id"]) for r in self.store.run("t2p_free_texts_by_id", ids=chunk, **scope)]
            taken = free[: want - len(found)]
            found += taken
            # Past the chunk when all of it was taken; otherwise just past the last id taken.
            start = start + len(chunk) if len(taken) == len(free) else self.ids.index(taken[-1], start) + 1
        self._after = start
        return found

    def claim(self, want: int, failed: Set[str]) -> tuple[list[Row], bool]:
        """Claim up to ``want`` texts, none of ``failed``; also says whether any text looked claimable
        (True with no rows: another worker won the race for them, read again)."""
        now = time.time()
        exclude = sorted(failed)
        ids = self._free(want, now, exclude)
        if not ids and self._after not in ("", 0):  # the walk is over: look again from the first id
            self._after = 0 if self.ids is not None else ""
            ids = self._free(want, now, exclude)
        if not ids:
            return [], False
        try:
            rows = self.store.run(
                "t2p_claim", ids=ids, key=self.key, run=self.run, worker=self.worker, now=now, until=now + self.lease
            )
        except StoreConflictError:
            return [], True  # another worker's claim won the race
        rows = sorted(rows, key=lambda r: str(r["id"]))
        again = [str(r["id"]) for r in rows if r["id"] in failed]  # failed meanwhile (see Claims.claim)
        if again:
            self.release(again)
            rows = [r for r in rows if r["id"] not in failed]
        return rows, True

    def pending_state(self, failed: Set[str]) -> Row:
        """How many texts are left (claimed or not) and when the earliest live lease ends."""
        scope: dict[str, Any] = {"key": self.key, "run": self.run, "now": time.time(), "exclude": sorted(failed)}
        if self.ids is None:
            rows = self.store.run("t2p_open", **scope)
        else:
            rows = self.store.run("t2p_open_by_id", ids=self.ids, **scope)
        return rows[0] if rows else {"pending": 0, "leased": 0, "next_lease_end": None}

    def renew(self, ids: list[str]) -> None:
        if ids:
            until = time.time() + self.lease
            retry_conflicts(self.store.run, "t2p_renew", ids=ids, worker=self.worker, until=until)

    def release(self, ids: list[str]) -> None:
        if ids:
            retry_conflicts(self.store.run, "t2p_release", ids=ids, worker=self.worker)
