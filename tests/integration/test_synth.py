"""Synthesis end to end: real stores (both executors), the real OpenAI-compatible test server,
lineage in the graph, exports loaded back with Hugging Face `datasets`, diversity on the batch."""

from __future__ import annotations

import json
import re
from pathlib import Path

import jsonschema
import numpy as np
import pytest

from personagraph.config import Settings
from personagraph.embeddings.embeddings import Embeddings
from personagraph.errors import ConfigError, LLMReplyError
from personagraph.export.samples import export_samples
from personagraph.llm import LLMClient
from personagraph.models import Persona, Relation, SourceText
from personagraph.sampling.batches import load_batch
from personagraph.sampling.strata import compute_strata
from personagraph.store import GraphStore
from personagraph.synth.report import lineage
from personagraph.synth.run import synthesize
from personagraph.synth.tasks import TASKS, ToolSample
from tests.dedup_support import settings_with_cache
from tests.integration.sampling_world import build_world, clustered_world
from tests.llm_server import LLMTestServer


def _world(store: GraphStore) -> tuple[GraphStore, tuple[list[str], np.ndarray]]:
    _, chosen = clustered_world(store)
    return store, chosen


@pytest.fixture
def world(store: GraphStore) -> tuple[GraphStore, tuple[list[str], np.ndarray]]:
    """On both executors: for what the store holds (ledger, lineage, exports)."""
    return _world(store)


@pytest.fixture
def embedded_world(embedded_store: GraphStore) -> tuple[GraphStore, tuple[list[str], np.ndarray]]:
    """Embedded only: for what does not depend on the executor (prompts, LLM failures, metrics)."""
    return _world(embedded_store)


def client(settings: Settings) -> LLMClient:
    return LLMClient.from_settings(settings)


SINGLE = ["math", "logic", "instruction", "knowledge", "npc", "tool"]


def test_six_tasks_and_a_pair_task_end_to_end(world: tuple, llm_settings: Settings, llm_server: LLMTestServer) -> None:
    store, vectors = world
    batches = {}
    for i, task in enumerate(SINGLE):
        report = synthesize(
            store,
            client(llm_settings),
            task=task,
            size=3,
            strategy="kcenter",
            seed=i,
            vectors=vectors,
            measure_diversity=False,
        )
        assert len(report.samples) == 3 and not report.failed, task
        batches[task] = report.batch.id
        rows = store.cypher(
            "MATCH (s:Sample {batch: $b})-[g:GENERATED_BY]->(p:Persona)-[:USED_IN]->(:Batch {id: $b}) "
            "RETURN s.task AS task, s.mode AS mode, s.prompt AS prompt, s.prompt_version AS version, s.model AS model, "
            "s.data AS data, g.role AS role, g.batch AS edge_batch, p.id AS persona",
            {"b": report.batch.id},
        )
        assert len(rows) == 3 and {r["task"] for r in rows} == {task} and {r["mode"] for r in rows} == {"zero-shot"}
        assert all(r["prompt"] == f"synth_{task}@{r['version']}" and r["model"] == "test-model" for r in rows)
        assert {r["edge_batch"] for r in rows} == {report.batch.id} and {r["role"] for r in rows} == {"persona"}
        for r in rows:
            data = json.loads(r["data"])
            if task == "tool":  # an OpenAI-style function with JSON-schema parameters, plus what it returns
                assert set(data) == {"name", "description", "parameters", "returns"} and data["returns"]
                jsonschema.Draft202012Validator.check_schema(data["parameters"])
                assert re.fullmatch(r"[a-zA-Z0-9_-]{1,64}", data["name"])
                assert all(re.fullmatch(r"[a-zA-Z0-9_-]{1,64}", p) for p in data["parameters"]["properties"])
            else:
                TASKS[task].schema.model_validate(data)
    assert llm_server.count == 18
    assert store.count("Sample") == 18 and store.count("Batch") == 6
    # Six batches of three over 48 personas: no persona used twice yet.
    assert store.cypher("MATCH (p:Persona) WHERE p.uses > 1 RETURN count(p) AS n")[0]["n"] == 0

    pair = synthesize(
        store, client(llm_settings), task="consultation", size=4, seed=0, vectors=vectors, measure_diversity=False
    )
    assert len(pair.samples) == 4 and pair.batch.strategy == "graph"
    edges = store.cypher(
        "MATCH (s:Sample {batch: $b})-[g:GENERATED_BY]->(p:Persona) RETURN s.id AS s, g.role AS role, "
        "p.id AS p ORDER BY s, role",
        {"b": pair.batch.id},
    )
    assert len(edges) == 8 and [e["role"] for e in edges[:2]] == ["a", "b"]
    patient_of = {(r["src"], r["dst"]) for r in store.iter_relations() if r["type"] == "PATIENT_OF"}
    by_sample: dict[str, list[str]] = {}
    for e in edges:
        by_sample.setdefault(e["s"], []).append(e["p"])
    assert all(tuple(members) in patient_of for members in by_sample.values())
    # The prompt carried both personas of each pair.
    last = llm_server.brain.bodies()[-1]
    text = json.dumps(last["messages"])
    assert "Patient (A)" in text and "Their carer (B)" in text


