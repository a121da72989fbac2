"""Text-to-Persona: who is likely to read, write, like or dislike each text (Persona Hub, 2.1).

Texts come from ``:Text`` nodes not yet processed with this prompt version and granularity (a
mark on the text, written in the same transaction as its personas), or from files, imported as
``:Text`` nodes first. Each persona is stored with origin ``text`` and hop 0, with a
``DERIVED_FROM`` edge to its text carrying model, prompt version, run, stance and granularity.

Several workers (processes, or machines sharing one Bolt server) split the texts through claims
with a lease, the protocol of ``expand`` (claims.py): a worker asks only about texts it holds, and
writes a text's personas only while it still holds it, in the transaction that marks the text
done. A killed worker's texts are released by the next run on its host, or when their lease ends;
a persona two workers create at once is a unique-key conflict, run again as a merge (conflicts.py).
"""

from __future__ import annotations

import asyncio
import contextlib
import random
import time
from collections import Counter
from collections.abc import Callable, Iterable, Iterator
from typing import Any

from personagraph import prompts
from personagraph.errors import StoreConflictError
from personagraph.expand.background import renew_leases, write_batches
from personagraph.expand.claims import TextClaims
from personagraph.expand.conflicts import retry_conflicts
from personagraph.expand.plan import clean_text
from personagraph.expand.report import new_run_id, new_worker_id
from personagraph.expand.store_thread import StoreThread
from personagraph.expand.t2p_report import (
    STANCES,
    Granularity,
    InferredPersona,
    T2POptions,
    T2PReply,
    T2PReport,
    normalise_stance,
)
from personagraph.llm import LLMClient, LLMResult
from personagraph.llm.lifecycle import DryRunReport, dry_run_report, run_stage
from personagraph.llm.tokens import cut_to_budget
from personagraph.models import Persona, now_iso
from personagraph.resolve import Resolver
from personagraph.store import GraphStore
from personagraph.store.base import Row

PAGE = 256  # texts per page read by a dry run
POLL = 0.25  # seconds between looks at texts other workers hold


