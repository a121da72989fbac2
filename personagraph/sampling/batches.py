"""Pick a batch from the store, measure its coverage and record it in the usage ledger.

The ledger is the graph itself: a ``(:Batch)`` node per batch (task, strategy, size, time,
coverage figures) and ``(:Persona)-[:USED_IN]->(:Batch)`` edges; each persona's ``uses`` grows
by one per batch, and the strategies take least-used personas first.
"""

from __future__ import annotations

import hashlib
import json
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timezone
from typing import TYPE_CHECKING, Any

import numpy as np

from personagraph.errors import ConfigError, PersonaGraphError
from personagraph.runtime import checkpoint
from personagraph.sampling import coverage, strategies
from personagraph.sampling.candidates import (
    CandidateSet,
    Vectors,
    align_vectors,
    fetch_candidates,
    relation_pairs,
)
from personagraph.sampling.carver import Carver
from personagraph.sampling.target import Target
from personagraph.sampling.vector_rows import IN_MEMORY_ROWS, DiskRows, candidate_vectors

if TYPE_CHECKING:
    from personagraph.embeddings.embeddings import Embeddings
    from personagraph.sampling.coverage import VectorRows
    from personagraph.store import GraphStore

Progress = Callable[[int], None]

LEDGER_CHUNK = 10_000
"""Personas per transaction of the usage ledger (``record_batch``)."""
RECORDING_LEASE = 600.0
"""Seconds without a ledger chunk after which another process takes a batch's recording as stopped."""


@dataclass
class Batch:
    """A recorded (or, with ``record=False``, proposed) batch."""

    id: str
    task: str
    strategy: str
    persona_ids: list[str]
    groups: list[list[str]]
    coverage: dict[str, Any]
    props: dict[str, Any] = field(default_factory=dict)
    recorded: bool = False

    def as_dict(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "task": self.task,
            "strategy": self.strategy,
            "size": len(self.groups),
            "personas": len(self.persona_ids),
            "recorded": self.recorded,
            "coverage": self.coverage,
        }


def batch_id(created_at: str, key: str) -> str:
    """``b_<UTC time>_<6 hex>``: sorts by time, unique by content."""
    stamp = created_at.replace("-", "").replace(":", "").replace("+0000", "")[:15]
    digest = hashlib.blake2b(key.encode("utf-8"), digest_size=3).hexdigest()
    return f"b_{stamp}_{digest}"


def _choose(
    candidates: CandidateSet,
    strategy: str,
    size: int,
    vectors: VectorRows | None,
    allocation: str,
    seed: int,
    relation: str | None,
    store: GraphStore,
) -> tuple[np.ndarray, list[list[int]]]:
    """Rows chosen, and the groups (one row each, or pairs joined by ``relation``)."""
    if relation:
        pairs = relation_pairs(store, relation, candidates)
        if len(pairs) == 0:
            raise ConfigError(
                f"no two candidate personas are joined by {relation}",
                hint="relax the filters, or expand the graph with that relation first",
            )
        chosen_pairs = strategies.select_groups(pairs, size, candidates.communities, candidates.uses, seed)
        rows = np.unique(chosen_pairs.ravel())
        return rows, [[int(a), int(b)] for a, b in chosen_pairs]
    if strategy in ("stratified", "kcenter") and not candidates.clustered:
        raise ConfigError(
            f"strategy {strategy} needs clusters on every candidate", hint="run `personagraph cluster` first"
        )
    rows = strategies.select(
        strategy,
        size,
        count=len(candidates),
        strata=candidates.clusters,
        vectors=vectors,
        uses=candidates.uses,
        communities=candidates.communities,
        hops=candidates.hops,
        allocation=allocation,
        seed=seed,
    )
    return rows, [[int(r)] for r in rows]


