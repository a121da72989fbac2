"""Persona-to-Persona expansion on both stores (embedded and Bolt) against the real test server."""

from __future__ import annotations

import threading
import time
from pathlib import Path
from typing import Any

from personagraph.config import Secret
from personagraph.expand.p2p import ExpandOptions, ExpandReport, dry_run, expand
from personagraph.llm import LLMClient
from personagraph.models import Persona
from personagraph.store import GraphStore
from personagraph.vocabulary import Vocabulary
from tests.llm_fixtures import TEST_API_KEY, LLMTestServer

SEEDS = [Persona(text=f"A night-shift nurse number {i} on a cardiac ward") for i in range(4)]


def client(server: LLMTestServer, cache: Path, **options: Any) -> LLMClient:
    return LLMClient(server.base_url, Secret(TEST_API_KEY), "test-model", cache_dir=cache, backoff_base=0.01, **options)


def run(store: GraphStore, server: LLMTestServer, cache: Path, **options: Any) -> ExpandReport:
    vocabulary = options.pop("vocabulary", None)
    resolver = options.pop("resolver", None)
    options.setdefault("concurrency", 8)
    return expand(store, client(server, cache), ExpandOptions(**options), vocabulary, resolver)


def one(store: GraphStore, cypher: str, **params: Any) -> Any:
    return next(iter(store.cypher(cypher, params)[0].values()))


def check_invariants(store: GraphStore, hops: int) -> None:
    assert store.run("expand_edge_duplicates") == []
    assert one(store, "MATCH (p:Persona) WHERE p.expansions > 1 RETURN count(p) AS n") == 0
    assert (
        one(store, "MATCH (p:Persona) WHERE p.expanded_at IS NOT NULL AND p.expansions IS NULL RETURN count(p) AS n")
        == 0
    )
    assert (
        one(store, "MATCH (p:Persona) WHERE p.hop >= $h AND p.expanded_at IS NOT NULL RETURN count(p) AS n", h=hops)
        == 0
    )


def test_expand_two_hops_with_provenance(store: GraphStore, llm_server: LLMTestServer, tmp_path: Path) -> None:
    store.upsert_personas(SEEDS)
    report = run(store, llm_server, tmp_path / "cache", hops=2)
    assert report.stopped == "frontier empty" and report.failures == 0
    assert report.expanded == 4 + 12 and llm_server.count == 16
    assert dict(report.new_by_hop) == {1: 12, 2: 36} and sum(report.relations.values()) == 48
    assert store.stats()["hops"] == {"0": 4, "1": 12, "2": 36}
    assert one(store, "MATCH (p:Persona) WHERE p.hop < 2 AND p.expanded_at IS NULL RETURN count(p) AS n") == 0
    assert one(store, "MATCH (p:Persona) WHERE p.claimed_by IS NOT NULL RETURN count(p) AS n") == 0
    check_invariants(store, 2)
    edge = store.cypher("MATCH (a:Persona)-[r]->(b:Persona) WHERE r.hop = 2 RETURN r AS r LIMIT 1")[0]["r"]
    assert edge["run"] == report.run and edge["model"] == "test-model" and edge["prompt"].startswith("p2p@")
    assert edge["evidence"] and edge["_type"] in Vocabulary().types
    hop1 = store.cypher("MATCH (p:Persona {hop: 1}) RETURN p.origin AS origin, count(*) AS n")
    assert hop1 == [{"origin": "persona", "n": 12}]
    # Nothing left: a second run makes no calls.
    again = run(store, llm_server, tmp_path / "cache", hops=2)
    assert again.expanded == 0 and llm_server.count == 16


