"""The demo's sampling and synthesis stage: strata of the example world, one coverage-aware batch
beside random, and (with an LLM endpoint) a few samples of each task with their lineage."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from personagraph.sampling.batches import sample_batch
from personagraph.sampling.strata import cluster_names, compute_strata
from personagraph.sampling.summary import cluster_rows, coverage_rows, diversity_rows

if TYPE_CHECKING:
    from personagraph.config import Settings
    from personagraph.store import GraphStore

SINGLE_TASKS = ("math", "logic", "instruction", "knowledge", "npc", "tool")


def _table(rows: list[dict[str, str]], echo: Callable[[str], None]) -> None:
    columns = list(rows[0]) if rows else []
    widths = {c: max(len(c), *(len(str(r.get(c, ""))) for r in rows)) for c in columns}
    echo("  " + "  ".join(c.ljust(widths[c]) for c in columns))
    for row in rows:
        echo("  " + "  ".join(str(row.get(c, "")).ljust(widths[c]) for c in columns))


def run(
    store: GraphStore,
    settings: Settings,
    echo: Callable[[str], None] = print,
    *,
    embedder: str = "minilm",
    size: int = 24,
    per_task: int = 2,
    seed: int = 0,
) -> dict[str, object]:
    """Cluster the world, sample a batch with its coverage report, and synthesize when an endpoint
    is configured. Returns the ids it made (``batch``, ``samples``) for the demo's next steps."""
    from personagraph.embeddings.embeddings import Embeddings

    embeddings = Embeddings.for_store(store, embedder, settings)
    echo("Clustering persona embeddings (k-means) and relation communities (Louvain)…")
    strata = compute_strata(store, embeddings, seed=seed)
    echo(f"{strata.k} clusters of {strata.personas} personas, {strata.communities} communities. Largest clusters:")
    for cluster in strata.clusters[:6]:
        echo(f"  [{cluster['cluster']}] {cluster['size']:>3}  {cluster['label']}")
    batch = sample_batch(store, size=size, strategy="kcenter", task="demo", seed=seed, embeddings=embeddings)
    echo(f"\nA kcenter batch of {size} (recorded as {batch.id}), beside a random batch of the same size:")
    _table(coverage_rows(batch.coverage)[:5], echo)
    echo("Clusters it drew from:")
    _table(cluster_rows(batch.coverage, cluster_names(store), limit=6), echo)
    made: dict[str, object] = {"batch": batch.id, "samples": []}
    if not settings.llm_configured:
        echo(
            "\nSynthesis skipped: no language model configured (set OPENAI_BASE_URL, OPENAI_API_KEY, PERSONAGRAPH_MODEL)."
        )
        return made
    from personagraph.llm import LLMClient
    from personagraph.synth.run import synthesize

    client = LLMClient.from_settings(settings)  # one client for every task's run (each run closes it after)
    samples: list[str] = []
    echo(f"\nSynthesizing {per_task} samples of each task (zero-shot; pair tasks follow the graph's relations):")
    for task in (*SINGLE_TASKS, "rivals"):
        try:
            report = synthesize(
                store,
                client,
                embeddings,
                task=task,
                size=per_task,
                strategy="kcenter",
                seed=seed,
                measure_diversity=(task == "rivals"),
                echo=echo,
            )
        except Exception as exc:  # one task failing (e.g. no RIVAL pair) must not end the demo
            echo(f"  {task:12s} skipped: {exc}")
            continue
        samples.extend(s["id"] for s in report.samples)
        first = report.samples[0]["text"].replace("\n", " ")[:110] if report.samples else "(none)"
        echo(f"  {task:12s} {len(report.samples)} samples, batch {report.batch.id}: {first}")
        if report.diversity:
            _table(diversity_rows(report.diversity), echo)
    made["samples"] = samples
    if samples:
        echo(f"\nWhere did a sample come from?  personagraph lineage {samples[0]}")
    return made