def _choose_target(
    candidates: CandidateSet,
    target: Target,
    strategy: str,
    size: int,
    vectors: VectorRows | None,
    allocation: str,
    seed: int,
) -> tuple[np.ndarray, dict[str, Any]]:
    """Rows matching ``target`` (exact cell quotas, the strategy inside each cell) and the target report."""
    from personagraph.sampling import target as targets

    if strategy not in ("random", "stratified", "kcenter"):
        raise ConfigError(f"a target combines with random, stratified or kcenter, not {strategy}", param="strategy")
    values = list(zip(*(candidates.attributes[a] for a in target.attributes), strict=True))
    known = [tuple(str(v) for v in row) for row in values if None not in row]
    counts: dict[tuple[str, ...], float] = {}
    for cell in known:
        counts[cell] = counts.get(cell, 0.0) + 1.0
    shares_by_cell = targets.joint_shares(target, counts)
    cells = list(shares_by_cell)
    shares = np.array([shares_by_cell[c] for c in cells], dtype=np.float64)
    index = targets.cell_index(values, cells)
    capacity = np.bincount(index[index >= 0], minlength=len(cells))
    quotas = targets.cell_quotas(shares, capacity, size)
    strata = candidates.clusters if candidates.clustered and strategy != "random" else None
    rows = targets.select_target(
        index,
        quotas,
        vectors=vectors if strategy == "kcenter" else None,
        strata=strata,
        uses=candidates.uses,
        allocation=allocation,
        seed=seed,
    )
    baseline = strategies.select_random(len(candidates), len(rows), seed=seed + 1)
    report = targets.target_report(target, cells, shares, quotas, capacity, index[rows], size, index[baseline])
    report["unreachable"] = targets.unreachable(target, counts)
    report["marginal_tvd"] = targets.marginal_tvd([values[int(r)] for r in rows], target)
    report["marginal_tvd_random"] = targets.marginal_tvd([values[int(r)] for r in baseline], target)
    report["candidates_without_attributes"] = len(values) - len(known)
    report["batch"] = len(rows)
    return rows, report


