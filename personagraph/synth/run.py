"""`personagraph synth`: pick a batch, ask the LLM for one sample per persona (or pair), keep
every sample in the graph with its lineage as it arrives, and report the batch's diversity.

Resumable (see ``synth.ledger``): samples are written while the others are generated, with ids
stable per (batch, group); an interrupted run's batch is finished by the same command, or by
``batch_id``, asking only for the groups without a sample.
"""

from __future__ import annotations

import asyncio
import json
import sys
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from personagraph import prompts
from personagraph.errors import ConfigError, LLMReplyError
from personagraph.expand.store_thread import StoreThread
from personagraph.llm.lifecycle import DryRunReport, dry_run_report, end_report, run_stage
from personagraph.models import now_iso
from personagraph.runtime import checkpoint
from personagraph.sampling.batches import Batch, sample_batch
from personagraph.sampling.candidates import Vectors, persona_texts
from personagraph.sampling.carver import Carver
from personagraph.synth import ledger
from personagraph.synth.ledger import SynthBatch, sample_id
from personagraph.synth.tasks import Task, check_mode, get_task

if TYPE_CHECKING:
    from personagraph.embeddings.embeddings import Embeddings
    from personagraph.llm import LLMClient, LLMResult
    from personagraph.store import GraphStore

Progress = Callable[[int], None]
Echo = Callable[[str], None]
ROLES = ("a", "b")
FLUSH_EVERY = 1.0  # seconds: samples that arrived are written at least this often
FLUSH_SIZE = 64  # ... or as soon as this many wait
COMPLETION_TOKENS = 250  # estimate per sample for a dry run (a problem and its answer)


@dataclass
class SynthReport:
    batch: Batch
    task: str
    mode: str
    prompt: str
    model: str
    samples: list[dict[str, Any]] = field(default_factory=list)
    failed: list[dict[str, Any]] = field(default_factory=list)
    diversity: dict[str, Any] = field(default_factory=dict)
    usage: dict[str, Any] = field(default_factory=dict)
    resumed: bool = False
    skipped: int = 0  # groups that already had a sample
    status: str = ""
    flagged: list[dict[str, Any]] = field(default_factory=list)  # math answers the solvers did not confirm

    def as_dict(self) -> dict[str, Any]:
        return {
            "batch": self.batch.id,
            "resumed": self.resumed,
            "skipped": self.skipped,
            "status": self.status,
            "task": self.task,
            "mode": self.mode,
            "prompt": self.prompt,
            "model": self.model,
            "samples": len(self.samples),
            "failed": len(self.failed),
            "failures": self.failed[:20],
            "flagged": len(self.flagged),
            "flagged_samples": self.flagged[:20],
            "coverage": self.batch.coverage,
            "diversity": self.diversity,
            "usage": self.usage,
        }


def load_examples(path: str | Path) -> list[dict[str, Any]]:
    """Few-shot examples from a JSONL file: ``{"vars": {"persona": ...}, "reply": {...}}`` per line."""
    from personagraph.formats import read_records

    examples = []
    for line, record in read_records(path):
        if "__error__" in record or "reply" not in record:
            raise ConfigError(f"{path}:{line}: expected an object with 'vars' and 'reply'")
        examples.append(record)
    return examples


def build_messages(
    task: Task,
    mode: str,
    texts: Sequence[str],
    options: dict[str, str],
    shots: int = 3,
    examples: list[dict[str, Any]] | None = None,
) -> tuple[list[dict[str, str]], str]:
    """Chat messages for one sample (persona texts in role order) and the prompt's ``name@version``.

    zero-shot: the instruction alone; few-shot: example outputs listed in the system message, no
    personas; persona-few-shot: each example as a turn pair with the persona it came from.
    """
    prompt = prompts.load(task.prompt)
    pool = list(prompt.examples if examples is None else examples)
    values: dict[str, Any] = dict(options)
    if task.relation:
        values.update(persona_a=texts[0], persona_b=texts[1])
    else:
        values["persona"] = texts[0]
    values["few_shot"] = ""
    count = min(shots, len(pool))
    if mode == "few-shot" and count:
        listed = "\n".join(f"- {json.dumps(e['reply'], ensure_ascii=False)}" for e in pool[:count])
        values["few_shot"] = f"\nExamples of good answers, for other people:\n{listed}"
        return prompt.render(**values), prompt.ref
    if mode == "persona-few-shot" and count:
        return prompt.render(shots=count, examples=pool, **values), prompt.ref
    return prompt.render(**values), prompt.ref