def test_cache_rebuilds_the_same_graph_without_calls(
    store: GraphStore, llm_server: LLMTestServer, tmp_path: Path
) -> None:
    store.upsert_personas(SEEDS[:2])
    first = run(store, llm_server, tmp_path / "cache", hops=2)
    before = store.stats()
    store.cypher("MATCH (p:Persona) WHERE p.hop > 0 DETACH DELETE p", write=True)
    store.cypher("MATCH (p:Persona) REMOVE p.expanded_at, p.expansions", write=True)
    calls = llm_server.count
    second = run(store, llm_server, tmp_path / "cache", hops=2)
    assert llm_server.count == calls  # counted at the server: zero calls
    assert second.llm["cached"] == first.expanded and second.llm["calls"] == 0
    assert store.stats() == before


def test_exact_duplicates_link_to_the_existing_node(
    store: GraphStore, llm_server: LLMTestServer, tmp_path: Path
) -> None:
    store.upsert_personas(SEEDS[:1])
    run(store, llm_server, tmp_path / "cache", hops=1)
    known = store.cypher("MATCH (p:Persona {hop: 1}) RETURN p.text AS text ORDER BY p.id LIMIT 1")[0]["text"]
    store.cypher("MATCH (p:Persona) DETACH DELETE p", write=True)
    # The same seed, and one of its answers already imported: it is linked, not duplicated.
    store.upsert_personas([SEEDS[0], Persona(text=known, origin="import", hop=1)])
    report = run(store, llm_server, tmp_path / "cache", hops=1)
    assert report.linked_existing == 1 and sum(report.new_by_hop.values()) == 2
    row = store.cypher(
        "MATCH (p:Persona {text: $t}) RETURN p.origin AS origin, p.hop AS hop, COUNT { (p)--() } AS degree",
        {"t": known},
    )
    assert row == [{"origin": "import", "hop": 1, "degree": 1}]


def test_unknown_relation_types_are_rejected_and_counted(
    store: GraphStore, llm_server: LLMTestServer, tmp_path: Path
) -> None:
    store.upsert_personas(SEEDS[:2])
    llm_server.add_rule("nurse number 1 ", "unknown", times=-1)
    report = run(store, llm_server, tmp_path / "cache", hops=1)
    # Asked again once, rejected again: counted as a failure, not marked expanded, no edge.
    assert report.expanded == 1 and report.retried == 1 and report.unrelated == 1 and report.failures == 1
    assert sum(report.rejected.values()) == 6 and llm_server.count == 3
    assert set(report.rejected) <= {"ARCH_NEMESIS", "SECRET_ADMIRER_OF", "LANDLORD_OF"}
    assert store.stats()["hops"] == {"0": 2, "1": 3}
    types = {row["type"] for row in store.cypher("MATCH ()-[r]->() RETURN DISTINCT type(r) AS type")}
    assert types <= set(Vocabulary().types)
    left = store.cypher("MATCH (p:Persona {hop: 0}) WHERE p.expanded_at IS NULL RETURN p.id AS id, p.claimed_by AS c")
    assert left == [{"id": SEEDS[1].id, "c": None}]


def test_all_rejected_answers_are_asked_again_naming_the_types(
    store: GraphStore, llm_server: LLMTestServer, tmp_path: Path
) -> None:
    store.upsert_personas(SEEDS[:3])
    llm_server.add_rule("nurse number 1 ", "unknown", times=1)  # wrong once, right when told
    llm_server.add_rule("nurse number 2 ", "only:LANDLORD_OF", times=-1)  # wrong every time
    report = run(store, llm_server, tmp_path / "cache", hops=1, vocabulary=Vocabulary.parse("COLLEAGUE,RIVAL"))
    assert report.retried == 2 and report.unrelated == 1 and report.failures == 1 and report.expanded == 2
    assert llm_server.count == 5 and report.rejected["LANDLORD_OF"] == 6
    follow_ups = [b["messages"] for b in llm_server.brain.bodies() if len(b["messages"]) > 2]
    assert len(follow_ups) == 2
    for messages in follow_ups:
        assert [m["role"] for m in messages[-2:]] == ["assistant", "user"]
        assert "using only these relation types, exactly as written: COLLEAGUE, RIVAL." in messages[-1]["content"]
    assert any("LANDLORD_OF" in m[-1]["content"] and "nurse number 2 " in m[1]["content"] for m in follow_ups)
    expanded = {
        r["id"] for r in store.cypher("MATCH (p:Persona {hop: 0}) WHERE p.expanded_at IS NOT NULL RETURN p.id AS id")
    }
    assert expanded == {SEEDS[0].id, SEEDS[1].id}
    degree = one(store, "MATCH (p:Persona {id: $id}) RETURN COUNT { (p)--() } AS n", id=SEEDS[1].id)
    assert degree == 3
    check_invariants(store, 1)