def sample_batch(
    store: GraphStore,
    *,
    size: int,
    strategy: str = "kcenter",
    task: str = "sample",
    carver: Carver | None = None,
    allocation: str = "sqrt",
    seed: int = 0,
    embeddings: Embeddings | None = None,
    vectors: Vectors | None = None,
    relation: str | None = None,
    record: bool = True,
    measure_radius: bool = True,
    max_exact: int = 100_000,
    progress: Progress | None = None,
    target: Target | None = None,
    in_memory_rows: int = IN_MEMORY_ROWS,
    ledger_chunk: int = LEDGER_CHUNK,
    echo: Callable[[str], None] | None = None,
) -> Batch:
    """Choose ``size`` personas (or ``size`` related pairs when ``relation`` is given) and record the batch.

    The coverage report compares the batch with a random batch of the same size on the same
    candidates. ``vectors`` (ids, matrix) replaces the embedding stage (``embeddings``).
    ``record=False`` leaves the ledger to the caller (``record_batch``). ``target`` (``sampling.target``)
    makes the batch's attribute mix match a target distribution; the report then has ``target``.
    Above ``in_memory_rows`` candidates their embeddings are read from a temporary file on disk
    (``vector_rows``), with the same picks. The ledger is written ``ledger_chunk`` personas per
    transaction (``record_batch``); a batch an earlier run left cut short is undone first (``echo`` says so).
    """
    if strategy not in strategies.STRATEGIES:
        raise ConfigError(f"unknown strategy {strategy!r}", hint=f"choose one of {', '.join(strategies.STRATEGIES)}")
    if size < 1:
        raise ConfigError("the batch size must be at least 1")
    if relation:
        if target is not None:
            raise ConfigError("a target distribution and a relation do not combine", param=("target", "relation"))
        store.vocabulary.check(relation)
        strategy = "graph"
    if record:
        undo_abandoned_batches(store, echo)
    attributes = target.attributes if target is not None else ()
    candidates = fetch_candidates(store, carver, progress=progress, attributes=attributes)
    if not len(candidates):
        raise ConfigError(
            "no persona passes the filters" if carver and carver.description else "the store holds no persona"
        )
    matrix: VectorRows | None = None
    note = None
    if strategy == "kcenter" or measure_radius:
        try:
            if vectors is not None:
                matrix = align_vectors(candidates.ids, vectors)
            elif embeddings is not None:
                matrix = candidate_vectors(embeddings, candidates.ids, in_memory_rows=in_memory_rows)
            else:
                raise ConfigError("this sampling needs embeddings (or vectors)")
        except (ImportError, PersonaGraphError) as exc:
            if strategy == "kcenter":
                raise
            note = f"covering radius not measured: {exc}"
    target_part: dict[str, Any] | None = None
    if target is not None:
        rows, target_part = _choose_target(candidates, target, strategy, size, matrix, allocation, seed)
        groups = [[int(r)] for r in rows]
    else:
        rows, groups = _choose(candidates, strategy, size, matrix, allocation, seed, relation, store)
    uses_after = candidates.uses.copy()
    uses_after[rows] += 1
    baseline = strategies.select_random(len(candidates), len(rows), seed=seed + 1)
    report = coverage.coverage_report(
        chosen=rows,
        clusters=candidates.clusters if (candidates.clusters >= 0).any() else None,
        vectors=matrix,
        hops=candidates.hops,
        rel_types=candidates.rels,
        uses_after=uses_after,
        baseline=baseline,
        max_exact=max_exact,
        seed=seed,
    )
    if isinstance(matrix, DiskRows):
        matrix.close()
    report["candidates"] = len(candidates)
    if target_part is not None:
        report["target"] = target_part
    if note:
        report["note"] = note
    ids = [candidates.ids[int(r)] for r in rows]
    id_groups = [[candidates.ids[r] for r in group] for group in groups]
    created = datetime.now(timezone.utc).strftime("%Y-%m-%dT%H:%M:%S.%f+00:00")
    bid = batch_id(created, json.dumps([task, strategy, seed, ids]))
    props = _ledger_props(
        report,
        task=task,
        strategy=strategy,
        allocation=allocation,
        seed=seed,
        created=created,
        carver=carver,
        embedder="external" if vectors is not None else (embeddings.name if embeddings else ""),
        relation=relation,
        groups=id_groups,
    )
    batch = Batch(bid, task, strategy, ids, id_groups, report, props)
    if record:
        record_batch(store, batch, ledger_chunk)
    return batch


def _ledger_props(
    report: dict[str, Any],
    *,
    task: str,
    strategy: str,
    allocation: str,
    seed: int,
    created: str,
    carver: Carver | None,
    embedder: str,
    relation: str | None,
    groups: list[list[str]],
) -> dict[str, Any]:
    """Flat properties for the :Batch node (graph properties hold no nested maps)."""
    props: dict[str, Any] = {
        "task": task,
        "strategy": strategy,
        "allocation": allocation,
        "seed": seed,
        "created_at": created,
        "size": len(groups),
        "personas": sum(len(g) for g in groups),
        "candidates": report.get("candidates"),
        "carver": carver.description if carver else "",
        "embedder": embedder,
        "relation": relation or "",
        "uses_gini": report.get("uses_gini"),
        "coverage": json.dumps(report, sort_keys=True),
    }
    if "clusters" in report:
        props["clusters_covered"] = report["clusters"]["covered"]
        props["clusters_total"] = report["clusters"]["total"]
    if "radius" in report:
        props["radius"] = report["radius"]["max"]
        props["radius_exact"] = report["radius"]["exact"]
    if "radius_random" in report:
        props["radius_random"] = report["radius_random"]["max"]
    if relation:
        props["groups"] = json.dumps(groups)
    if "target" in report:
        props["target"] = report["target"]["source"]
        props["target_tvd"] = report["target"]["tvd"]
    return {k: v for k, v in props.items() if v is not None}


