"""embed, dedup and cluster on shards: in memory, --engine local and --engine dask give the same results.

The Dask tests run on a LocalCluster of two worker processes bound to 127.0.0.1 (one per module),
on the real embedded store, with the static embedder. Shards are made small here (64 personas) so
a few hundred personas make several shards, band-key partitions and vector blocks.
"""

from __future__ import annotations

import json
import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from personagraph.config import Settings
from personagraph.dedup import sharded_run
from personagraph.dedup.run import DedupOptions, dedup_graph
from personagraph.embeddings.embeddings import Embeddings
from personagraph.embeddings.sharded import embed_graph
from personagraph.engine import shards as shard_files
from personagraph.engine.executor import DaskEngine, open_engine
from personagraph.errors import ConfigError
from personagraph.models import Persona, Relation
from personagraph.sampling.strata import compute_strata
from personagraph.store import GraphStore
from tests.cli_in_process import run_cli
from tests.conftest import cli_env
from tests.dedup_support import settings_with_cache
from tests.integration.test_dedup import edit, long_texts, short_texts
from tests.persona_corpus import generated_personas

pytestmark = [pytest.mark.slow, pytest.mark.dask]
distributed = pytest.importorskip("distributed", reason="the [dask] extra is not installed")


@pytest.fixture(scope="module")
def settings(tmp_path_factory: pytest.TempPathFactory) -> Settings:
    return settings_with_cache(tmp_path_factory.mktemp("dask-cache"))


@pytest.fixture(scope="module")
def cluster() -> Iterator[DaskEngine]:
    """Two worker processes on 127.0.0.1, shared by the module's tests (each connects by address)."""
    engine = DaskEngine(None, n_workers=2)
    try:
        yield engine
    finally:
        engine.close()


