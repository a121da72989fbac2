"""Persona-to-Persona expansion, driven by the graph.

The frontier is a query (``expand_frontier.cypher``): personas below the hop limit, not expanded,
lowest hop first, at most one hop past the lowest hop still open. A worker claims a batch with a
lease (``expand_claim.cypher``, atomic in the graph; the protocol is in claims.py), asks the LLM
who is close to each persona, and writes each batch of answers in ONE transaction that first
marks the sources expanded (only those it still holds), then adds the new personas and the typed
edges (``MERGE``, so a replay adds nothing). Killing a worker at any moment
leaves either the whole batch or none of it; its claims expire (or are released at once by the
next run on the same host, since its process is gone). Several workers, in several processes or
on several machines sharing one Neo4j, split the frontier through the claims alone; a write that
collides with another worker's is run again (conflicts.py), and ends as the same graph one worker
would have written.
"""

from __future__ import annotations

import asyncio
import contextlib
import random
import time
from collections.abc import Callable
from typing import Any

from personagraph import prompts
from personagraph.errors import StoreConflictError
from personagraph.expand.ask import ask_related
from personagraph.expand.background import renew_leases, write_batches
from personagraph.expand.claims import Claims
from personagraph.expand.conflicts import retry_conflicts
from personagraph.expand.plan import (
    ExpansionPlan,
    apply_mapping,
    plan_expansion,
    relation_lines,
    reply_model,
)
from personagraph.expand.report import (
    DryRun,
    ExpandOptions,
    ExpandReport,
    new_run_id,
    new_worker_id,
)
from personagraph.expand.store_thread import StoreThread
from personagraph.llm import LLMClient, LLMResult
from personagraph.llm.lifecycle import run_stage
from personagraph.llm.tokens import approx_tokens, messages_tokens
from personagraph.models import Persona, Relation, now_iso
from personagraph.resolve import Resolver
from personagraph.store import GraphStore
from personagraph.store.base import Row
from personagraph.vocabulary import Vocabulary

POLL = 0.25  # seconds between looks at a frontier other workers hold (a 2 s wait idled at hop boundaries)


