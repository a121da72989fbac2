"""`personagraph synth`: pick a batch, ask the LLM for one sample per persona (or pair), keep
every sample in the graph with its lineage, and report the batch's diversity."""

from __future__ import annotations

import asyncio
import json
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from personagraph import prompts
from personagraph.errors import ConfigError, LLMReplyError
from personagraph.ids import content_id
from personagraph.models import now_iso
from personagraph.sampling.batches import Batch, sample_batch
from personagraph.sampling.candidates import Vectors, persona_texts
from personagraph.sampling.carver import Carver
from personagraph.synth.tasks import Task, check_mode, get_task

if TYPE_CHECKING:
    from personagraph.config import Settings
    from personagraph.llm import LLMClient, LLMRequest
    from personagraph.store import GraphStore

Progress = Callable[[int], None]
ROLES = ("a", "b")


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

    def as_dict(self) -> dict[str, Any]:
        return {
            "batch": self.batch.id,
            "task": self.task,
            "mode": self.mode,
            "prompt": self.prompt,
            "model": self.model,
            "samples": len(self.samples),
            "failed": len(self.failed),
            "failures": self.failed[:20],
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


def sample_id(batch_id: str, persona_ids: Sequence[str], task: str, mode: str, text: str) -> str:
    return content_id("\n".join([batch_id, task, mode, *persona_ids, text]), "s_")


def synthesize(
    store: GraphStore,
    settings: Settings,
    *,
    task: str,
    mode: str = "zero-shot",
    size: int = 10,
    strategy: str = "kcenter",
    carver: Carver | None = None,
    seed: int = 0,
    allocation: str = "sqrt",
    options: dict[str, str | None] | None = None,
    shots: int = 3,
    examples: list[dict[str, Any]] | None = None,
    embedder: str = "minilm",
    vectors: Vectors | None = None,
    client: LLMClient | None = None,
    temperature: float = 0.8,
    concurrency: int = 16,
    measure_diversity: bool = True,
    progress: Progress | None = None,
) -> SynthReport:
    """Pick a batch (recorded in the ledger) and generate one sample per persona or related pair."""
    spec = get_task(task)
    check_mode(mode)
    resolved = spec.resolve_options(options or {})
    from personagraph.llm import LLMClient, LLMRequest

    own_client = client is None
    llm = client or LLMClient.from_settings(settings, concurrency=concurrency)
    batch = sample_batch(
        store,
        settings,
        size=size,
        strategy=strategy,
        task=task,
        carver=carver,
        allocation=allocation,
        seed=seed,
        embedder=embedder,
        vectors=vectors,
        relation=spec.relation,
    )
    texts = persona_texts(store, batch.persona_ids)
    requests: list[LLMRequest] = []
    ref = ""
    for index, group in enumerate(batch.groups):
        messages, ref = build_messages(spec, mode, [texts[p] for p in group], resolved, shots, examples)
        requests.append(LLMRequest(messages, spec.schema, temperature=temperature, tag=f"{batch.id}:{index}"))

    async def run() -> list[Any]:
        try:
            return await llm.generate_many(requests, progress=progress)
        finally:
            await llm.aclose()

    try:
        results = asyncio.run(run())
    finally:
        if own_client:
            llm.close()
    report = SynthReport(batch, task, mode, ref, llm.model)
    now = now_iso()
    rows = []
    for group, result in zip(batch.groups, results, strict=True):
        if not result.ok or result.parsed is None:
            report.failed.append({"personas": group, "error": result.error or "no reply"})
            continue
        text = spec.text(result.parsed)
        data = spec.data(result.parsed)
        sid = sample_id(batch.id, group, task, mode, text)
        props = {
            "task": task,
            "mode": mode,
            "text": text,
            "data": json.dumps(data, ensure_ascii=False),
            "batch": batch.id,
            "model": result.model or llm.model,
            "prompt": ref,
            "prompt_version": ref.split("@")[-1],
            "relation": spec.relation or "",
            "options": json.dumps(resolved, sort_keys=True),
            "created_at": now,
            "cached": result.cached,
        }
        roles = ROLES if spec.relation else ("persona",)
        rows.append(
            {"id": sid, "props": props, "personas": [{"id": p, "role": r} for p, r in zip(group, roles, strict=True)]}
        )
        report.samples.append({"id": sid, "personas": group, "text": text})
    edge = {"task": task, "mode": mode, "batch": batch.id, "model": llm.model}
    for start in range(0, len(rows), 500):
        store.run("synth/create_samples", rows=rows[start : start + 500], edge=edge)
    report.usage = {
        "requests": len(requests),
        "cached": sum(1 for r in results if r.cached),
        "prompt_tokens": sum(r.usage.prompt_tokens for r in results),
        "completion_tokens": sum(r.usage.completion_tokens for r in results),
    }
    if not report.samples and report.failed:
        raise LLMReplyError(
            f"no valid sample in batch {batch.id}: {report.failed[0]['error']}",
            hint="the batch is recorded; see the LLM failure log",
        )
    if measure_diversity and report.samples:
        from personagraph.synth.report import batch_diversity

        report.diversity = batch_diversity(store, settings, batch.id, embedder=embedder, persona_vectors=vectors)
    return report
