"""`personagraph judge personas|samples`: score items with an LLM judge against a rubric, store the
scores and reasons on the nodes, and report how far the judge can be trusted.

Through the shared LLM lifecycle (``llm.lifecycle``): same options, dry run, end report, cache.
Resumable: an item already scored by this judge prompt version is skipped (``redo`` scores again),
and judgements are written while the others are asked for, so a killed run keeps what it got.

Agreement: ``repeat`` judges the same items a second time with another sampling seed (a new
request, not the cache's copy of the first) and compares the two passes; samples with a
deterministic check (tool validity, solver-verified math) are compared with the check.
"""

from __future__ import annotations

import asyncio
import json
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from personagraph.errors import ConfigError
from personagraph.expand.store_thread import StoreThread
from personagraph.judge.checks import agreement_with_checks, agreement_with_itself
from personagraph.judge.rubric import KINDS, PROMPTS, messages_for
from personagraph.llm.lifecycle import DryRunReport, dry_run_report, end_report, run_stage
from personagraph.models import now_iso

if TYPE_CHECKING:
    from personagraph.llm import LLMClient
    from personagraph.store import GraphStore

Progress = Callable[[int], None]
PAGE = 2000
FLUSH_EVERY, FLUSH_SIZE = 1.0, 64  # as synth: judgements are written at least every second or 64
COMPLETION_TOKENS = 220  # dry-run estimate per judgement (four to six reasons and scores)
SECOND_SEED = 2  # the repeat pass's sampling seed; the first pass sends none (its cache key as always)


@dataclass
class JudgePlan:
    kind: str
    rows: list[dict[str, Any]]
    messages: list[list[dict[str, str]]]
    criteria: list[list[str]]
    prompt: str


@dataclass
class JudgeReport:
    kind: str
    prompt: str
    model: str
    judged: int = 0
    failed: list[dict[str, Any]] = field(default_factory=list)
    quality: dict[int, int] = field(default_factory=dict)
    agreement: dict[str, Any] = field(default_factory=dict)
    usage: dict[str, Any] = field(default_factory=dict)

    def as_dict(self) -> dict[str, Any]:
        scored = sum(self.quality.values())
        mean = sum(q * n for q, n in self.quality.items()) / scored if scored else None
        return {
            "kind": self.kind,
            "prompt": self.prompt,
            "model": self.model,
            "judged": self.judged,
            "failed": len(self.failed),
            "failures": self.failed[:20],
            "quality": {str(q): self.quality[q] for q in sorted(self.quality)},
            "mean_quality": None if mean is None else round(mean, 3),
            "agreement": self.agreement,
            "usage": self.usage,
        }


def plan_judging(
    store: GraphStore,
    kind: str,
    *,
    batch: str | None = None,
    task: str | None = None,
    limit: int | None = None,
    redo: bool = False,
) -> JudgePlan:
    """The items to judge (not yet scored by this prompt version, unless ``redo``) and their requests."""
    if kind not in KINDS:
        raise ConfigError(f"unknown kind {kind!r}", hint=f"choose one of {', '.join(KINDS)}", param="kind")
    if task and kind != "samples":
        raise ConfigError("task filters samples, not personas", param="task")
    from personagraph import prompts

    ref = prompts.load(PROMPTS[kind]).ref
    rows: list[dict[str, Any]] = []
    for page in _pages(store, kind, {"prompt": ref, "redo": redo, "batch": batch}, task):
        rows.extend(dict(r) for r in page)
        if limit is not None and len(rows) >= limit:
            break
    rows = rows[:limit] if limit is not None else rows
    messages, criteria = [], []
    for row in rows:
        rendered, rubric, ref = messages_for(kind, row)
        messages.append(rendered)
        criteria.append(rubric.names)
    return JudgePlan(kind, rows, messages, criteria, ref)


def _pages(store: GraphStore, kind: str, params: dict[str, Any], task: str | None) -> Iterator[list[dict[str, Any]]]:
    """Pages of the items to judge, in id order. Samples: a keyset page of ids, then those samples
    with their persona texts; personas: one keyset query (it reads nothing beyond the persona)."""
    if kind == "samples":
        for ids in store.id_pages("judge/sample_ids", PAGE, **params, task=task):
            yield store.run("judge/page_samples", ids=ids)
        return
    after = ""
    while True:
        page = store.run("judge/page_personas", **params, after=after, limit=PAGE)
        yield page
        if len(page) < PAGE:
            return
        after = page[-1]["id"]


