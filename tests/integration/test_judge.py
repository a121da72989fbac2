"""LLM-judged quality and solver-verified math, against real stores and the real test server
(taught math and judging in tests/llm_fixtures.py)."""

from __future__ import annotations

import json

import numpy as np
import pytest

from personagraph.config import Settings
from personagraph.errors import ConfigError
from personagraph.judge.run import judge
from personagraph.llm import LLMClient
from personagraph.sampling.batches import sample_batch
from personagraph.sampling.carver import Carver
from personagraph.store import GraphStore
from personagraph.synth.run import synthesize
from tests.integration.sampling_world import clustered_world
from tests.llm_fixtures import TRICKY, teach_judging, teach_math
from tests.llm_server import LLMTestServer


def _world(store: GraphStore) -> tuple[GraphStore, tuple[list[str], np.ndarray]]:
    _, chosen = clustered_world(store)
    return store, chosen


def client(settings: Settings) -> LLMClient:
    return LLMClient.from_settings(settings)


def _math(store: GraphStore, settings: Settings, vectors: tuple, solutions: int, size: int = 12) -> list[dict]:
    synthesize(store, client(settings), task="math", size=size, seed=3, vectors=vectors, solutions=solutions)
    rows = store.cypher(
        "MATCH (s:Sample {task: 'math'}) RETURN s.id AS id, s.data AS data, s.verified AS verified, "
        "s.verify_reason AS reason, s.solutions AS solutions, s.solver_prompt AS solver ORDER BY s.id"
    )
    return [dict(r) for r in rows]


def test_math_answers_are_verified_by_separate_solver_calls(
    embedded_store: GraphStore, llm_settings: Settings, llm_server: LLMTestServer
) -> None:
    teach_math(llm_server)
    store, vectors = _world(embedded_store)
    rows = _math(store, llm_settings, vectors, solutions=2)
    assert len(rows) == 12 and llm_server.count == 12 * 3  # a problem, then two solutions each
    bodies = llm_server.brain.bodies()
    solver = [b for b in bodies if "Solve this problem" in b["messages"][-1]["content"]]
    assert len(solver) == 24 and {b.get("seed") for b in solver} == {1, 2}
    for row in rows:
        data = json.loads(row["data"])
        tricky = TRICKY in data["problem"]
        # The solver saw the problem and nothing of the author's working or answer.
        asked = [b for b in solver if data["problem"] in b["messages"][-1]["content"]]
        assert len(asked) == 2 and all(data["solution"] not in json.dumps(b) for b in asked)
        assert (
            row["verified"] is (not tricky) and row["solutions"] == 2 and row["solver"].startswith("synth_math_solve@")
        )
        assert len(data["solutions"]) == 2 and all(s["answer"] for s in data["solutions"])
        if tricky:
            assert "solution 1 answers" in row["reason"] and "solution 2 answers" in row["reason"]
    assert {r["verified"] for r in rows} == {True, False}  # the world has both kinds


def test_solutions_are_for_math_only(embedded_store: GraphStore, llm_settings: Settings) -> None:
    store, vectors = _world(embedded_store)
    with pytest.raises(ConfigError, match="only math") as caught:
        synthesize(store, client(llm_settings), task="logic", size=1, vectors=vectors, solutions=1)
    assert caught.value.params == ("solutions",)


def test_judged_personas_carry_scores_and_filter_batches(
    store: GraphStore, llm_settings: Settings, llm_server: LLMTestServer
) -> None:
    teach_judging(llm_server)
    world, vectors = _world(store)
    report = judge(world, client(llm_settings), "personas")
    assert report.judged == 48 and not report.failed and llm_server.count == 48
    rows = world.cypher(
        "MATCH (p:Persona) RETURN p.id AS id, p.quality AS q, p.judge_scores AS scores, p.judge_reasons AS reasons, "
        "p.judge_model AS model, p.judge_prompt AS prompt, p.judge_prompt_version AS version"
    )
    assert all(r["model"] == "test-model" and r["prompt"] == f"judge_persona@{r['version']}" for r in rows)
    for row in rows:
        scores, reasons = json.loads(row["scores"]), json.loads(row["reasons"])
        assert set(scores) == {"specific", "plausible", "self_consistent", "safe", "quality"} == set(reasons)
        assert scores["quality"] == row["q"] and 1 <= row["q"] <= 5
    assert sum(report.quality.values()) == 48
    good = {r["id"] for r in rows if r["q"] >= 4}
    assert 0 < len(good) < 48
    # Resumable: the same prompt version skips what it scored; nothing is asked again.
    again = judge(world, client(llm_settings), "personas")
    assert again.judged == 0 and llm_server.count == 48
    # --where "quality >= 4" in the carver keeps only the personas judged 4 or 5.
    batch = sample_batch(world, size=48, strategy="random", carver=Carver.parse(where="quality >= 4"), vectors=vectors)
    assert set(batch.persona_ids) == good


def test_sample_judge_agrees_with_checks_and_with_itself(
    embedded_store: GraphStore, llm_settings: Settings, llm_server: LLMTestServer
) -> None:
    teach_math(llm_server)
    teach_judging(llm_server)
    store, vectors = _world(embedded_store)
    rows = _math(store, llm_settings, vectors, solutions=1)
    synthesize(store, client(llm_settings), task="tool", size=4, seed=5, vectors=vectors)
    calls = llm_server.count
    report = judge(store, client(llm_settings), "samples", repeat=True)
    assert report.judged == 16 and llm_server.count == calls + 32  # two passes
    second = [b for b in llm_server.brain.bodies()[calls:] if b.get("seed") == 2]
    assert len(second) == 16  # the second pass is new requests with another seed, not cache hits
    checks = report.agreement["checks"]
    flagged = sum(1 for r in rows if r["verified"] is False)
    assert checks["math_verified"]["items"] == 12 and checks["math_verified"]["check_failed"] == flagged
    # The taught judge scores answer_correct 2 exactly on the problems the solver disagreed with.
    assert checks["math_verified"]["rate"] == 1.0
    assert checks["tool_valid"]["items"] == 4 and checks["tool_valid"]["criterion"] == "valid_definition"
    assert report.agreement["repeat"]["items"] == 16 and report.agreement["repeat"]["quality_exact"] == 1.0
    stored = store.cypher("MATCH (s:Sample) WHERE s.task = 'math' RETURN s.judge_scores AS scores, s.data AS data")
    for row in stored:
        scores = json.loads(row["scores"])
        assert set(scores) == {"solvable", "answer_correct", "persona_fit", "safe", "quality"}
        assert (scores["answer_correct"] == 2) is (TRICKY in json.loads(row["data"])["problem"])
    # The judge saw the author's answer, never the solvers' solutions.
    judged = [b for b in llm_server.brain.bodies()[calls:] if "strict reviewer" in b["messages"][0]["content"]]
    assert judged and not any('"solutions"' in b["messages"][-1]["content"] for b in judged)
