"""A synthesis run before any call: which batch it works on, which groups are left, and their requests."""

from __future__ import annotations

import sys
from collections.abc import Callable
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING, Any

from personagraph import prompts
from personagraph.errors import ConfigError, StoreConflictError
from personagraph.llm.lifecycle import DryRunReport, dry_run_report
from personagraph.sampling.batches import sample_batch, undo_abandoned_batches, wait_recorded
from personagraph.sampling.candidates import Vectors, persona_texts
from personagraph.synth import ledger
from personagraph.synth.ledger import SynthBatch
from personagraph.synth.options import SynthesisOptions
from personagraph.synth.prompting import build_messages
from personagraph.synth.tasks import Task, check_mode, get_task

if TYPE_CHECKING:
    from personagraph.embeddings.embeddings import Embeddings
    from personagraph.store import GraphStore

Echo = Callable[[str], None]
COMPLETION_TOKENS = 250  # estimate per sample for a dry run (a problem and its answer)


def _stderr(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


@dataclass
class SynthPlan:
    """One synth run before any call: the batch, the groups still to do and their requests."""

    work: SynthBatch
    spec: Task
    options: SynthesisOptions  # as the batch was recorded (task, mode, shots, temperature, solutions)
    resolved: dict[str, str]  # the task's options with their defaults filled in
    todo: list[int]
    messages: list[list[dict[str, str]]]
    prompt: str

    @property
    def task(self) -> str:
        return str(self.options.task)

    @property
    def mode(self) -> str:
        return self.options.mode

    @property
    def temperature(self) -> float:
        return self.options.temperature

    @property
    def solutions(self) -> int:
        return self.options.solutions  # math: independent solutions asked for in separate calls (synth.math_check)


def _recorded(store: GraphStore, options: SynthesisOptions) -> tuple[SynthBatch, SynthesisOptions]:
    """The batch named by ``options.batch_id``, and the options with its recorded parameters."""
    work = ledger.open_synth_batch(store, str(options.batch_id))
    recorded = work.params
    if recorded.get("examples") and options.examples is None:
        raise ConfigError(
            f"batch {options.batch_id} was made with few-shot examples; give the same examples again",
            param="examples",
        )
    return work, replace(
        options,
        task=str(recorded["task"]),
        mode=str(recorded["mode"]),
        task_options=dict(recorded.get("options") or {}),
        shots=int(recorded.get("shots", options.shots)),
        temperature=float(recorded.get("temperature", options.temperature)),
        solutions=int(recorded.get("solutions", 0)),
    )


def _ledger_params(
    options: SynthesisOptions,
    spec: Task,
    resolved: dict[str, str],
    model: str,
    embeddings: Embeddings | None,
    vectors: Vectors | None,
) -> dict[str, Any]:
    """The parameters a batch is recorded with: runs with the same ones resume (or join) it."""
    params: dict[str, Any] = {
        "task": options.task,
        "mode": options.mode,
        "size": options.size,
        "strategy": "graph" if spec.relation else options.strategy,
        "allocation": options.allocation,
        "seed": options.seed,
        "carver": options.carver.description if options.carver else "",
        "options": resolved,
        "shots": options.shots,
        "examples": ledger.examples_digest(options.examples),
        "embedder": "external" if vectors is not None else (embeddings.name if embeddings else ""),
        "temperature": options.temperature,
        "model": model,
    }
    if options.solutions:  # absent otherwise, so runs recorded before this option still resume
        params["solutions"] = options.solutions
    return params


def _new_batch(
    store: GraphStore,
    options: SynthesisOptions,
    spec: Task,
    params: dict[str, Any],
    embeddings: Embeddings | None,
    vectors: Vectors | None,
    record: bool,
) -> SynthBatch:
    """Choose a batch and record it; another worker recording the same id first means: join its batch."""
    generation = ledger.count_param_batches(store, params) if options.resume and record else 0
    batch = sample_batch(
        store,
        size=options.size,
        strategy=options.strategy,
        task=str(options.task),
        carver=options.carver,
        allocation=options.allocation,
        seed=options.seed,
        embeddings=embeddings,
        vectors=vectors,
        relation=spec.relation,
        record=False,
    )
    if not record:
        return SynthBatch(batch, batch.groups, params, set())
    if options.resume:  # workers started together choose the same id (``--new-batch`` keeps a fresh one)
        batch.id = ledger.synth_batch_id(params, generation)
    try:
        return ledger.record_synth_batch(store, batch, params)
    except StoreConflictError:
        if not options.resume:
            raise
        wait_recorded(store, batch.id)  # a batch larger than a ledger chunk is recorded in several transactions
        return ledger.open_synth_batch(store, batch.id)


def plan_synthesis(
    store: GraphStore,
    embeddings: Embeddings | None,
    options: SynthesisOptions | None = None,
    *,
    model: str,
    vectors: Vectors | None = None,
    record: bool = True,
    echo: Echo | None = None,
    **changes: Any,
) -> SynthPlan:
    """Choose (or find, or join) the batch and render the requests of the groups without a sample.

    See ``SynthesisOptions`` (``changes`` name its fields, e.g. ``task="math"``). ``record=False``
    chooses a batch without recording it, for a dry run. ``vectors`` (ids, matrix) replaces the
    embeddings for choosing personas.
    """
    options = SynthesisOptions.of(options, **changes)
    say = echo or _stderr
    work: SynthBatch | None = None
    if options.batch_id:
        work, options = _recorded(store, options)
    if options.task is None:
        raise ConfigError("give a task (or a batch id to finish a recorded batch)", param=("task", "batch_id"))
    spec = get_task(options.task)
    check_mode(options.mode)
    if options.solutions and options.task != "math":
        raise ConfigError(f"only math problems are solved to verify them, not {options.task}", param="solutions")
    resolved = spec.resolve_options(dict(options.task_options))
    if work is None:
        if record:  # a batch cut short while recorded, as `sample` does; before looking for one to join
            undo_abandoned_batches(store, say)
        params = _ledger_params(options, spec, resolved, model, embeddings, vectors)
        running = ledger.find_running(store, params) if options.resume and not options.regenerate else None
        if running:
            wait_recorded(store, running)  # another worker may still be writing its ledger
            work = ledger.open_synth_batch(store, running)
        else:
            work = _new_batch(store, options, spec, params, embeddings, vectors, record)
    groups = range(len(work.groups))
    todo = list(groups) if options.regenerate else [i for i in groups if i not in work.done]
    if work.resumed:
        say(
            f"{'regenerating' if options.regenerate else 'resuming'} batch {work.batch.id}: "
            f"{len(todo)} of {len(work.groups)} groups to generate"
        )
    texts = persona_texts(store, sorted({p for i in todo for p in work.groups[i]}))
    messages: list[list[dict[str, str]]] = []
    ref = prompts.load(spec.prompt).ref
    for index in todo:
        rendered, ref = build_messages(
            spec, options.mode, [texts[p] for p in work.groups[index]], resolved, options.shots, options.examples
        )
        messages.append(rendered)
    return SynthPlan(work, spec, options, resolved, todo, messages, ref)


def synth_dry_run(plan: SynthPlan, show: int = 2) -> DryRunReport:
    """What ``synthesize`` would send for this plan; nothing is called or written."""
    notes = [f"batch: {len(plan.work.groups)} groups ({plan.work.batch.strategy}), {len(plan.todo)} to generate"]
    if plan.solutions:
        notes.append(f"and {plan.solutions} solver call(s) per problem (prompt synth_math_solve), not counted below")
    return dry_run_report("synth", plan.messages, COMPLETION_TOKENS, show=show, notes=notes)