def judge_dry_run(plan: JudgePlan, repeat: bool = False, show: int = 2) -> DryRunReport:
    notes = [f"{len(plan.rows)} {plan.kind} to judge with {plan.prompt}"]
    if repeat:
        notes.append("and each judged a second time (another seed) to measure agreement, not counted below")
    return dry_run_report("judge", plan.messages, COMPLETION_TOKENS, show=show, notes=notes)


def _scores(parsed: Any, criteria: list[str]) -> tuple[dict[str, int], dict[str, str]]:
    scores = {c: int(getattr(parsed, c).score) for c in criteria}
    reasons = {c: str(getattr(parsed, c).reason) for c in criteria}
    scores["quality"] = int(parsed.quality)
    reasons["quality"] = str(parsed.reason)
    return scores, reasons


async def _judge_pass(
    store: GraphStore,
    client: LLMClient,
    plan: JudgePlan,
    report: JudgeReport,
    temperature: float,
    seed: int | None,
    progress: Progress | None,
) -> dict[str, dict[str, int]]:
    """Ask for every item; the first pass (``seed`` None) writes judgements as they arrive."""
    from personagraph.judge.rubric import rubric_for

    write = seed is None
    thread = StoreThread() if write else None
    pending: list[dict[str, Any]] = []
    last = time.monotonic()
    judged: dict[str, dict[str, int]] = {}

    async def flush() -> None:
        nonlocal pending, last
        rows, pending, last = pending, [], time.monotonic()
        if rows and thread is not None:
            await thread(store.run, f"judge/set_{plan.kind[:-1]}_scores", rows=rows)

    async def one(index: int) -> tuple[int, Any]:
        row = plan.rows[index]
        schema = rubric_for(plan.kind, row.get("task")).schema
        tag = f"judge:{row['id']}" + (f":seed{seed}" if seed is not None else "")
        result = await client.generate(plan.messages[index], schema, temperature, None, tag, seed=seed)
        if progress is not None:
            progress(1)
        return index, result

    tasks = [asyncio.ensure_future(one(i)) for i in range(len(plan.rows))]
    try:
        for next_done in asyncio.as_completed(tasks):
            index, result = await next_done
            item = str(plan.rows[index]["id"])
            if not result.ok or result.parsed is None:
                if write:
                    report.failed.append({"id": item, "error": result.error or "no reply"})
                continue
            scores, reasons = _scores(result.parsed, plan.criteria[index])
            judged[item] = scores
            if not write:
                continue
            report.judged += 1
            report.quality[scores["quality"]] = report.quality.get(scores["quality"], 0) + 1
            props = {
                "quality": scores["quality"],
                "judge_scores": json.dumps(scores, sort_keys=True),
                "judge_reasons": json.dumps(reasons, ensure_ascii=False, sort_keys=True),
                "judge_model": result.model or client.model,
                "judge_prompt": plan.prompt,
                "judge_prompt_version": plan.prompt.split("@")[-1],
                "judged_at": now_iso(),
            }
            pending.append({"id": item, "props": props})
            if len(pending) >= FLUSH_SIZE or time.monotonic() - last >= FLUSH_EVERY:
                await flush()
        await flush()
    finally:
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)
        if thread is not None:
            thread.close()
    return judged


def judge(
    store: GraphStore,
    client: LLMClient,
    kind: str,
    *,
    batch: str | None = None,
    task: str | None = None,
    limit: int | None = None,
    redo: bool = False,
    repeat: bool = False,
    temperature: float = 0.3,
    progress: Progress | None = None,
) -> JudgeReport:
    """Judge the planned items, store the scores, and measure agreement (see the module docstring).

    The client is closed when the run ends (``llm.lifecycle``)."""
    plan = plan_judging(store, kind, batch=batch, task=task, limit=limit, redo=redo)
    report = JudgeReport(kind, plan.prompt, client.model)

    async def work(llm: LLMClient) -> None:
        first = await _judge_pass(store, llm, plan, report, temperature, None, progress)
        if kind == "samples":
            report.agreement["checks"] = agreement_with_checks(plan.rows, first)
        if repeat:
            second = await _judge_pass(store, llm, plan, report, temperature, SECOND_SEED, progress)
            report.agreement["repeat"] = agreement_with_itself(first, second)

    try:
        run_stage(client, work)
    finally:
        report.usage = end_report(client)
    return report