@pytest.fixture(autouse=True)
def small_shards(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(shard_files, "SHARD_ROWS", 64)
    monkeypatch.setattr(sharded_run, "PARTITION_ROWS", 500)  # several band-key partitions
    monkeypatch.setattr(sharded_run, "BLOCK_ROWS", 16)
    monkeypatch.setattr(sharded_run, "PAIR_CHUNK", 7)


def fill(store: GraphStore, n: int = 260) -> list[str]:
    """Distinct personas plus near-copies of both kinds (reworded long texts, one-word edits of short ones)."""
    longs, shorts = long_texts(12), short_texts(6)
    others = [t for t in generated_personas() if t not in set(longs) | set(shorts)][: n - len(longs) - len(shorts)]
    planted = [edit(t, kind) for t, kind in zip(longs, ("swap", "filler", "punct", "delete") * 3, strict=False)]
    planted += [edit(t, "word") for t in shorts[:3]]
    personas = [Persona(text=t, hop=k % 3) for k, t in enumerate([*longs, *shorts, *others, *planted])]
    store.upsert_personas(personas)
    ids = [p.id for p in personas]
    relations = [Relation(src=ids[k], dst=ids[(k * 7 + 3) % len(ids)], type="FRIEND_OF") for k in range(0, len(ids), 2)]
    store.add_relations([r for r in relations if r.src != r.dst])
    return ids


def test_cluster_binds_to_loopback_only(cluster: DaskEngine) -> None:
    import psutil

    assert cluster.scheduler_address.startswith("tcp://127.0.0.1:")
    workers = cluster.worker_addresses()
    assert len(workers) == 2 and all(w.startswith("tcp://127.0.0.1:") for w in workers)
    pids = [os.getpid(), *cluster.client.run(os.getpid).values()]
    listening = [
        c.laddr.ip
        for pid in pids
        for c in psutil.Process(pid).net_connections(kind="inet")
        if c.status == psutil.CONN_LISTEN
    ]
    assert listening and set(listening) == {"127.0.0.1"}, listening


def test_dedup_groups_are_the_same_on_every_engine(
    embedded_store: GraphStore, settings: Settings, cluster: DaskEngine, tmp_path: Path
) -> None:
    fill(embedded_store)
    embeddings = Embeddings.for_store(embedded_store, "static", settings)
    options = DedupOptions(embedder="static", search="exact")
    memory = dedup_graph(embedded_store, embeddings, options, dry_run=True)
    local = dedup_graph(embedded_store, embeddings, options, dry_run=True, engine="local")
    dask = dedup_graph(
        embedded_store, embeddings, options, dry_run=True, engine="dask", scheduler=cluster.scheduler_address
    )
    assert memory.groups_by_stage["minhash"] >= 8 and memory.groups_by_stage["embedding"] >= 1
    assert local.groups == memory.groups
    assert dask.groups == local.groups
    assert dask.pairs_by_stage == local.pairs_by_stage == memory.pairs_by_stage
    assert dask.personas_before == memory.personas_before == embedded_store.count("Persona")
    assert not (embedded_store.side_folder() / "work").exists()  # the run's shards are gone


def test_dedup_by_cells_is_the_same_on_both_engines(
    embedded_store: GraphStore, settings: Settings, cluster: DaskEngine, monkeypatch: pytest.MonkeyPatch
) -> None:
    fill(embedded_store)
    monkeypatch.setattr(sharded_run, "EXACT_MAX", 10)  # the cell search, trained once here
    embeddings = Embeddings.for_store(embedded_store, "static", settings)
    options = DedupOptions(embedder="static", stage="embedding", cosine=0.8)
    local = dedup_graph(embedded_store, embeddings, options, dry_run=True, engine="local")
    dask = dedup_graph(
        embedded_store, embeddings, options, dry_run=True, engine="dask", scheduler=cluster.scheduler_address
    )
    assert local.pairs_by_stage["embedding"] > 0
    assert dask.groups == local.groups and dask.pairs_by_stage == local.pairs_by_stage


def test_dedup_merges_on_dask(embedded_store: GraphStore, settings: Settings, cluster: DaskEngine) -> None:
    fill(embedded_store)
    before = embedded_store.count("Persona")
    embeddings = Embeddings.for_store(embedded_store, "static", settings)
    report = dedup_graph(
        embedded_store, embeddings, DedupOptions(embedder="static"), engine="dask", scheduler=cluster.scheduler_address
    )
    assert report.duplicates > 0 and report.run_id
    assert embedded_store.count("Persona") == before - report.duplicates == report.personas_after
    again = dedup_graph(embedded_store, embeddings, DedupOptions(embedder="static"), dry_run=True, engine="local")
    assert again.groups == []


def _strata(store: GraphStore) -> tuple[dict[str, Any], list[dict[str, Any]]]:
    rows = store.cypher("MATCH (p:Persona) RETURN p.id AS id, p.cluster AS cluster, p.community AS community")
    assignment = {r["id"]: (r["cluster"], r["community"]) for r in rows}
    clusters = store.cypher("MATCH (c:Cluster) RETURN c.id AS id, c.label AS label, c.size AS size ORDER BY id")
    return assignment, clusters


def test_cluster_assignment_is_the_same_on_both_engines(
    embedded_store: GraphStore, settings: Settings, cluster: DaskEngine
) -> None:
    fill(embedded_store)
    embeddings = Embeddings.for_store(embedded_store, "static", settings)
    local = compute_strata(embedded_store, embeddings, clusters=6, seed=3, engine="local")
    local_strata = _strata(embedded_store)
    embedded_store.cypher("MATCH (p:Persona) SET p.cluster = null, p.community = null", write=True)
    dask = compute_strata(
        embedded_store, embeddings, clusters=6, seed=3, engine="dask", scheduler=cluster.scheduler_address
    )
    assert dask.as_dict() == local.as_dict() and local.k == 6
    assert _strata(embedded_store) == local_strata
    assignment, clusters = local_strata
    assert all(c is not None for c, _ in assignment.values())
    sizes = [c["size"] for c in clusters]
    assert sum(sizes) == len(assignment) and sizes == sorted(sizes, reverse=True)  # numbered by size
    memory = compute_strata(embedded_store, embeddings, clusters=6, seed=3)
    assert memory.communities == local.communities and memory.unrelated == local.unrelated


def test_embed_on_dask_keeps_the_embedder_vectors(
    embedded_store: GraphStore, settings: Settings, cluster: DaskEngine
) -> None:
    ids = fill(embedded_store, 150)
    embeddings = Embeddings.for_store(embedded_store, "static", settings)
    assert embed_graph(embedded_store, embeddings, "dask", cluster.scheduler_address) == len(set(ids))
    texts = {p["id"]: p["text"] for p in embedded_store.iter_personas()}
    order = sorted(texts)
    kept = embeddings.cache.get(order)
    assert np.allclose(kept, embeddings.encode([texts[i] for i in order]), atol=1e-6)
    assert embed_graph(embedded_store, embeddings, "local") == len(order)  # nothing left to embed


def test_scheduler_needs_the_dask_engine() -> None:
    with pytest.raises(ConfigError, match="scheduler needs engine 'dask'"), open_engine("local", "tcp://127.0.0.1:1"):
        pass
    with pytest.raises(ConfigError, match="unknown engine"), open_engine("ray"):
        pass


def test_cli_engines(tmp_path: Path, settings: Settings, cluster: DaskEngine) -> None:
    cache = Path(str(settings.cache_dir))
    env = cli_env(PERSONAGRAPH_CACHE_DIR=str(cache), PERSONAGRAPH_JVM_HEAP="1g")
    store = str(tmp_path / "store")
    longs = long_texts(20)
    people = tmp_path / "people.jsonl"
    people.write_text("".join(json.dumps({"persona": t}) + "\n" for t in [*longs, edit(longs[0], "swap")]))
    assert run_cli(["--store", store, "import", str(people)], env=env).returncode == 0
    # No address: the command starts (and closes) its own LocalCluster on 127.0.0.1.
    embedded = run_cli(
        ["--store", store, "embed", "--embedder", "static", "--engine", "dask", "--format", "json"], env=env
    )
    assert embedded.returncode == 0, embedded.stderr
    assert json.loads(embedded.stdout)["personas"] == 21
    args = ["--store", store, "dedup", "--dry-run", "--embedder", "static", "--format", "json"]
    local = run_cli([*args, "--engine", "local"], env=env)
    dask = run_cli([*args, "--engine", "dask"], env=env | {"DASK_SCHEDULER_ADDRESS": cluster.scheduler_address})
    assert local.returncode == dask.returncode == 0, local.stderr + dask.stderr
    assert json.loads(local.stdout)["members"] == json.loads(dask.stdout)["members"]
    assert json.loads(local.stdout)["duplicates"] == 1
    bad = run_cli(["--store", store, "cluster", "--engine", "local", "--scheduler", "tcp://127.0.0.1:1"], env=env)
    assert bad.returncode == 2 and "--scheduler" in bad.stderr