def test_a_tool_named_as_openai_refuses_is_asked_again(
    embedded_world: tuple, llm_settings: Settings, llm_server: LLMTestServer
) -> None:
    store, vectors = embedded_world
    bad = {"name": "Tomas 219", "description": "Books a berth.", "parameters": [], "returns": "a booking"}
    llm_server.add_rule("Design a tool", "raw:" + json.dumps(bad), times=1)
    report = synthesize(store, client(llm_settings), task="tool", size=1, vectors=vectors, measure_diversity=False)
    assert len(report.samples) == 1 and not report.failed and llm_server.count == 2
    retry = llm_server.brain.bodies()[1]["messages"]
    assert "Tomas 219" in retry[-2]["content"] and "not valid" in retry[-1]["content"]
    data = json.loads(store.cypher("MATCH (s:Sample {task: 'tool'}) RETURN s.data AS d")[0]["d"])
    assert re.fullmatch(r"[a-zA-Z0-9_-]{1,64}", data["name"]) and data["returns"]
    # The sample's text is the tool's prose, not its JSON.
    assert "{" not in report.samples[0]["text"] and data["description"] in report.samples[0]["text"]


def test_modes_shape_the_prompt(embedded_world: tuple, llm_settings: Settings, llm_server: LLMTestServer) -> None:
    store, vectors = embedded_world
    for mode in ("zero-shot", "few-shot", "persona-few-shot"):
        report = synthesize(
            store,
            client(llm_settings),
            task="math",
            mode=mode,
            size=2,
            seed=1,
            vectors=vectors,
            task_options={"difficulty": "hard", "domain": "probability"},
            shots=2,
            measure_diversity=False,
        )
        assert len(report.samples) == 2
        messages = llm_server.brain.bodies()[-1]["messages"]
        roles = [m["role"] for m in messages]
        system = messages[0]["content"]
        assert "hard math problem (probability)" in messages[-1]["content"]
        if mode == "zero-shot":
            assert roles == ["system", "user"] and "Examples of good answers" not in system
        elif mode == "few-shot":
            assert roles == ["system", "user"] and system.count('{"problem"') == 2 and "rural Slovenia" not in system
        else:
            assert roles == ["system", "user", "assistant", "user", "assistant", "user"]
            assert "rural Slovenia" in messages[1]["content"] and '"problem"' in messages[2]["content"]
    with pytest.raises(ConfigError):
        synthesize(
            store, client(llm_settings), task="math", size=1, task_options={"difficulty": "impossible"}, vectors=vectors
        )
    with pytest.raises(ConfigError):
        synthesize(store, client(llm_settings), task="poetry", size=1, vectors=vectors)


def test_failed_replies_are_reported_not_dropped(
    embedded_world: tuple, llm_settings: Settings, llm_server: LLMTestServer
) -> None:
    store, vectors = embedded_world
    llm_server.add_rule("ship welder", "invalid", times=-1)  # every welder persona gets a schema-violating reply
    report = synthesize(
        store,
        client(llm_settings),
        task="instruction",
        size=48,
        strategy="random",
        vectors=vectors,
        measure_diversity=False,
    )
    assert len(report.failed) == 12 and len(report.samples) == 36
    assert all("invalid" in f["error"] for f in report.failed)
    assert store.count("Sample") == 36
    llm_server.add_rule("", "invalid", times=-1)
    with pytest.raises(LLMReplyError):
        synthesize(store, client(llm_settings), task="logic", size=2, vectors=vectors, measure_diversity=False)


# Real embeddings for personas and samples here, so the paper's table can be made: MiniLM's (the default)
# and the static embedder's (the `make test-fast` twin: no torch).
@pytest.mark.parametrize("embedder", ["static", pytest.param("minilm", marks=pytest.mark.minilm)])
def test_diversity_is_measured_and_kept_on_the_batch(
    embedded_world: tuple, llm_settings: Settings, embedder: str
) -> None:
    store, _ = embedded_world
    settings_with_cache(Path(llm_settings.cache_dir))  # the shared distilled static model
    embeddings = Embeddings.for_store(store, embedder, llm_settings)
    report = synthesize(
        store, client(llm_settings), embeddings, task="knowledge", size=12, strategy="stratified", seed=2
    )
    div = report.diversity
    assert div["samples"] == 12 and 0 < div["distinct_1"] <= 1 and 0 < div["distinct_2"] <= 1
    assert 1.0 <= div["vendi"] <= 12 and -1 <= div["mean_cosine"] <= 1
    assert sum(b["pairs"] for b in div["persona_vs_sample"]) == 66
    stored = load_batch(store, report.batch.id)
    assert json.loads(stored["diversity"])["vendi"] == div["vendi"] and stored["vendi"] == div["vendi"]


