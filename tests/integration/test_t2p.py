"""Text-to-Persona on both stores against the real test server, with multilingual text fixtures."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from personagraph.config import Secret
from personagraph.expand.t2p import T2POptions, T2PReport, t2p_dry_run, text_to_persona
from personagraph.ingest import import_texts
from personagraph.llm import LLMClient
from personagraph.models import SourceText
from personagraph.store import GraphStore
from tests.llm_fixtures import TEST_API_KEY, LLMTestServer

TEXTS = Path(__file__).resolve().parent.parent / "data" / "texts"


def run(
    store: GraphStore, server: LLMTestServer, cache: Path, ids: list[str] | None = None, **options: Any
) -> T2PReport:
    client = LLMClient(server.base_url, Secret(TEST_API_KEY), "test-model", cache_dir=cache, backoff_base=0.01)
    return text_to_persona(store, client, T2POptions(**options), ids)


def test_t2p_on_text_files(store: GraphStore, llm_server: LLMTestServer, tmp_path: Path) -> None:
    ids = import_texts(store, [TEXTS])
    assert len(ids) == 5 and store.count("Text") == 5
    report = run(store, llm_server, tmp_path / "cache", ids, per_text=3)
    assert report.texts == 5 and report.failures == 0 and llm_server.count == 5
    assert report.personas_new == 15 and store.stats()["origins"] == {"text": 15}
    assert store.stats()["hops"] == {"0": 15}
    rows = store.cypher(
        "MATCH (p:Persona)-[d:DERIVED_FROM]->(t:Text) RETURN t.source AS source, d.model AS model, d.prompt AS prompt, "
        "d.run AS run, d.stance AS stance, d.granularity AS granularity"
    )
    assert len(rows) == 15 and {r["source"] for r in rows} == {p.name for p in TEXTS.glob("*.txt")}
    assert all(r["model"] == "test-model" and r["prompt"] == report.prompt and r["run"] == report.run for r in rows)
    assert {r["granularity"] for r in rows} == {"fine"} and {r["stance"] for r in rows} <= {
        "read",
        "write",
        "like",
        "dislike",
        "other",
    }
    # The Japanese text went out whole, and the prompt asked for fine-grained personas.
    asked = [b["messages"][1]["content"] for b in llm_server.brain.bodies()]
    assert any("東京・下町の小さなパン屋" in a for a in asked) and all(
        "as specific as the text allows" in a for a in asked
    )


def test_processed_texts_are_skipped_and_coarse_is_separate(
    store: GraphStore, llm_server: LLMTestServer, tmp_path: Path
) -> None:
    import_texts(store, [TEXTS])
    first = run(store, llm_server, tmp_path / "cache")
    assert first.texts == 5
    again = run(store, llm_server, tmp_path / "cache")
    assert again.texts == 0 and llm_server.count == 5
    coarse = run(store, llm_server, tmp_path / "cache", granularity="coarse", max_texts=2)
    assert coarse.texts == 2 and llm_server.count == 7
    assert "broad" in llm_server.brain.bodies()[-1]["messages"][1]["content"]
    redo = run(store, llm_server, tmp_path / "cache", redo=True)
    assert redo.texts == 5 and redo.llm["cached"] == 5 and llm_server.count == 7  # redone from the cache
    assert redo.personas_new == 0 and redo.personas_existing == 15


def test_long_texts_are_cut_to_the_budget(store: GraphStore, llm_server: LLMTestServer, tmp_path: Path) -> None:
    long = SourceText(text="The harbour tram will run every ten minutes. " * 2000, source="long")
    store.upsert_texts([long])
    report = run(store, llm_server, tmp_path / "cache", max_text_tokens=200)
    assert report.texts == 1 and report.texts_cut == 1
    asked = llm_server.brain.bodies()[0]["messages"][1]["content"]
    assert "[…]" in asked and len(asked) < 2000
    # The whole text stays in the graph; only the prompt was cut.
    assert len(store.cypher("MATCH (t:Text) RETURN t.text AS text")[0]["text"]) == len(long.text)


def test_failed_texts_stay_pending(store: GraphStore, llm_server: LLMTestServer, tmp_path: Path) -> None:
    import_texts(store, [TEXTS])
    llm_server.add_rule("Schachverein", "malformed", times=-1)
    report = run(store, llm_server, tmp_path / "cache")
    assert report.texts == 5 and report.failures == 1 and report.personas_new == 12
    record = json.loads((tmp_path / "cache" / "llm-failures.jsonl").read_text().splitlines()[0])
    assert "Schachverein" in record["messages"][1]["content"] and record["error"].startswith("invalid reply")
    llm_server.brain.rules.clear()
    again = run(store, llm_server, tmp_path / "cache")
    assert again.texts == 1 and again.personas_new == 3


def test_jsonl_input_and_dry_run(store: GraphStore, llm_server: LLMTestServer, tmp_path: Path) -> None:
    path = tmp_path / "texts.jsonl"
    path.write_text(
        "\n".join(
            json.dumps({"text": t, "source": f"s{i}"}, ensure_ascii=False)
            for i, t in enumerate(["Un café ouvre sur la place du marché.", "A new chess club opens downtown."])
        )
    )
    ids = import_texts(store, [path])
    plan = t2p_dry_run(store, T2POptions(), ids)
    assert (
        plan.requests == 2
        and plan.prompt_tokens > 50
        and plan.completion_tokens == 2 * 60 * 3
        and "Un café" in plan.prompts[0][1]["content"] + plan.prompts[1][1]["content"]
    )
    assert llm_server.count == 0 and store.count("Persona") == 0