class Expander:
    """One worker's expansion run; ``await Expander(...).run()`` returns the report."""

    def __init__(
        self,
        store: GraphStore,
        client: LLMClient,
        options: ExpandOptions,
        vocabulary: Vocabulary | None = None,
        resolver: Resolver | None = None,
        on_progress: Callable[[dict[str, Any]], None] | None = None,
    ) -> None:
        self.store = store
        self.client = client
        self.options = options
        self.vocabulary = vocabulary or store.vocabulary
        for name in self.vocabulary.types:  # types are written into Cypher: the store must know them
            store.vocabulary.check(name)
        self.resolver = resolver
        self.on_progress = on_progress
        self.prompt = prompts.load("p2p")
        self.relations_text = relation_lines(self.vocabulary)
        self.reply_schema = reply_model(self.vocabulary)
        self.worker = options.worker or new_worker_id()
        self.report = ExpandReport(
            run=options.run_id or new_run_id("expand"),
            worker=self.worker,
            hops=options.hops,
            model=client.model,
            prompt=self.prompt.ref,
            failures_path=str(client.failures_path),
        )
        self.provenance = {"run": self.report.run, "model": client.model, "prompt": self.prompt.ref}
        self.failed: set[str] = set()
        self.in_flight: dict[str, Row] = {}  # claimed by us, not yet written or released
        self.pending: list[tuple[Row, LLMResult]] = []
        self.claimed = 0
        self.active = 0  # LLM calls under way
        self.claims = Claims(store, options, self.worker)
        self.starved = False  # the feeder found nothing to claim and waits for our own answers' personas
        self._rng = random.Random()

    def messages(self, persona_text: str) -> list[dict[str, str]]:
        return self.prompt.render(persona=persona_text, relations=self.relations_text, count=self.options.per_persona)

    # -- store side (runs on a store thread) -------------------------------------------------
    def _write(self, plans: list[ExpansionPlan]) -> dict[str, Any]:
        """One transaction: mark the sources expanded (those still ours), add personas and edges."""
        candidates = [p for plan in plans for p in plan.personas]
        mapping = self.resolver.resolve(self.store, candidates) if (self.resolver and candidates) else {}
        now = now_iso()

        def work(tx: Any) -> dict[str, Any]:
            finished = {
                r["id"]
                for r in tx.run(
                    "expand_finish", ids=[p.source for p in plans], worker=self.worker, run=self.report.run, now=now
                )
            }
            kept = [plan for plan in plans if plan.source in finished]
            personas: dict[str, Persona] = {}
            for plan in kept:
                for persona in plan.personas:
                    if persona.id not in mapping:
                        # Named by sources at two hops in one batch: the lower hop is its distance.
                        seen = personas.setdefault(persona.id, persona)
                        if persona.hop < seen.hop:
                            personas[persona.id] = persona
            existing = {r["id"] for r in tx.run("existing_personas", ids=list(personas))} if personas else set()
            fresh = [p for pid, p in personas.items() if pid not in existing]
            if existing:
                again = [personas[pid] for pid in existing]
                tx.run("expand_lower_hops", ids=[p.id for p in again], hops=[p.hop for p in again])
            if fresh:
                tx.run(
                    "expand_add_personas",
                    ids=[p.id for p in fresh],
                    texts=[p.text for p in fresh],
                    hops=[p.hop for p in fresh],
                    now=now,
                )
            relations, loops = apply_mapping(
                [r for plan in kept for r in plan.relations], mapping, self.vocabulary.symmetric
            )
            by_type: dict[str, list[Relation]] = {}
            for rel in _unique(relations):
                by_type.setdefault(rel.type, []).append(rel)
            for rel_type, rels in by_type.items():
                tx.run(
                    "expand_add_relations",
                    rel_type=rel_type,
                    src=[r.src for r in rels],
                    dst=[r.dst for r in rels],
                    evidence=[r.props["evidence"] for r in rels],
                    hops=[r.props["hop"] for r in rels],
                    expanded=[r.props["expanded"] for r in rels],
                    now=now,
                    **self.provenance,
                )
            return {
                "finished": finished,
                "fresh": [p.hop for p in fresh],
                "existing": len(existing),
                "relations": {t: len(rels) for t, rels in by_type.items()},
                "loops": loops,
            }

        def count(_: StoreConflictError) -> None:
            self.report.conflicts += 1

        # Another worker may create the same persona or touch the same node meanwhile: run again.
        return retry_conflicts(self.store.transaction, work, name="expand_write", on_conflict=count)

    # -- the loop (event loop side) -----------------------------------------------------------
    async def run(self) -> ExpandReport:
        """Expand until the frontier is empty or a budget is reached."""
        started = time.monotonic()
        # Writes (one at a time: the flush lock), claims and lease renewals each on their own thread,
        # so the next claim does not wait for a batch being written. The Bolt driver is thread-safe;
        # the embedded store takes its own lock.
        thread = StoreThread(threads=3)
        queue: asyncio.Queue[Row] = asyncio.Queue()
        flush_now = asyncio.Event()
        written = asyncio.Event()
        slot_free = asyncio.Event()
        flush_lock = asyncio.Lock()

        async def flush() -> None:
            async with flush_lock:
                batch, self.pending = self.pending, []
                if batch:
                    await self._flush(thread, batch)
                    written.set()

        async def llm_worker() -> None:
            while True:
                row = await queue.get()
                self.active += 1
                try:
                    result = await ask_related(
                        self.client,
                        self.messages(str(row["text"])),
                        self.reply_schema,
                        self.vocabulary,
                        row,
                        self.report,
                        limit=self.options.per_persona,
                        temperature=self.options.temperature,
                        tag=f"p2p {row['id']}",
                    )
                    self.pending.append((row, result))
                    # A starved feeder waits for these answers' personas: write them at once.
                    if self.starved or len(self.pending) >= self.options.write_batch:
                        flush_now.set()
                finally:
                    self.active -= 1
                    slot_free.set()
                    queue.task_done()

        async def ticker() -> None:
            while True:
                self._progress(started, queue.qsize())
                await asyncio.sleep(0.5)

        async def main() -> str:
            stopped = await self._feed(thread, queue, written, slot_free, flush_now)
            await queue.join()
            await flush()
            return stopped

        tasks: list[asyncio.Task[None]] = []
        try:
            self.client.prepare()  # now, so the first requests do not wait for the HTTP clients
            await thread(self.store.ensure_schema)
            await thread(self.claims.release_dead_workers)
            tasks = [asyncio.create_task(llm_worker()) for _ in range(self.options.concurrency)]
            tasks += [
                asyncio.create_task(write_batches(flush_now, self.options.flush_interval, flush)),
                asyncio.create_task(renew_leases(thread, self.claims.renew, self.in_flight, self.options.lease)),
            ]
            if self.on_progress:
                tasks.append(asyncio.create_task(ticker()))
            self.report.stopped = await _supervised(main(), tasks)
        finally:
            for task in tasks:
                task.cancel()
            await asyncio.gather(*tasks, return_exceptions=True)
            leftover = list(self.in_flight)
            if leftover:  # interrupted: give the claims back so nobody waits for the lease
                with contextlib.suppress(Exception):
                    await thread(self.claims.release, leftover)
            thread.close()
            self.report.elapsed = time.monotonic() - started
            self.report.llm = self.client.stats.as_dict()
            self._progress(started, 0)
        return self.report

    def _budget(self, queued: int) -> int | None:
        """How many more personas may be claimed (None: no limit)."""
        limits = []
        if self.options.max_personas is not None:
            limits.append(self.options.max_personas - self.claimed)
        if self.options.max_calls is not None:
            # Calls already made, plus one for each claimed persona whose call has not started.
            limits.append(self.options.max_calls - self.client.stats.calls - queued)
        return min(limits) if limits else None

    async def _feed(
        self,
        thread: StoreThread,
        queue: asyncio.Queue[Row],
        written: asyncio.Event,
        slot_free: asyncio.Event,
        flush_now: asyncio.Event,
    ) -> str:
        # Keep one batch claimed ahead of the LLM slots, so no slot waits on the store.
        target = 2 * self.options.concurrency
        while True:
            budget = self._budget(queue.qsize())
            if budget is not None and budget <= 0:
                return (
                    "max personas"
                    if self.options.max_personas is not None and self.claimed >= self.options.max_personas
                    else "max calls"
                )
            room = target - queue.qsize() - self.active
            if room < max(1, self.options.concurrency // 2):
                slot_free.clear()
                with contextlib.suppress(asyncio.TimeoutError):
                    await asyncio.wait_for(slot_free.wait(), 0.5)
                continue
            want = room if budget is None else min(room, budget)
            rows, candidates = await thread(self.claims.claim, want, self.failed)
            if rows:
                self.starved = False
                self.claimed += len(rows)
                for row in rows:
                    self.in_flight[str(row["id"])] = row
                    queue.put_nowait(row)
                continue
            if candidates:  # lost a race for the rows we read; try again shortly
                await asyncio.sleep(self._rng.uniform(0.01, 0.1))
                continue
            if self.in_flight:  # our own answers will add the next hop's personas: write them as they come
                self.starved = True
                written.clear()
                if self.pending:
                    flush_now.set()
                with contextlib.suppress(asyncio.TimeoutError):
                    await asyncio.wait_for(written.wait(), 1.0)
                continue
            state = await thread(self.claims.pending_state, self.failed)
            if not state["pending"]:
                return "frontier empty"
            # Other workers hold the rest (or the hop below the next one); their answers may grow the
            # frontier, or their leases end. Look again soon: they write every flush interval.
            await thread(self.claims.release_dead_workers)
            next_end = state.get("next_lease_end")
            wait = POLL if next_end is None else min(POLL, max(0.05, float(next_end) - time.time()))
            await asyncio.sleep(wait * self._rng.uniform(0.75, 1.25))

    async def _flush(self, thread: StoreThread, batch: list[tuple[Row, LLMResult]]) -> None:
        plans: list[ExpansionPlan] = []
        failed: list[str] = []
        for row, result in batch:
            if result.parsed is None:
                failed.append(str(row["id"]))
                continue
            plan = plan_expansion(row, result.parsed, self.vocabulary, self.provenance, self.options.per_persona)
            if not plan.relations:  # every answer rejected, even when asked again: a failure, not expanded
                self.report.unrelated += 1
                self.report.rejected.update(plan.rejected)
                failed.append(str(row["id"]))
                continue
            plans.append(plan)
        if failed:
            self.report.failures += len(failed)
            self.failed.update(failed)
            await thread(self.claims.release, failed)
        if plans:
            outcome = await thread(self._write, plans)
            finished = outcome["finished"]
            self.report.expanded += len(finished)
            self.report.lost_claims += len(plans) - len(finished)
            self.report.new_by_hop.update(outcome["fresh"])
            self.report.linked_existing += outcome["existing"]
            self.report.self_loops += outcome["loops"]
            self.report.relations.update(outcome["relations"])
            for plan in plans:
                if plan.source in finished:
                    self.report.rejected.update(plan.rejected)
                    self.report.self_loops += plan.self_loops
        for row, _ in batch:
            self.in_flight.pop(str(row["id"]), None)

    def _progress(self, started: float, queued: int) -> None:
        if not self.on_progress:
            return
        elapsed = max(time.monotonic() - started, 1e-9)
        stats = self.client.stats
        self.on_progress(
            {
                "expanded": self.report.expanded,
                "new_personas": sum(self.report.new_by_hop.values()),
                "personas_per_s": self.report.expanded / elapsed,
                "calls": stats.calls,
                "calls_per_s": stats.calls / elapsed,
                "tokens": stats.prompt_tokens + stats.completion_tokens,
                "retries": stats.retries,
                "failures": self.report.failures,
                "cached": stats.cached,
                "in_flight": len(self.in_flight),
                "queued": queued,
                "elapsed": elapsed,
            }
        )


async def _supervised(main: Any, tasks: list[asyncio.Task[None]]) -> Any:
    """Await ``main``; if a background task fails first (store error, key refused), raise its error."""
    main_task = asyncio.ensure_future(main)
    try:
        while True:
            done, _ = await asyncio.wait({main_task, *tasks}, return_when=asyncio.FIRST_COMPLETED)
            if main_task in done:
                return main_task.result()
            for task in done:
                error = None if task.cancelled() else task.exception()
                if error is not None:
                    raise error
            tasks = [t for t in tasks if t not in done]
    finally:
        if not main_task.done():
            main_task.cancel()
            await asyncio.gather(main_task, return_exceptions=True)


def _unique(relations: list[Relation]) -> list[Relation]:
    seen: set[tuple[str, str, str]] = set()
    kept = []
    for rel in relations:
        key = (rel.src, rel.dst, rel.type)
        if key not in seen:
            seen.add(key)
            kept.append(rel)
    return kept


def dry_run(store: GraphStore, options: ExpandOptions, vocabulary: Vocabulary | None = None, show: int = 2) -> DryRun:
    """The prompts the next claims would send and their estimated tokens; no calls, no writes."""
    prompt = prompts.load("p2p")
    text = relation_lines(vocabulary or store.vocabulary)
    limit = options.max_personas or 100_000
    pool: list[Row] = []
    for hop in range(options.hops):
        pool += store.run(
            "expand_frontier", hop=hop, now=time.time(), exclude=[], origins=options.origins, limit=limit - len(pool)
        )
        if len(pool) >= limit:
            break
    texts: dict[str, str] = {}
    for start in range(0, len(pool), 5000):
        texts.update(
            (r["id"], str(r["text"]))
            for r in store.run("expand_texts", ids=[r["id"] for r in pool[start : start + 5000]])
        )
    rendered = [
        prompt.render(persona=texts.get(r["id"], ""), relations=text, count=options.per_persona) for r in pool[:show]
    ]
    # Prompts differ only by the persona: the template's tokens plus each persona's.
    template = messages_tokens(prompt.render(persona="", relations=text, count=options.per_persona))
    prompt_tokens = sum(template + approx_tokens(t) for t in texts.values())
    completion = 60 * options.per_persona  # about one sentence of persona and one of evidence each
    # Every persona expanded below the limit adds per_persona new ones at the next hop.
    projected = sum(
        sum(1 for r in pool if int(r.get("hop") or 0) == h) * options.per_persona ** (depth - h)
        for h in range(options.hops)
        for depth in range(h, options.hops)
    )
    if options.max_personas is not None:
        projected = min(projected, options.max_personas)
    return DryRun(len(pool), rendered, prompt_tokens, completion * len(pool), projected)


def expand(
    store: GraphStore,
    client: LLMClient,
    options: ExpandOptions | None = None,
    vocabulary: Vocabulary | None = None,
    resolver: Resolver | None = None,
    on_progress: Callable[[dict[str, Any]], None] | None = None,
) -> ExpandReport:
    """Grow the graph (blocking); see ``Expander``. The client is closed when the run ends."""
    expander = Expander(store, client, options or ExpandOptions(), vocabulary, resolver, on_progress)
    return run_stage(client, lambda _: expander.run())


__all__ = ["DryRun", "ExpandOptions", "ExpandReport", "Expander", "dry_run", "expand", "new_run_id"]