def test_lineage_walks_to_the_text_and_the_parent(store: GraphStore, llm_settings: Settings) -> None:
    text = SourceText(
        text="Night shifts at the harbour clinic are quiet until the trawlers come in.", source="example.org"
    )
    nurse = Persona(text="A harbour clinic nurse who treats fishermen on night shifts", origin="text", hop=0)
    patient = Persona(
        text="A trawler deckhand with a bad back who visits the clinic every winter", origin="persona", hop=1
    )
    friend = Persona(text="The deckhand's cousin who mends nets on the quay", origin="persona", hop=2)
    store.upsert_texts([text])
    store.upsert_personas([nurse, patient, friend])
    store.link_derived_from([{"persona": nurse.id, "text": text.id, "props": {"model": "m"}}])
    # A hop-1 persona whose id sorts before the deckhand's, tied to the cousin by an imported edge.
    decoy = next(
        p
        for p in (Persona(text=f"A harbour pharmacist number {i}", origin="persona", hop=1) for i in range(99))
        if p.id < patient.id
    )
    store.upsert_personas([decoy])
    # As expansion writes them, each edge names the persona that was expanded (`expanded`).
    store.add_relations(
        [
            Relation(src=patient.id, dst=nurse.id, type="PATIENT_OF", props={"hop": 1, "expanded": nurse.id}),
            Relation(src=friend.id, dst=patient.id, type="FAMILY_OF", props={"hop": 2, "expanded": patient.id}),
            Relation(src=friend.id, dst=decoy.id, type="CLIENT_OF", props={}),
        ]
    )
    ids = [nurse.id, patient.id, friend.id, decoy.id]
    vectors = (ids, np.eye(4, dtype=np.float32))
    compute_strata(store, clusters=1, vectors=vectors)
    report = synthesize(
        store, client(llm_settings), task="npc", size=4, strategy="random", vectors=vectors, measure_diversity=False
    )
    by_persona = {s["personas"][0]: s["id"] for s in report.samples}
    tree = lineage(store, by_persona[friend.id])
    assert tree["task"] == "npc" and tree["batch"] == report.batch.id
    (persona,) = tree["personas"]
    assert persona["id"] == friend.id and persona["texts"] == []
    chain = persona["expanded_from"]
    assert [step["id"] for step in chain] == [patient.id, nurse.id]
    assert chain[0]["relation"] == "FAMILY_OF" and chain[1]["relation"] == "PATIENT_OF"
    assert chain[1]["text_id"] == text.id and "trawlers" in chain[1]["source_text"]
    root = lineage(store, by_persona[nurse.id])["personas"][0]
    assert (
        root["texts"][0]["id"] == text.id
        and root["texts"][0]["source"] == "example.org"
        and root["expanded_from"] == []
    )
    with pytest.raises(ConfigError):
        lineage(store, "s_missing")


def test_exports_load_back_with_datasets(world: tuple, llm_settings: Settings, tmp_path: Path) -> None:
    import datasets

    store, vectors = world
    single = synthesize(store, client(llm_settings), task="tool", size=5, vectors=vectors, measure_diversity=False)
    synthesize(store, client(llm_settings), task="rivals", size=3, vectors=vectors, measure_diversity=False)
    for fmt in ("jsonl", "parquet"):
        out = tmp_path / f"samples.{fmt}"
        assert export_samples(store, out) == 8
        data = datasets.load_dataset("json" if fmt == "jsonl" else "parquet", data_files=str(out), split="train")
        assert data.num_rows == 8
        rows = {r["id"]: r for r in data}
        pairs = [r for r in rows.values() if r["task"] == "rivals"]
        assert len(pairs) == 3 and all(len(r["persona_ids"]) == 2 and len(r["persona_texts"]) == 2 for r in pairs)
        tools = [r for r in rows.values() if r["task"] == "tool"]
        assert all(r["batch"] == single.batch.id and r["persona"] == r["persona_texts"][0] for r in tools)
        ToolSample.model_validate({**json.loads(tools[0]["data"]), "parameters": []})
    only = export_samples(store, tmp_path / "one.jsonl", batch=single.batch.id)
    assert only == 5
    with pytest.raises(ConfigError):
        export_samples(store, tmp_path / "x.csv")