def test_inverse_answers_are_stored_as_canonical_edges(
    store: GraphStore, llm_server: LLMTestServer, tmp_path: Path
) -> None:
    patient = Persona(text="A retired docker with a bad chest, waiting for a lung function test")
    cleaner = Persona(text="A night cleaner at a city hospital, paid by an agency")
    store.upsert_personas([patient, cleaner])
    llm_server.add_rule("retired docker", "only:CARES_FOR", times=-1)
    llm_server.add_rule("night cleaner", "only:boss", times=-1)  # a synonym of EMPLOYS, the inverse of EMPLOYEE_OF
    report = run(store, llm_server, tmp_path / "cache", hops=1)
    assert report.expanded == 2 and dict(report.relations) == {"PATIENT_OF": 3, "EMPLOYEE_OF": 3}
    edges = store.cypher(
        "MATCH (a:Persona)-[r]->(b:Persona) RETURN a.id AS src, type(r) AS type, b.hop AS dst_hop ORDER BY type"
    )
    # The expanded persona is the patient of its three carers and the employee of its three bosses.
    assert [(e["src"], e["type"], e["dst_hop"]) for e in edges] == [(cleaner.id, "EMPLOYEE_OF", 1)] * 3 + [
        (patient.id, "PATIENT_OF", 1)
    ] * 3
    prompt = llm_server.brain.bodies()[0]
    assert "- CARES_FOR: cares for this persona" in prompt["messages"][1]["content"]
    assert "rarely written about" in prompt["messages"][1]["content"]
    enum = prompt["response_format"]["json_schema"]["schema"]["$defs"]["RelatedPersona"]["properties"]["relation"]
    assert enum["enum"] == list(Vocabulary().answer_names)
    check_invariants(store, 1)


def test_synonyms_map_and_a_custom_vocabulary_holds(
    store: GraphStore, llm_server: LLMTestServer, tmp_path: Path
) -> None:
    llm_server.brain.synonym_rate = 1.0
    store.upsert_personas(SEEDS)
    report = run(store, llm_server, tmp_path / "cache", hops=1, vocabulary=Vocabulary(["COLLEAGUE", "RIVAL"]))
    assert set(report.relations) <= {"COLLEAGUE", "RIVAL"} and sum(report.relations.values()) == 12
    assert "- RIVAL: competes" in llm_server.brain.bodies()[0]["messages"][1]["content"]
    assert "PATIENT_OF" not in llm_server.brain.bodies()[0]["messages"][1]["content"]


def test_failed_replies_leave_the_persona_for_the_next_run(
    store: GraphStore, llm_server: LLMTestServer, tmp_path: Path
) -> None:
    store.upsert_personas(SEEDS)
    llm_server.add_rule("nurse number 2 ", "invalid", times=-1)
    report = run(store, llm_server, tmp_path / "cache", hops=1)
    assert report.expanded == 3 and report.failures == 1
    assert "nurse number 2" in (tmp_path / "cache" / "llm-failures.jsonl").read_text()
    left = store.cypher("MATCH (p:Persona {hop: 0}) WHERE p.expanded_at IS NULL RETURN p.id AS id, p.claimed_by AS c")
    assert left == [{"id": SEEDS[2].id, "c": None}]  # not expanded, claim given back
    llm_server.brain.rules.clear()
    again = run(store, llm_server, tmp_path / "cache", hops=1)
    assert again.expanded == 1 and again.llm["calls"] == 1
    check_invariants(store, 1)


