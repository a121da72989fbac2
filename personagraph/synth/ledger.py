"""The synthesis side of the batch ledger: which batch a ``synth`` run works on, and how far it got.

A synth batch is recorded before any LLM call (its personas count as used), with the run's
parameters (``synth_params``, canonical JSON), its groups (``groups``, JSON: persona ids in role
order) and a ``status``: ``running`` until every group has a sample (``done``) or the run ended with
failed groups (``partial``). A run killed mid-batch leaves ``running``: the same command again finds
that batch by its parameters and finishes it, instead of choosing new personas. Samples have an id
stable per (batch, group index), so writing a group again never duplicates it.

Several workers running the same command share one batch: a new batch's id is a digest of the
parameters and of how many batches such runs recorded before (``synth_batch_id``), so workers
started together record the same id and all but one find it taken and join it; the groups are
then shared out by claims (``synth.claims``).
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from personagraph.errors import ConfigError
from personagraph.ids import content_id
from personagraph.models import now_iso
from personagraph.sampling.batches import Batch, load_batch, record_batch

if TYPE_CHECKING:
    from personagraph.store import GraphStore

RUNNING, DONE, PARTIAL = "running", "done", "partial"


def sample_id(batch_id: str, group: int) -> str:
    """The id of the sample of group ``group`` of a batch: the same every time that group is written."""
    return content_id(f"{batch_id}\n{group}", "s_")


def synth_batch_id(params: dict[str, Any], generation: int) -> str:
    """The id of the ``generation``-th batch (from 0) of runs with these parameters (exact bytes: no
    normalising, so parameters that differ only in case or spacing never share an id)."""
    key = f"{params_json(params)}\n{generation}".encode()
    return "b_s_" + hashlib.blake2b(key, digest_size=8).hexdigest()


def params_json(params: dict[str, Any]) -> str:
    return json.dumps(params, sort_keys=True, ensure_ascii=False, separators=(",", ":"))


def examples_digest(examples: list[dict[str, Any]] | None) -> str:
    """A short digest of user-given few-shot examples ("" for the prompt's own)."""
    if examples is None:
        return ""
    return hashlib.blake2b(params_json({"examples": examples}).encode(), digest_size=8).hexdigest()


@dataclass
class SynthBatch:
    """The batch a run works on: its groups, which of them already have a sample, and its parameters."""

    batch: Batch
    groups: list[list[str]]
    params: dict[str, Any]
    done: set[int]
    resumed: bool = False


def record_synth_batch(store: GraphStore, batch: Batch, params: dict[str, Any]) -> SynthBatch:
    """Record a freshly chosen batch with its parameters and groups, status ``running``."""
    batch.props.update(status=RUNNING, synth_params=params_json(params), groups=json.dumps(batch.groups))
    record_batch(store, batch)
    return SynthBatch(batch, batch.groups, params, set())


def find_running(store: GraphStore, params: dict[str, Any]) -> str | None:
    """The id of an interrupted batch of a run with exactly these parameters, if any."""
    rows = store.run("synth/find_running_batch", params=params_json(params))
    return str(rows[0]["id"]) if rows else None


def count_param_batches(store: GraphStore, params: dict[str, Any]) -> int:
    """How many batches runs with exactly these parameters recorded, finished or not."""
    return int(store.run("synth/count_param_batches", params=params_json(params))[0]["n"])


def open_synth_batch(store: GraphStore, batch_id: str) -> SynthBatch:
    """A recorded synth batch with the groups that already have a sample; ConfigError if it is none."""
    props = load_batch(store, batch_id)
    raw = props.get("synth_params")
    groups = props.get("groups")
    if not isinstance(raw, str) or not isinstance(groups, list):
        raise ConfigError(
            f"batch {batch_id!r} was not recorded by a resumable `synth` run",
            hint="only batches recorded by `personagraph synth` (with parameters and groups) can be finished",
        )
    params = json.loads(raw)
    found = props.get("coverage")
    coverage: dict[str, Any] = found if isinstance(found, dict) else {}
    persona_ids = list(dict.fromkeys(p for group in groups for p in group))
    batch = Batch(batch_id, str(props.get("task")), str(props.get("strategy")), persona_ids, groups, coverage, props)
    batch.recorded = True
    return SynthBatch(batch, groups, params, groups_done(store, batch_id), resumed=True)


def groups_done(store: GraphStore, batch_id: str) -> set[int]:
    return {int(r["group"]) for r in store.run("synth/batch_sample_groups", id=batch_id) if r["group"] is not None}


def reopen(store: GraphStore, work: SynthBatch, regenerate: bool = False) -> None:
    """Mark a batch ``running`` again before its groups are claimed (a finished batch asked to finish or
    regenerate); regenerating also forgets its old claims (one worker regenerates a batch)."""
    if regenerate:
        store.run("synth/drop_claims", batch=work.batch.id)
    if work.batch.props.get("status") != RUNNING or regenerate:
        store.run("synth/set_batch_status", id=work.batch.id, status=RUNNING, samples=len(work.done), now=now_iso())
        work.batch.props["status"] = RUNNING


def finish(store: GraphStore, work: SynthBatch) -> str:
    """Set the batch's status from what it has now: ``done`` when every group has a sample; its claims go."""
    done = groups_done(store, work.batch.id)
    status = DONE if len(done) >= len(work.groups) else PARTIAL
    store.run("synth/set_batch_status", id=work.batch.id, status=status, samples=len(done), now=now_iso())
    store.run("synth/drop_claims", batch=work.batch.id)
    work.done = done
    return status
