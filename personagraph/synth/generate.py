"""Asking for a plan's groups: claim them, call the LLM, write each sample (and close its claim) as it arrives.

One worker or several on one batch run the same loop: claim a few groups more than the LLM slots
(``synth.claims``), keep the calls in flight, write what arrived every second or every 64 samples,
and when nothing is left to claim, wait while other workers hold groups (a dead worker's are taken
over) until every group of the batch has a sample or was given up.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import random
import time
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from personagraph.expand.report import new_worker_id
from personagraph.expand.store_thread import StoreThread
from personagraph.models import now_iso
from personagraph.runtime import checkpoint
from personagraph.synth.claims import GroupClaims
from personagraph.synth.ledger import sample_id

if TYPE_CHECKING:
    from personagraph.llm import LLMClient, LLMResult
    from personagraph.store import GraphStore
    from personagraph.synth.plan import SynthPlan
    from personagraph.synth.run import SynthReport

Progress = Callable[[int], None]
ROLES = ("a", "b")
FLUSH_EVERY = 1.0  # seconds: samples that arrived are written at least this often
FLUSH_SIZE = 64  # ... or as soon as this many wait
POLL = 0.5  # seconds between looks at groups other workers hold
Answer = tuple[int, "LLMResult", "dict[str, Any] | None"]


def sample_row(
    plan: SynthPlan, index: int, result: LLMResult, model: str, now: str, checked: dict[str, Any] | None = None
) -> dict[str, Any]:
    """The graph row of group ``index``'s sample: its properties and its personas in role order."""
    spec, group = plan.spec, plan.work.groups[index]
    text = spec.text(result.parsed)
    data = spec.data(result.parsed)
    verification: dict[str, Any] = {}
    if checked:
        data["solutions"] = checked["solutions"]
        verification = {k: checked[k] for k in ("verified", "verify_reason", "solver_prompt")}
        verification["solutions"] = len(checked["solutions"])
    props = {
        "task": plan.task,
        "mode": plan.mode,
        "text": text,
        "data": json.dumps(data, ensure_ascii=False),
        "batch": plan.work.batch.id,
        "group": index,
        "model": result.model or model,
        "prompt": plan.prompt,
        "prompt_version": plan.prompt.split("@")[-1],
        "relation": spec.relation or "",
        "options": json.dumps(plan.resolved, sort_keys=True),
        "created_at": now,
        "cached": result.cached,
        **verification,
    }
    roles = ROLES if spec.relation else ("persona",)
    personas = [{"id": p, "role": r} for p, r in zip(group, roles, strict=True)]
    return {"id": sample_id(plan.work.batch.id, index), "props": props, "personas": personas}


async def generate_samples(
    store: GraphStore,
    client: LLMClient,
    plan: SynthPlan,
    report: SynthReport,
    progress: Progress | None = None,
    worker: str | None = None,
) -> None:
    """Ask for every group of the plan this worker claims, writing samples as they arrive (see the module doc)."""
    from personagraph.llm import LLMRequest

    edge = {"task": plan.task, "mode": plan.mode, "batch": plan.work.batch.id, "model": client.model}
    claims = GroupClaims(
        store, plan.work, worker or new_worker_id(), plan.todo, plan.options.lease, redo=plan.options.regenerate
    )
    messages = dict(zip(plan.todo, plan.messages, strict=True))
    thread = StoreThread()
    rng = random.Random()
    pending: list[dict[str, Any]] = []  # sample rows not yet written
    done: list[int] = []  # their groups
    failed: list[int] = []  # groups whose reply was unusable, claims not yet closed
    held: set[int] = set()  # claimed and not yet closed
    running: set[asyncio.Future[Answer]] = set()
    last = time.monotonic()
    target = 2 * client.concurrency  # claimed ahead of the LLM slots, so none waits on the store

    async def flush() -> None:
        nonlocal pending, done, failed, last
        rows, wrote, lost = pending, done, failed
        pending, done, failed, last = [], [], [], time.monotonic()
        if rows or lost:
            await thread(claims.write, rows, edge, wrote, lost)
            held.difference_update(wrote, lost)
            checkpoint("synth_flush")

    async def one(index: int) -> Answer:
        tag = f"{plan.work.batch.id}:{index}"
        request = LLMRequest(messages[index], plan.spec.schema, temperature=plan.temperature, tag=tag)
        result = await client.generate(request.messages, request.schema, request.temperature, None, request.tag)
        checked = None
        if plan.solutions and result.ok and result.parsed is not None:
            from personagraph.synth.math_check import check_math

            checked = await check_math(client, result.parsed.problem, result.parsed.answer, plan.solutions, tag)
        if progress is not None:
            progress(1)
        return index, result, checked

    def arrived(index: int, result: LLMResult, checked: dict[str, Any] | None) -> None:
        group = plan.work.groups[index]
        if not result.ok or result.parsed is None:
            report.failed.append({"group": index, "personas": group, "error": result.error or "no reply"})
            failed.append(index)
            return
        row = sample_row(plan, index, result, client.model, now_iso(), checked)
        pending.append(row)
        done.append(index)
        report.samples.append({"id": row["id"], "personas": group, "text": row["props"]["text"]})
        if checked and not checked["verified"]:
            report.flagged.append({"id": row["id"], "reason": checked["verify_reason"]})

    async def heartbeat() -> None:
        while True:
            await asyncio.sleep(max(0.5, plan.options.lease / 3))
            await thread(claims.renew, sorted(held))

    # This worker's order of looking: workers started together then mostly claim different groups.
    fresh = list(plan.todo)
    rng.shuffle(fresh)
    beat = asyncio.ensure_future(heartbeat())
    try:
        await thread(claims.release_dead_workers)
        while True:
            room = target - len(running)
            if fresh and room >= max(1, client.concurrency // 2):
                ask, fresh = fresh[:room], fresh[room:]
                for index in await thread(claims.claim, ask):
                    held.add(index)
                    running.add(asyncio.ensure_future(one(index)))
                continue
            if not running:
                await flush()
                left = await thread(claims.left)
                if not left.total:
                    break
                await thread(claims.release_dead_workers)
                fresh = left.claimable
                rng.shuffle(fresh)
                if not fresh:  # other workers hold the rest: look again when a lease may have ended
                    wait = POLL if left.next_lease_end is None else min(POLL, left.next_lease_end - time.time())
                    await asyncio.sleep(max(0.05, wait) * rng.uniform(0.75, 1.25))
                continue
            finished, _ = await asyncio.wait(running, timeout=FLUSH_EVERY, return_when=asyncio.FIRST_COMPLETED)
            for future in finished:
                running.discard(future)
                arrived(*future.result())
            if len(pending) >= FLUSH_SIZE or time.monotonic() - last >= FLUSH_EVERY:
                await flush()
        await flush()
    finally:
        beat.cancel()
        for future in running:
            future.cancel()
        await asyncio.gather(beat, *running, return_exceptions=True)
        if held:  # interrupted: give the unwritten groups back so nobody waits for the lease
            with contextlib.suppress(Exception):  # the store may be what failed; the lease then ends on its own
                await thread(claims.release, sorted(held))
        thread.close()