def test_budgets_stop_the_run(store: GraphStore, llm_server: LLMTestServer, tmp_path: Path) -> None:
    store.upsert_personas(SEEDS)
    report = run(store, llm_server, tmp_path / "cache", hops=3, max_personas=6, concurrency=2)
    assert report.expanded == 6 and report.stopped == "max personas"
    assert one(store, "MATCH (p:Persona) WHERE p.expanded_at IS NOT NULL RETURN count(p) AS n") == 6
    # Lowest hop first: all seeds before any of their relatives.
    assert one(store, "MATCH (p:Persona {hop: 0}) WHERE p.expanded_at IS NULL RETURN count(p) AS n") == 0
    calls = llm_server.count
    capped = run(store, llm_server, tmp_path / "cache2", hops=3, max_calls=5, concurrency=2)
    assert capped.stopped == "max calls" and llm_server.count - calls == 5


class MapToFirstSeed:
    """A resolver that declares every new persona a duplicate of the first seed."""

    def resolve(self, store: GraphStore, personas: list[Persona]) -> dict[str, str]:
        return {p.id: SEEDS[0].id for p in personas}


def test_a_resolver_redirects_edges(store: GraphStore, llm_server: LLMTestServer, tmp_path: Path) -> None:
    store.upsert_personas(SEEDS[:3])
    report = run(store, llm_server, tmp_path / "cache", hops=1, resolver=MapToFirstSeed())
    assert report.expanded == 3 and sum(report.new_by_hop.values()) == 0
    assert store.count("Persona") == 3
    assert report.self_loops == 3  # seed 0's own answers would point at itself
    edges = store.cypher("MATCH (a:Persona)-[r]->(b:Persona) RETURN a.id AS a, b.id AS b")
    assert edges and all(SEEDS[0].id in (e["a"], e["b"]) for e in edges)


def test_dry_run_makes_no_calls_and_writes_nothing(store: GraphStore, llm_server: LLMTestServer) -> None:
    store.upsert_personas(SEEDS)
    plan = dry_run(store, ExpandOptions(hops=2, per_persona=3))
    assert plan.frontier == 4 and len(plan.prompts) == 2 and plan.prompt_tokens > 100
    assert plan.projected_calls == 4 + 12
    assert "nurse number" in plan.prompts[0][1]["content"]
    shared = plan.report(hops=2)  # the dry-run report every LLM stage prints
    assert shared.requests == 4 and shared.prompt_tokens == plan.prompt_tokens and "16 calls" in shared.notes[0]
    assert llm_server.count == 0
    assert (
        one(store, "MATCH (p:Persona) WHERE p.claimed_by IS NOT NULL OR p.expanded_at IS NOT NULL RETURN count(p) AS n")
        == 0
    )


def test_claims_are_atomic_under_contention(store: GraphStore) -> None:
    people = [Persona(text=f"A ferry captain number {i}") for i in range(40)]
    store.upsert_personas(people)
    ids = [p.id for p in people]
    won: dict[str, list[str]] = {}
    start = threading.Barrier(4)

    def claim(worker: str) -> None:
        start.wait()
        got: list[str] = []
        for _ in range(4):  # everyone asks for everything, again and again
            now = time.time()
            got += [r["id"] for r in store.run("expand_claim", ids=ids, worker=worker, now=now, until=now + 60)]
        won[worker] = got

    threads = [threading.Thread(target=claim, args=(f"w{i}",)) for i in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=120)
    claimed = [set(v) for v in won.values()]
    assert sum(len(c) for c in claimed) == len(set().union(*claimed)) == 40  # every persona to exactly one worker
    owners = {r["id"]: r["w"] for r in store.cypher("MATCH (p:Persona) RETURN p.id AS id, p.claimed_by AS w")}
    assert all(owners[pid] == worker for worker, got in won.items() for pid in got)
