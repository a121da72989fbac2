"""The claim protocol of synthesis workers: which groups of a batch this worker asks for.

Several ``synth`` processes started with the same arguments join one batch (``ledger.synth_batch_id``)
and share its groups out by claims, as ``expand`` does with personas (``expand/claims.py``): a
``:SynthClaim`` node per group holds its owner and a lease (``synth/claim_groups.cypher``), renewed
while the group's call runs. A claim is closed as done in the transaction that writes the group's
sample, or as failed when the reply was unusable (no other worker of the run asks again: one worker
would not either; ``synth --batch ID`` does, once the batch is finished). A dead worker's claims on
this host are released at once, others' when their lease ends. The claims go when the batch ends.
Every method runs on a store thread.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from personagraph.expand.conflicts import retry_conflicts
from personagraph.expand.report import worker_is_dead
from personagraph.synth.ledger import RUNNING, SynthBatch, groups_done, sample_id

if TYPE_CHECKING:
    from personagraph.store import GraphStore
    from personagraph.store.base import Row


@dataclass
class Left:
    """The groups of the batch still without a sample (and not given up), as this worker sees them now."""

    claimable: list[int]  # no live lease of another worker holds them
    held: int  # under another worker's live lease
    next_lease_end: float | None  # when the first of those leases ends

    @property
    def total(self) -> int:
        return len(self.claimable) + self.held


class GroupClaims:
    """One worker's claims on the groups of one batch."""

    def __init__(
        self, store: GraphStore, work: SynthBatch, worker: str, todo: list[int], lease: float, redo: bool = False
    ) -> None:
        self.store = store
        self.batch = work.batch.id
        self.worker = worker
        self.todo = todo
        self.lease = lease
        self.redo = redo  # regenerating: a group's old sample does not make it done

    def claim_id(self, group: int) -> str:
        return f"{self.batch}/{group}"

    def claim(self, groups: list[int]) -> list[int]:
        """Claim what is still free of ``groups``; returns the groups this worker now holds."""
        if not groups:
            return []
        now = time.time()
        rows = [{"group": g, "claim": self.claim_id(g), "sample": sample_id(self.batch, g)} for g in groups]
        got = retry_conflicts(
            self.store.run,
            "synth/claim_groups",
            batch=self.batch,
            groups=rows,
            worker=self.worker,
            now=now,
            until=now + self.lease,
            redo=self.redo,
        )
        return [int(r["group"]) for r in got]

    def write(self, rows: list[dict[str, Any]], edge: dict[str, Any], done: list[int], failed: list[int]) -> None:
        """Write samples and close their claims (done), and close the failed groups' claims, in one transaction."""

        def work(tx: Any) -> None:
            now = time.time()
            if rows:
                tx.run("synth/create_samples", rows=rows, edge=edge)
            if done:
                tx.run("synth/close_claims", claims=[self.claim_id(g) for g in done], now=now, failed=False)
            if failed:
                tx.run("synth/close_claims", claims=[self.claim_id(g) for g in failed], now=now, failed=True)

        retry_conflicts(self.store.transaction, work, name="synth_write")

    def renew(self, groups: list[int]) -> None:
        if groups:
            claims = [self.claim_id(g) for g in groups]
            until = time.time() + self.lease
            retry_conflicts(self.store.run, "synth/renew_claims", claims=claims, worker=self.worker, until=until)

    def release(self, groups: list[int]) -> None:
        if groups:
            claims = [self.claim_id(g) for g in groups]
            retry_conflicts(self.store.run, "synth/release_claims", batch=self.batch, worker=self.worker, claims=claims)

    def _state(self) -> list[Row]:
        return self.store.run("synth/claim_state", batch=self.batch)

    def release_dead_workers(self) -> int:
        """Release the open claims of workers that are gone (on this host, or any but us on a one-process store)."""
        single_process = self.store.capabilities.single_process
        workers = {
            str(r["worker"])
            for r in self._state()
            if r["worker"] and r["done_at"] is None and r["failed_at"] is None and r["worker"] != self.worker
        }
        released = 0
        for worker in sorted(workers):
            if worker_is_dead(worker, single_process):
                rows = retry_conflicts(
                    self.store.run, "synth/release_claims", batch=self.batch, worker=worker, claims=None
                )
                released += int(rows[0]["n"]) if rows else 0
        return released

    def left(self) -> Left:
        """The groups still to do: not written (unless regenerating), not closed, and who holds them."""
        found = self.store.run("sampling/get_batch", id=self.batch)
        if not found or found[0]["batch"].get("status") != RUNNING:
            return Left([], 0, None)  # finished (by another worker): nothing may be claimed any more
        claims = {int(r["group"]): r for r in self._state()}
        written = set() if self.redo else groups_done(self.store, self.batch)
        now = time.time()
        claimable: list[int] = []
        ends: list[float] = []
        for group in self.todo:
            row = claims.get(group)
            if group in written or (row is not None and (row["done_at"] is not None or row["failed_at"] is not None)):
                continue
            lease = row["lease_until"] if row is not None else None
            if row is not None and row["worker"] not in (None, self.worker) and lease is not None and lease >= now:
                ends.append(float(lease))
                continue
            claimable.append(group)
        return Left(claimable, len(ends), min(ends) if ends else None)
