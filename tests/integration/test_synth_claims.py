"""The claim protocol of synthesis workers (``synth.claims``) and the shared batch of workers started
together (``synth.plan``), on both executors, without the LLM: the claims are graph state."""

from __future__ import annotations

import socket
import subprocess
import sys

import numpy as np
import pytest

from personagraph.sampling.batches import load_batch
from personagraph.store import GraphStore
from personagraph.synth import ledger
from personagraph.synth.claims import GroupClaims
from personagraph.synth.options import SynthesisOptions
from personagraph.synth.plan import _ledger_params, _new_batch, plan_synthesis
from personagraph.synth.tasks import get_task
from tests.integration.sampling_world import build_world

EDGE = {"task": "logic", "mode": "zero-shot", "batch": "", "model": "test-model"}


@pytest.fixture
def vectors(store: GraphStore) -> tuple[list[str], np.ndarray]:
    personas, matrix = build_world(store)
    return [p.id for p in personas], matrix


def dead_worker() -> str:
    """The id a worker on this host had, whose process has ended."""
    proc = subprocess.Popen([sys.executable, "-c", "pass"])
    proc.wait()
    return f"{socket.gethostname()}/{proc.pid}/dead00"


def test_workers_claim_each_group_once_and_failed_groups_stay_given_up(
    store: GraphStore, vectors: tuple[list[str], np.ndarray]
) -> None:
    plan = plan_synthesis(
        store, None, model="test-model", task="logic", size=6, strategy="random", vectors=vectors, echo=print
    )
    todo = plan.todo
    assert todo == list(range(6))
    first = GroupClaims(store, plan.work, "host-a/1/aa", todo, lease=60)
    second = GroupClaims(store, plan.work, "host-b/2/bb", todo, lease=60)
    assert first.claim([0, 1, 2, 3]) == [0, 1, 2, 3]
    assert sorted(second.claim(todo)) == [4, 5]  # the others are under the first worker's lease
    assert first.claim([0, 1]) == [0, 1]  # a worker may claim its own groups again
    first.write([], EDGE, done=[], failed=[1])
    first.release([2, 3])
    assert sorted(second.claim([1, 2, 3])) == [2, 3]  # a failed group is not asked again by this run
    left = first.left()
    assert left.claimable == [0] and left.held == 4 and left.next_lease_end is not None
    assert ledger.finish(store, plan.work) == "partial"
    assert store.cypher("MATCH (c:SynthClaim) RETURN count(c) AS n") == [{"n": 0}]  # the batch's claims went
    assert first.claim([0]) == []  # nothing is claimed on a batch that is not running
    assert first.left().total == 0


def test_an_ended_lease_and_a_dead_workers_claims_are_taken_over(
    store: GraphStore, vectors: tuple[list[str], np.ndarray]
) -> None:
    plan = plan_synthesis(store, None, model="test-model", task="logic", size=4, strategy="random", vectors=vectors)
    lapsed = GroupClaims(store, plan.work, "elsewhere/7/ee", plan.todo, lease=-1.0)  # leases end at once
    dead = GroupClaims(store, plan.work, dead_worker(), plan.todo, lease=600)
    alive = GroupClaims(store, plan.work, "elsewhere/8/ff", plan.todo, lease=600)
    me = GroupClaims(store, plan.work, f"{socket.gethostname()}/{1}/me", plan.todo, lease=600)
    assert lapsed.claim([0]) == [0] and dead.claim([1]) == [1] and alive.claim([2]) == [2]
    assert me.claim([0, 1, 2, 3]) == [0, 3]  # the ended lease, and the free group
    if store.capabilities.single_process:  # only this process opens the store: every other claim is stale
        assert me.release_dead_workers() == 2 and me.claim([1, 2]) == [1, 2] and me.left().held == 0
    else:  # the dead process on this host is released; another host's live lease stands
        assert me.release_dead_workers() == 1 and me.claim([1, 2]) == [1] and me.left().held == 1


def test_workers_started_together_record_one_batch(store: GraphStore, vectors: tuple[list[str], np.ndarray]) -> None:
    options = SynthesisOptions(task="logic", size=3, strategy="random")
    spec = get_task("logic")
    params = _ledger_params(options, spec, spec.resolve_options({}), "test-model", None, vectors)
    first = _new_batch(store, options, spec, params, None, vectors, record=True)
    # The second worker counted the batches before the first recorded its own (hidden here by
    # changing the first's recorded parameters): it computes the same id, finds it taken, joins it.
    hidden = ledger.params_json({**params, "hidden": True})
    store.cypher("MATCH (b:Batch {id: $id}) SET b.synth_params = $p", {"id": first.batch.id, "p": hidden}, write=True)
    assert ledger.count_param_batches(store, params) == 0
    second = _new_batch(store, options, spec, params, None, vectors, record=True)
    assert first.batch.id == second.batch.id == ledger.synth_batch_id(params, 0)
    assert second.resumed and second.groups == first.groups
    assert store.count("Batch") == 1 and load_batch(store, first.batch.id)["status"] == "running"
    assert store.cypher("MATCH (:Persona)-[u:USED_IN]->(:Batch) RETURN count(u) AS n") == [{"n": 3}]  # used once
    # A run with --new-batch keeps a fresh id of its own.
    fresh = _new_batch(store, SynthesisOptions.of(options, resume=False), spec, params, None, vectors, record=True)
    assert fresh.batch.id != first.batch.id and store.count("Batch") == 2