def record_batch(store: GraphStore, batch: Batch, chunk: int = LEDGER_CHUNK) -> int:
    """Write the :Batch node and its USED_IN edges, and count the uses: returns the personas linked.

    A batch of at most ``chunk`` personas is one transaction. A larger one is written ``chunk``
    personas per transaction (one transaction for 100k personas spread over a 10M store outgrew an
    8-10 GB heap), under a ``recording`` mark that readers skip; a failure undoes what was written,
    and a batch cut short by a crash is undone by the next ``sample`` or by ``check --fix``.
    """
    if chunk < 1:
        raise ConfigError("the ledger chunk must be at least 1", param="chunk")
    checkpoint("sample_record")
    ids = batch.persona_ids
    if len(ids) <= chunk:
        rows = store.run("sampling/record_batch", id=batch.id, props=batch.props, ids=ids)
        linked = int(rows[0]["n"]) if rows else 0
    else:
        store.run("sampling/create_batch", id=batch.id, props=batch.props, until=time.time() + RECORDING_LEASE)
        linked = 0
        try:
            for start in range(0, len(ids), chunk):
                lease = time.time() + RECORDING_LEASE
                rows = store.run("sampling/record_uses", id=batch.id, ids=ids[start : start + chunk], until=lease)
                linked += int(rows[0]["n"]) if rows else 0
                checkpoint("sample_record_chunk")
            store.run("sampling/complete_batch", id=batch.id)
        except PersonaGraphError as exc:
            try:
                undo_batch(store, batch.id, chunk)
            except PersonaGraphError:
                exc.hint = "the batch is partly recorded: the next sample (or a check with fix) undoes it"
            else:
                exc.hint = f"batch {batch.id} was not recorded; what was written of it is undone"
            raise
    checkpoint("sample_recorded")
    batch.recorded = True
    return linked


def undo_batch(store: GraphStore, batch_id_: str, chunk: int = LEDGER_CHUNK) -> int:
    """Remove a batch marked ``recording`` (cut short): its USED_IN edges and the uses they counted, ``chunk``
    per transaction, then its node. Returns the edges removed; a batch already complete is left alone."""
    removed = store.drain("sampling/undo_uses", limit=chunk, id=batch_id_)
    store.run("sampling/drop_recording_batch", id=batch_id_)
    return removed


def undo_abandoned_batches(store: GraphStore, echo: Callable[[str], None] | None = None) -> list[str]:
    """Undo every batch cut short while recorded (embedded: every batch marked ``recording``; on a server,
    those whose recording lease ended); returns their ids."""
    undone = []
    now = None if store.capabilities.single_process else time.time()
    for row in store.run("sampling/recording_batches", now=now):
        removed = undo_batch(store, str(row["id"]))
        if echo:
            echo(f"batch {row['id']} was cut short while recorded: undid its {removed:,} uses")
        undone.append(str(row["id"]))
    return undone


def wait_recorded(store: GraphStore, batch_id_: str, timeout: float = RECORDING_LEASE, poll: float = 0.5) -> None:
    """Return once the batch is no longer marked ``recording`` (another worker writing its ledger), or
    after ``timeout`` seconds (``load_batch`` then says it is still being recorded)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        rows = store.run("sampling/get_batch", id=batch_id_)
        if not rows or not dict(rows[0]["batch"]).get("recording"):
            return
        time.sleep(poll)


def load_batch(store: GraphStore, batch_id_: str) -> dict[str, Any]:
    """A batch's properties (coverage decoded) and its personas; ConfigError if there is none."""
    rows = store.run("sampling/get_batch", id=batch_id_)
    if not rows:
        raise ConfigError(f"no batch {batch_id_!r} in the store", hint="`personagraph batches` lists them")
    props = dict(rows[0]["batch"])
    if props.get("recording"):
        raise ConfigError(
            f"batch {batch_id_!r} is still being recorded",
            hint="wait for its command to finish; if that stopped, the next sample (or a check with fix) undoes the batch",
        )
    for key in ("coverage", "groups"):
        if isinstance(props.get(key), str):
            props[key] = json.loads(props[key])
    props["persona_rows"] = store.run("sampling/batch_personas", id=batch_id_)
    return props


def list_batches(store: GraphStore, limit: int = 50) -> list[dict[str, Any]]:
    return store.run("sampling/list_batches", limit=limit)
