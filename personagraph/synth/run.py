"""`personagraph synth`: pick a batch, ask the LLM for one sample per persona (or pair), keep
every sample in the graph with its lineage as it arrives, and report the batch's diversity.

Resumable (see ``synth.ledger``): samples are written while the others are generated, with ids
stable per (batch, group); an interrupted run's batch is finished by the same command, or by
``batch_id``, asking only for the groups without a sample. Several processes running the same
command share one batch and claim its groups (``synth.claims``): each group is asked for once.

The run is split in steps: ``synth.plan`` (the batch and its requests), ``synth.generate`` (claims,
calls and writes), ``synth.prompting`` (the messages); ``SynthesisOptions`` carries the choices.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from personagraph.errors import LLMReplyError
from personagraph.llm.lifecycle import end_report, run_stage
from personagraph.sampling.batches import Batch
from personagraph.sampling.candidates import Vectors
from personagraph.synth import ledger
from personagraph.synth.generate import Progress, generate_samples
from personagraph.synth.options import SynthesisOptions
from personagraph.synth.plan import Echo, plan_synthesis

if TYPE_CHECKING:
    from personagraph.embeddings.embeddings import Embeddings
    from personagraph.llm import LLMClient
    from personagraph.store import GraphStore

__all__ = ["SynthReport", "SynthesisOptions", "synthesize"]


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


def synthesize(
    store: GraphStore,
    client: LLMClient,
    embeddings: Embeddings | None = None,
    options: SynthesisOptions | None = None,
    *,
    vectors: Vectors | None = None,
    measure_diversity: bool = True,
    progress: Progress | None = None,
    echo: Echo | None = None,
    worker: str | None = None,
    **changes: Any,
) -> SynthReport:
    """Pick a batch (recorded in the ledger) and generate one sample per persona or related pair.

    ``options`` (``SynthesisOptions``; ``changes`` name its fields, e.g. ``task="math", size=20``)
    say what to generate. ``embeddings`` chooses diverse personas and measures the samples'
    diversity; ``vectors`` (ids, matrix) may replace it for choosing. ``worker`` names this process
    in its claims (default: host/pid/random). The client is closed when the run ends (``llm.lifecycle``).
    """
    chosen = SynthesisOptions.of(options, **changes)
    plan = plan_synthesis(store, embeddings, chosen, model=client.model, vectors=vectors, echo=echo)
    report = SynthReport(plan.work.batch, plan.task, plan.mode, plan.prompt, client.model)
    report.resumed = plan.work.resumed
    report.skipped = len(plan.work.groups) - len(plan.todo)
    if plan.todo:
        ledger.reopen(store, plan.work, regenerate=chosen.regenerate)
    try:
        run_stage(client, lambda llm: generate_samples(store, llm, plan, report, progress, worker))
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