@pytest.mark.parametrize("embedder", ["static", pytest.param("minilm", marks=pytest.mark.minilm)])
def test_demo_stage(embedded_store: GraphStore, llm_settings: Settings, embedder: str) -> None:
    from personagraph.demo import sampling as demo_stage

    build_world(embedded_store)
    settings_with_cache(Path(llm_settings.cache_dir))  # the shared distilled static model
    lines: list[str] = []
    made = demo_stage.run(embedded_store, llm_settings, lines.append, size=8, per_task=1, embedder=embedder)
    text = "\n".join(lines)
    assert "covering radius" in text and "clusters covered" in text and "Vendi score" in text
    assert len(made["samples"]) == 7  # one per single-persona task and one rivals dialogue
    assert embedded_store.count("Batch") == 8 and embedded_store.count("Sample") == 7
    quiet: list[str] = []
    demo_stage.run(embedded_store, Settings(cache_dir=llm_settings.cache_dir), quiet.append, size=4, embedder=embedder)
    assert any("Synthesis skipped" in line for line in quiet)


def test_a_batch_is_finished_and_regenerated_without_duplicates(
    embedded_world: tuple, llm_settings: Settings, llm_server: LLMTestServer
) -> None:
    from personagraph.synth.ledger import sample_id

    store, vectors = embedded_world
    llm_server.add_rule("ship welder", "invalid", times=-1)
    first = synthesize(
        store, client(llm_settings), task="logic", size=48, strategy="random", vectors=vectors, measure_diversity=False
    )
    bid = first.batch.id
    assert len(first.failed) == 12 and first.status == "partial"
    assert {s["id"] for s in first.samples} == {
        sample_id(bid, i) for i in range(48) if i not in {f["group"] for f in first.failed}
    }
    llm_server.brain.reset()
    notes: list[str] = []
    done = synthesize(store, client(llm_settings), task=None, batch_id=bid, measure_diversity=False, echo=notes.append)
    # Only the twelve groups without a sample were asked for, with the batch's recorded parameters.
    assert llm_server.count == 12 and len(done.samples) == 12 and done.skipped == 36 and done.status == "done"
    assert notes == [f"resuming batch {bid}: 12 of 48 groups to generate"]
    assert store.cypher(
        "MATCH (s:Sample {batch: $b}) RETURN count(s) AS n, count(DISTINCT s.group) AS g", {"b": bid}
    ) == [{"n": 48, "g": 48}]
    again = synthesize(store, client(llm_settings), task=None, batch_id=bid, measure_diversity=False)
    assert llm_server.count == 12 and again.samples == [] and again.status == "done"  # nothing left to do
    fresh = LLMClient.from_settings(llm_settings, cache=False)
    regenerated = synthesize(store, fresh, task=None, batch_id=bid, regenerate=True, measure_diversity=False)
    assert llm_server.count == 60 and len(regenerated.samples) == 48
    assert store.count("Sample") == 48 and store.cypher(
        "MATCH (s:Sample)-[g:GENERATED_BY]->() RETURN count(g) AS n"
    ) == [{"n": 48}]
    assert store.count("Batch") == 1 + 0 and load_batch(store, bid)["status"] == "done"
    with pytest.raises(ConfigError, match="not recorded by a resumable"):
        from personagraph.sampling.batches import sample_batch

        other = sample_batch(store, size=2, strategy="random", vectors=vectors)
        synthesize(store, client(llm_settings), task=None, batch_id=other.id)


def test_the_same_run_resumes_its_unfinished_batch(
    embedded_world: tuple, llm_settings: Settings, llm_server: LLMTestServer
) -> None:
    from personagraph.synth.plan import plan_synthesis

    store, vectors = embedded_world
    chosen = dict(task="math", size=6, strategy="kcenter", seed=4, vectors=vectors, task_options={"difficulty": "easy"})
    # A run that recorded its batch and was cut short before any sample was written:
    planned = plan_synthesis(store, None, model="test-model", **chosen)  # type: ignore[arg-type]
    assert load_batch(store, planned.work.batch.id)["status"] == "running" and llm_server.count == 0
    notes: list[str] = []
    report = synthesize(store, client(llm_settings), measure_diversity=False, echo=notes.append, **chosen)  # type: ignore[arg-type]
    assert report.batch.id == planned.work.batch.id and report.resumed and report.status == "done"
    assert notes and notes[0].startswith(f"resuming batch {report.batch.id}")
    assert store.count("Batch") == 1 and len(report.samples) == 6 and llm_server.count == 6
    # Finished: the same command now chooses a new batch (personas used least come first).
    later = synthesize(store, client(llm_settings), measure_diversity=False, **chosen)  # type: ignore[arg-type]
    assert later.batch.id != report.batch.id and not later.resumed and store.count("Batch") == 2
    # Other parameters never resume another run's batch.
    plan_synthesis(store, None, model="test-model", **{**chosen, "seed": 5})  # type: ignore[arg-type]
    other = synthesize(store, client(llm_settings), measure_diversity=False, **{**chosen, "seed": 6})  # type: ignore[arg-type]
    assert not other.resumed