def _stderr(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


@dataclass
class SynthPlan:
    """One synth run before any call: the batch, the groups still to do and their requests."""

    work: SynthBatch
    spec: Task
    task: str
    mode: str
    options: dict[str, str]
    temperature: float
    todo: list[int]
    messages: list[list[dict[str, str]]]
    prompt: str
    solutions: int = 0  # math: independent solutions asked for in separate calls (synth.math_check)


def plan_synthesis(
    store: GraphStore,
    embeddings: Embeddings | None,
    *,
    model: str,
    task: str | None,
    mode: str = "zero-shot",
    size: int = 10,
    strategy: str = "kcenter",
    carver: Carver | None = None,
    seed: int = 0,
    allocation: str = "sqrt",
    options: dict[str, str | None] | None = None,
    shots: int = 3,
    examples: list[dict[str, Any]] | None = None,
    vectors: Vectors | None = None,
    temperature: float = 0.8,
    batch_id: str | None = None,
    regenerate: bool = False,
    resume: bool = True,
    record: bool = True,
    echo: Echo | None = None,
    solutions: int = 0,
) -> SynthPlan:
    """Choose (or find) the batch and render the requests of the groups without a sample.

    ``batch_id`` works on that recorded batch with its recorded parameters; otherwise an
    unfinished batch of a run with the same parameters is resumed (unless ``resume`` is False),
    else a new one is chosen and recorded (``record=False``: chosen only, for a dry run).
    ``regenerate`` asks again for every group of the batch (their samples are overwritten).
    ``solutions`` (math only): how many separate calls solve each problem to verify its answer.
    """
    say = echo or _stderr
    if batch_id:
        work = ledger.open_synth_batch(store, batch_id)
        recorded = work.params
        task, mode = str(recorded["task"]), str(recorded["mode"])
        options, shots = dict(recorded.get("options") or {}), int(recorded.get("shots", shots))
        temperature = float(recorded.get("temperature", temperature))
        solutions = int(recorded.get("solutions", 0))
        if recorded.get("examples") and examples is None:
            raise ConfigError(
                f"batch {batch_id} was made with few-shot examples; give the same examples again", param="examples"
            )
    if task is None:
        raise ConfigError("give a task (or a batch id to finish a recorded batch)", param=("task", "batch_id"))
    spec = get_task(task)
    check_mode(mode)
    if solutions and task != "math":
        raise ConfigError(f"only math problems are solved to verify them, not {task}", param="solutions")
    resolved = spec.resolve_options(options or {})
    if not batch_id:
        params: dict[str, Any] = {
            "task": task,
            "mode": mode,
            "size": size,
            "strategy": "graph" if spec.relation else strategy,
            "allocation": allocation,
            "seed": seed,
            "carver": carver.description if carver else "",
            "options": resolved,
            "shots": shots,
            "examples": ledger.examples_digest(examples),
            "embedder": "external" if vectors is not None else (embeddings.name if embeddings else ""),
            "temperature": temperature,
            "model": model,
        }
        if solutions:  # absent otherwise, so runs recorded before this option still resume
            params["solutions"] = solutions
        running = ledger.find_running(store, params) if resume and not regenerate else None
        if running:
            work = ledger.open_synth_batch(store, running)
        else:
            batch = sample_batch(
                store,
                size=size,
                strategy=strategy,
                task=task,
                carver=carver,
                allocation=allocation,
                seed=seed,
                embeddings=embeddings,
                vectors=vectors,
                relation=spec.relation,
                record=False,
            )
            if record:
                work = ledger.record_synth_batch(store, batch, params)
            else:
                work = SynthBatch(batch, batch.groups, params, set())
    todo = list(range(len(work.groups))) if regenerate else [i for i in range(len(work.groups)) if i not in work.done]
    if work.resumed:
        say(
            f"{'regenerating' if regenerate else 'resuming'} batch {work.batch.id}: "
            f"{len(todo)} of {len(work.groups)} groups to generate"
        )
    texts = persona_texts(store, sorted({p for i in todo for p in work.groups[i]}))
    messages: list[list[dict[str, str]]] = []
    ref = prompts.load(spec.prompt).ref
    for index in todo:
        rendered, ref = build_messages(spec, mode, [texts[p] for p in work.groups[index]], resolved, shots, examples)
        messages.append(rendered)
    return SynthPlan(work, spec, task, mode, resolved, temperature, todo, messages, ref, solutions)


def synth_dry_run(plan: SynthPlan, show: int = 2) -> DryRunReport:
    """What ``synthesize`` would send for this plan; nothing is called or written."""
    notes = [f"batch: {len(plan.work.groups)} groups ({plan.work.batch.strategy}), {len(plan.todo)} to generate"]
    if plan.solutions:
        notes.append(f"and {plan.solutions} solver call(s) per problem (prompt synth_math_solve), not counted below")
    return dry_run_report("synth", plan.messages, COMPLETION_TOKENS, show=show, notes=notes)


def _row(
    plan: SynthPlan, index: int, result: LLMResult, model: str, now: str, checked: dict[str, Any] | None = None
) -> dict[str, Any]:
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
        "options": json.dumps(plan.options, sort_keys=True),
        "created_at": now,
        "cached": result.cached,
        **verification,
    }
    roles = ROLES if spec.relation else ("persona",)
    personas = [{"id": p, "role": r} for p, r in zip(group, roles, strict=True)]
    return {"id": sample_id(plan.work.batch.id, index), "props": props, "personas": personas}