class TextToPersona:
    """One Text-to-Persona run over the store; ``await TextToPersona(...).run()``."""

    def __init__(
        self,
        store: GraphStore,
        client: LLMClient | None,
        options: T2POptions,
        resolver: Resolver | None = None,
        on_progress: Callable[[int], None] | None = None,
    ) -> None:
        """``client`` may be None for a dry run (prompts only)."""
        self.store = store
        self.client = client
        self.options = options
        self.resolver = resolver
        self.on_progress = on_progress
        self.prompt = prompts.load("t2p")
        self.key = f"{self.prompt.ref}/{options.granularity}"
        self.report = T2PReport(
            run=options.run_id or new_run_id("t2p"),
            model=client.model if client else "",
            prompt=self.prompt.ref,
            granularity=options.granularity,
            worker=options.worker or new_worker_id(),
            failures_path=str(client.failures_path) if client else "",
        )
        self.failed: set[str] = set()  # texts with no valid reply in this run (released, not claimed again here)
        self.in_flight: dict[str, Row] = {}  # claimed by us, not yet written or released
        self.pending: list[tuple[Row, LLMResult]] = []  # answered, not yet written

    def messages(self, text: str) -> tuple[list[dict[str, str]], bool]:
        body, cut = cut_to_budget(text, self.options.max_text_tokens)
        granularity = self.prompt.blocks[self.options.granularity]
        return self.prompt.render(text=body, granularity=granularity, count=self.options.per_text), cut

    def pages(self, ids: list[str] | None) -> Iterator[list[Row]]:
        """Pending texts, a page at a time (by id when ``ids`` is given), unclaimed: for a dry run."""
        key = "" if self.options.redo else self.key
        if ids is not None:
            for start in range(0, len(ids), PAGE):
                rows = self.store.run("t2p_texts_by_id", ids=ids[start : start + PAGE], key=key)
                if rows:
                    yield rows
            return
        after = ""
        while True:
            # With --redo every text is pending; otherwise texts done by an earlier run are skipped.
            rows = self.store.run("t2p_pending_texts", key=key or "\x00redo", after=after, limit=PAGE)
            if not rows:
                return
            yield rows
            after = str(rows[-1]["id"])

    def _write(self, done: list[tuple[Row, LLMResult]]) -> dict[str, Any]:
        now = now_iso()
        candidates: list[tuple[str, Persona, str]] = []
        for row, result in done:
            for item in result.parsed.personas[: self.options.per_text]:  # a model may give more than asked
                text = clean_text(item.persona, 800)
                if len(text) >= 3:
                    candidates.append((str(row["id"]), Persona(text=text, origin="text", hop=0), item.stance))
        mapping = (
            self.resolver.resolve(self.store, [p for _, p, _ in candidates]) if (self.resolver and candidates) else {}
        )
        assert self.client is not None
        props = {
            "model": self.client.model,
            "prompt": self.prompt.ref,
            "run": self.report.run,
            "granularity": self.options.granularity,
        }

        def work(tx: Any) -> dict[str, Any]:
            # First: mark done the texts this worker still holds. One whose lease ended and was taken
            # over is left to its new holder, so its personas and edges are written once.
            finished = {
                str(r["id"])
                for r in tx.run(
                    "t2p_finish",
                    ids=[str(row["id"]) for row, _ in done],
                    key=self.key,
                    run=self.report.run,
                    worker=self.report.worker,
                )
            }
            kept = [c for c in candidates if c[0] in finished]
            personas = {p.id: p for _, p, _ in kept if p.id not in mapping}
            existing = {r["id"] for r in tx.run("existing_personas", ids=list(personas))} if personas else set()
            fresh = [p for pid, p in personas.items() if pid not in existing]
            if fresh:
                tx.run("upsert_personas", rows=[{"id": p.id, "props": p.props()} for p in fresh], now=now)
            links = {
                (mapping.get(p.id, p.id), tid): {**props, "stance": stance, "created_at": now}
                for tid, p, stance in kept
            }
            if links:
                tx.run(
                    "link_derived_from",
                    rows=[{"persona": pid, "text": tid, "props": v} for (pid, tid), v in links.items()],
                )
            return {
                "finished": finished,
                "fresh": len(fresh),
                "existing": len(existing),
                "stances": Counter(s for _, _, s in kept),
            }

        def count(_: StoreConflictError) -> None:
            self.report.conflicts += 1

        # Another worker may create the same persona meanwhile: run again, MERGE then links to it.
        outcome = retry_conflicts(self.store.transaction, work, name="t2p_write", on_conflict=count)
        return {**outcome, "resolved": len(mapping)}

    async def run(self, ids: list[str] | None = None) -> T2PReport:
        """Process the pending texts (or ``ids``), claiming them as the LLM slots free up."""
        assert self.client is not None, "a run needs a client"
        claims = TextClaims(
            self.store,
            self.report.worker,
            "" if self.options.redo else self.key,
            self.report.run,
            self.options.lease,
            ids,
        )
        # Claims, writes and lease renewals each on their own thread: a claim does not wait for a write.
        thread = StoreThread(threads=3)
        asking: set[asyncio.Task[None]] = set()
        background: list[asyncio.Task[None]] = []
        slot_free = asyncio.Event()
        flush_now = asyncio.Event()
        flush_lock = asyncio.Lock()

        async def ask(row: Row) -> None:
            try:
                result = await self._one(row)
                self.pending.append((row, result))
                if len(self.pending) >= self.options.write_batch:
                    flush_now.set()
            finally:
                slot_free.set()

        async def flush() -> None:
            async with flush_lock:
                batch, self.pending = self.pending, []
                if batch:
                    await self._flush(thread, claims, batch)

        try:
            self.client.prepare()  # now, so the first requests do not wait for the HTTP clients
            await thread(self.store.ensure_schema)
            await thread(claims.release_dead_workers)
            background = [
                asyncio.create_task(write_batches(flush_now, self.options.flush_interval, flush)),
                asyncio.create_task(renew_leases(thread, claims.renew, self.in_flight, self.options.lease)),
            ]
            await self._feed(thread, claims, asking, background, slot_free, ask)
            while asking:
                done, _ = await asyncio.wait(asking, return_when=asyncio.FIRST_COMPLETED)
                _raise_failures(asking, done, background)
            await flush()
        finally:
            for task in [*asking, *background]:
                task.cancel()
            await asyncio.gather(*asking, *background, return_exceptions=True)
            leftover = list(self.in_flight)
            if leftover:  # interrupted: give the claims back so nobody waits for the lease
                with contextlib.suppress(Exception):
                    await thread(claims.release, leftover)
            thread.close()
            self.report.llm = self.client.stats.as_dict()
        return self.report

    async def _feed(
        self,
        thread: StoreThread,
        claims: TextClaims,
        asking: set[asyncio.Task[None]],
        background: list[asyncio.Task[None]],
        slot_free: asyncio.Event,
        ask: Callable[[Row], Any],
    ) -> None:
        """Claim texts while there are any, keeping about twice ``concurrency`` asked or queued."""
        target = 2 * self.options.concurrency
        claimed = 0
        rng = random.Random()
        while True:
            _raise_failures(asking, {t for t in asking if t.done()}, background)
            budget = None if self.options.max_texts is None else self.options.max_texts - claimed
            if budget is not None and budget <= 0:
                return
            room = target - len(asking)
            if room < max(1, self.options.concurrency // 2):
                slot_free.clear()
                with contextlib.suppress(asyncio.TimeoutError):
                    await asyncio.wait_for(slot_free.wait(), 0.5)
                continue
            rows, candidates = await thread(claims.claim, room if budget is None else min(room, budget), self.failed)
            if rows:
                claimed += len(rows)
                for row in rows:
                    self.in_flight[str(row["id"])] = row
                    asking.add(asyncio.ensure_future(ask(row)))
                continue
            if candidates:  # another worker won the race for the texts we read: read again shortly
                await asyncio.sleep(rng.uniform(0.01, 0.1))
                continue
            if self.in_flight:  # ours are under way; texts released by others may show up meanwhile
                slot_free.clear()
                with contextlib.suppress(asyncio.TimeoutError):
                    await asyncio.wait_for(slot_free.wait(), 0.5)
                continue
            state = await thread(claims.pending_state, self.failed)
            if not state["pending"]:
                return
            # Other workers hold the rest: they finish it, or die (released here) or their lease ends.
            await thread(claims.release_dead_workers)
            next_end = state.get("next_lease_end")
            wait = POLL if next_end is None else min(POLL, max(0.05, float(next_end) - time.time()))
            await asyncio.sleep(wait * rng.uniform(0.75, 1.25))

    async def _flush(self, thread: StoreThread, claims: TextClaims, batch: list[tuple[Row, LLMResult]]) -> None:
        done = [(row, result) for row, result in batch if result.parsed is not None]
        failed = [str(row["id"]) for row, result in batch if result.parsed is None]
        self.report.texts += len(batch)
        self.report.failures += len(failed)
        if failed:  # left pending for a later run (or another worker), not asked again by this one
            self.failed.update(failed)
            await thread(claims.release, failed)
        if done:
            outcome = await thread(self._write, done)
            self.report.lost_claims += len(done) - len(outcome["finished"])
            self.report.personas_new += outcome["fresh"]
            self.report.personas_existing += outcome["existing"]
            self.report.resolved += outcome["resolved"]
            self.report.stances.update(outcome["stances"])
        for row, _ in batch:
            self.in_flight.pop(str(row["id"]), None)

    async def _one(self, row: Row) -> LLMResult:
        messages, cut = self.messages(str(row["text"]))
        self.report.texts_cut += cut
        assert self.client is not None
        result = await self.client.generate(
            messages, schema=T2PReply, temperature=self.options.temperature, tag=f"t2p {row['id']}"
        )
        if self.on_progress:
            self.on_progress(1)
        return result


def _raise_failures(
    asking: set[asyncio.Task[None]], done: Iterable[asyncio.Task[None]], background: list[asyncio.Task[None]]
) -> None:
    """Forget finished calls; raise the error of a call or background task that failed (a key refused, a store error)."""
    for task in done:
        asking.discard(task)
        if not task.cancelled() and task.exception() is not None:
            raise task.exception()  # type: ignore[misc]
    for task in background:
        if task.done() and not task.cancelled() and task.exception() is not None:
            raise task.exception()  # type: ignore[misc]


def text_to_persona(
    store: GraphStore,
    client: LLMClient,
    options: T2POptions | None = None,
    text_ids: list[str] | None = None,
    resolver: Resolver | None = None,
    on_progress: Callable[[int], None] | None = None,
) -> T2PReport:
    """Run Text-to-Persona over pending texts (or ``text_ids``), blocking; returns the report.

    The client is closed when the run ends (``llm.lifecycle.run_stage``)."""
    runner = TextToPersona(store, client, options or T2POptions(), resolver, on_progress)
    return run_stage(client, lambda _: runner.run(text_ids))


def t2p_dry_run(
    store: GraphStore,
    options: T2POptions,
    text_ids: list[str] | None = None,
    show: int = 2,
    texts: Iterable[str] | None = None,
) -> DryRunReport:
    """The prompts the run would send and their estimated tokens; no calls, no writes.

    ``texts`` (read from files, not imported: a dry run writes nothing) replaces the pending texts."""
    runner = TextToPersona(store, None, options)

    def pending() -> Iterator[str]:
        if texts is not None:
            yield from texts
            return
        for rows in runner.pages(text_ids):
            yield from (str(row["text"]) for row in rows)

    def messages() -> Iterator[list[dict[str, str]]]:
        for count, text in enumerate(pending()):
            if options.max_texts is not None and count >= options.max_texts:
                return
            yield runner.messages(text)[0]

    return dry_run_report("t2p", messages(), 60 * options.per_text, show=show)


__all__ = [
    "STANCES",
    "Granularity",
    "InferredPersona",
    "T2POptions",
    "T2PReply",
    "T2PReport",
    "TextToPersona",
    "normalise_stance",
    "t2p_dry_run",
    "text_to_persona",
]
