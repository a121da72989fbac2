"""Typed attributes on both stores: imported from Nemotron-/FinePersonas-style columns, extracted by the
LLM (the real test server over HTTP), filtered by --where, sample, view and cast."""

from __future__ import annotations

import json
from pathlib import Path

from personagraph.attributes import AttributeOptions, attribute_coverage, attributes_dry_run, extract_attributes
from personagraph.cast.build import CastSpec, build_cast
from personagraph.config import Secret
from personagraph.export.view import view_data
from personagraph.ids import persona_id
from personagraph.ingest import import_file
from personagraph.llm import LLMClient
from personagraph.sampling.batches import sample_batch
from personagraph.sampling.candidates import fetch_candidates
from personagraph.sampling.carver import Carver
from personagraph.store import GraphStore
from personagraph.synth.plan import plan_synthesis
from tests.llm_fixtures import TEST_API_KEY, LLMTestServer

NEMOTRON = [
    {
        "uuid": "n1",
        "persona": "A registered nurse in Austin who runs a community garden on weekends.",
        "sex": "Female",
        "age": 52,
        "marital_status": "married_present",
        "education_level": "bachelors",
        "occupation": "registered_nurse",
        "city": "Austin",
        "state": "TX",
        "country": "USA",
        "hobbies_and_interests_list": "['gardening', 'birdwatching']",
    },
    {
        "uuid": "n2",
        "persona": "A retired welder from Dayton who restores old motorcycles.",
        "sex": "Male",
        "age": 71,
        "marital_status": "widowed",
        "education_level": "high_school",
        "occupation": "welder",
        "city": "Dayton",
        "state": "OH",
        "country": "USA",
    },
    {
        "uuid": "n3",
        "persona": "A software developer in Seattle who plays in a jazz trio.",
        "sex": "Female",
        "age": 29,
        "education_level": "graduate",
        "occupation": "software_developer",
        "state": "WA",
        "country": "USA",
    },
]
FINE = {"id": "fp-1", "persona": "A historian of medieval trade routes.", "labels": '["History", "Economics"]'}
PLAIN = [f"A {word} persona with nothing typed about them, number {i}." for i, word in enumerate("abcdef")]


def _write(path: Path, rows: list[dict[str, object]]) -> Path:
    path.write_text("".join(json.dumps(r) + "\n" for r in rows), encoding="utf-8")
    return path


def _client(server: LLMTestServer, cache: Path) -> LLMClient:
    return LLMClient(
        server.base_url, Secret(TEST_API_KEY), "test-model", cache_dir=cache, backoff_base=0.01, max_retries=1
    )