async def generate_samples(
    store: GraphStore, client: LLMClient, plan: SynthPlan, report: SynthReport, progress: Progress | None = None
) -> None:
    """Ask for every planned group and write the samples as they arrive (in small transactions)."""
    from personagraph.llm import LLMRequest

    edge = {"task": plan.task, "mode": plan.mode, "batch": plan.work.batch.id, "model": client.model}
    thread = StoreThread()
    pending: list[dict[str, Any]] = []
    last = time.monotonic()

    async def flush() -> None:
        nonlocal pending, last
        rows, pending, last = pending, [], time.monotonic()
        if rows:
            await thread(store.run, "synth/create_samples", rows=rows, edge=edge)
            checkpoint("synth_flush")

    async def one(index: int, messages: list[dict[str, str]]) -> tuple[int, LLMResult, dict[str, Any] | None]:
        tag = f"{plan.work.batch.id}:{index}"
        request = LLMRequest(messages, plan.spec.schema, temperature=plan.temperature, tag=tag)
        result = await client.generate(request.messages, request.schema, request.temperature, None, request.tag)
        checked = None
        if plan.solutions and result.ok and result.parsed is not None:
            from personagraph.synth.math_check import check_math

            checked = await check_math(client, result.parsed.problem, result.parsed.answer, plan.solutions, tag)
        if progress is not None:
            progress(1)
        return index, result, checked

    tasks = [asyncio.ensure_future(one(i, m)) for i, m in zip(plan.todo, plan.messages, strict=True)]
    try:
        for next_done in asyncio.as_completed(tasks):
            index, result, checked = await next_done
            group = plan.work.groups[index]
            if not result.ok or result.parsed is None:
                report.failed.append({"group": index, "personas": group, "error": result.error or "no reply"})
                continue
            row = _row(plan, index, result, client.model, now_iso(), checked)
            pending.append(row)
            report.samples.append({"id": row["id"], "personas": group, "text": row["props"]["text"]})
            if checked and not checked["verified"]:
                report.flagged.append({"id": row["id"], "reason": checked["verify_reason"]})
            if len(pending) >= FLUSH_SIZE or time.monotonic() - last >= FLUSH_EVERY:
                await flush()
        await flush()
    finally:
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)
        thread.close()


def synthesize(
    store: GraphStore,
    client: LLMClient,
    embeddings: Embeddings | None = None,
    *,
    task: str | None,
    mode: str = "zero-shot",
    size: int = 10,
    strategy: str = "kcenter",
    carver: Carver | None = None,
    seed: int = 0,
    allocation: str = "sqrt",
    options: dict[str, str | None] | None = None,
    shots: int = 3,
    examples: list[dict[str, Any]] | None = None,
    vectors: Vectors | None = None,
    temperature: float = 0.8,
    measure_diversity: bool = True,
    progress: Progress | None = None,
    batch_id: str | None = None,
    regenerate: bool = False,
    resume: bool = True,
    echo: Echo | None = None,
    solutions: int = 0,
) -> SynthReport:
    """Pick a batch (recorded in the ledger) and generate one sample per persona or related pair.

    ``embeddings`` chooses diverse personas and measures the samples' diversity; ``vectors``
    (ids, matrix) may replace it for choosing. See ``plan_synthesis`` for ``batch_id``,
    ``regenerate`` and ``resume``. The client is closed when the run ends (``llm.lifecycle``).
    """
    plan = plan_synthesis(
        store,
        embeddings,
        model=client.model,
        task=task,
        mode=mode,
        size=size,
        strategy=strategy,
        carver=carver,
        seed=seed,
        allocation=allocation,
        options=options,
        shots=shots,
        examples=examples,
        vectors=vectors,
        temperature=temperature,
        batch_id=batch_id,
        regenerate=regenerate,
        resume=resume,
        echo=echo,
        solutions=solutions,
    )
    report = SynthReport(plan.work.batch, plan.task, plan.mode, plan.prompt, client.model)
    report.resumed = plan.work.resumed
    report.skipped = len(plan.work.groups) - len(plan.todo)
    try:
        run_stage(client, lambda llm: generate_samples(store, llm, plan, report, progress))
    finally:
        report.usage = end_report(client)
    report.status = ledger.finish(store, plan.work)
    if not report.samples and report.failed:
        raise LLMReplyError(
            f"no valid sample in batch {plan.work.batch.id}: {report.failed[0]['error']}",
            hint="the batch is recorded; see the LLM failure log, then finish it by its batch id",
        )
    if measure_diversity and embeddings is not None and (report.samples or report.skipped):
        from personagraph.synth.report import batch_diversity

        report.diversity = batch_diversity(store, embeddings, plan.work.batch.id, persona_vectors=vectors)
    return report