def test_import_maps_columns_and_every_filter_sees_them(store: GraphStore, tmp_path: Path) -> None:
    import_file(store, _write(tmp_path / "nemotron.jsonl", [*NEMOTRON, FINE]))
    rows = store.cypher(
        "MATCH (p:Persona) WHERE p.gender = $g RETURN p.text AS text, p.age AS age, p.age_band AS band, "
        "p.isco AS isco, p.education AS education, p.region AS region, p.attrs_source AS source ORDER BY age",
        {"g": "female"},
    )
    assert [(r["age"], r["band"], r["isco"], r["education"], r["region"]) for r in rows] == [
        (29, "25-34", "25", "postgraduate", "WA"),
        (52, "45-54", "22", "bachelor", "TX"),
    ]
    assert {r["source"] for r in rows} == {"import"}
    fine = store.cypher("MATCH (p:Persona {source_id: 'fp-1'}) RETURN p.interests AS interests")
    assert fine[0]["interests"] == ["History", "Economics"]

    # --where (the carver) on attributes: a number and exact values; unknowns match neither = nor !=.
    nurse = persona_id(NEMOTRON[0]["persona"])  # type: ignore[arg-type]
    older = fetch_candidates(store, Carver.parse(where="age >= 40 and gender = female"), attributes=["country"])
    assert older.ids == [nurse] and older.attributes == {"country": ["USA"]}
    not_female = fetch_candidates(store, Carver.parse(where="gender != female"))
    assert not_female.ids == [persona_id(NEMOTRON[1]["persona"])]  # type: ignore[arg-type]
    mid = fetch_candidates(store, Carver.parse(where="age_band = '45-54' and isco = 22"))
    assert mid.ids == [nurse]

    # sample (and synth, which plans its batch through sample_batch) with the same filter
    batch = sample_batch(
        store,
        size=5,
        strategy="random",
        carver=Carver.parse(where="gender = male"),
        measure_radius=False,
        record=False,
    )
    assert batch.persona_ids == [persona_id(NEMOTRON[1]["persona"])]  # type: ignore[arg-type]

    plan = plan_synthesis(
        store, None, model="test-model", task="math", size=5, strategy="random",
        carver=Carver.parse(where="age < 60 and gender = female"), record=False,
    )  # fmt: skip
    assert sorted(plan.work.batch.persona_ids) == sorted(
        persona_id(NEMOTRON[i]["persona"])  # type: ignore[arg-type]
        for i in (0, 2)
    )

    # view and cast take a Cypher query: attributes are plain properties there
    query = "MATCH (p:Persona) WHERE p.education = $level RETURN p"
    data = view_data(store, query=query, params={"level": "postgraduate"})
    assert [n["id"] for n in data["nodes"]] == [persona_id(NEMOTRON[2]["persona"])]  # type: ignore[arg-type]
    cast = build_cast(store, CastSpec(query="MATCH (p:Persona) WHERE p.age > $age RETURN p", query_params={"age": 50}))
    over_50 = {persona_id(NEMOTRON[i]["persona"]) for i in (0, 1)}  # type: ignore[arg-type]
    assert cast.members and {m.id for m in cast.members} <= over_50


def test_extraction_is_resumable_with_provenance(store: GraphStore, llm_server: LLMTestServer, tmp_path: Path) -> None:
    import_file(store, _write(tmp_path / "mixed.jsonl", [NEMOTRON[0], *({"persona": t} for t in PLAIN)]))
    dry = attributes_dry_run(store, AttributeOptions())
    assert dry.requests == len(PLAIN) and llm_server.count == 0  # the imported persona is not asked
    assert any("22 Health professionals" in m["content"] for m in dry.prompts[0])

    # One persona's replies are always broken: it is counted and left for the next run.
    broken = sorted(PLAIN, key=persona_id)[1]  # among the first four asked (pending personas go in id order)
    llm_server.add_rule(broken, "invalid", times=100)
    first = extract_attributes(store, _client(llm_server, tmp_path / "cache"), AttributeOptions(max_personas=4))
    assert (first.personas, first.extracted, first.failures) == (4, 3, 1)
    done = store.cypher(
        "MATCH (p:Persona) WHERE p.attrs_source = 'llm' RETURN p.attrs_model AS model, p.attrs_prompt AS prompt, "
        "p.attrs_at AS at, p.gender AS gender, p.isco AS isco"
    )
    assert len(done) == 3 and {r["model"] for r in done} == {"test-model"}
    assert {r["prompt"] for r in done} == {first.prompt} and all(r["at"] for r in done)
    assert all(r["gender"] in ("female", "male", "non-binary", None) for r in done)

    # Re-run (as after a kill): only the personas without attributes are asked, the broken one again.
    llm_server.brain.reset()
    asked_before = llm_server.count
    second = extract_attributes(store, _client(llm_server, tmp_path / "cache"), AttributeOptions())
    assert second.personas == len(PLAIN) - 3 and second.extracted == len(PLAIN) - 3
    assert llm_server.count - asked_before == len(PLAIN) - 3
    counts = attribute_coverage(store)
    assert counts["with_attributes"] == len(PLAIN) + 1 and counts["from_import"] == 1
    nurse = store.cypher("MATCH (p:Persona) WHERE p.attrs_source = 'import' RETURN p.occupation AS occupation")
    assert nurse == [{"occupation": "registered nurse"}]  # imported attributes are never overwritten
    third = extract_attributes(store, _client(llm_server, tmp_path / "cache"), AttributeOptions())
    assert third.personas == 0
