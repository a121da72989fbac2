"""The demo's LLM stage on the example texts, against the test server; and its one-line skip."""

from __future__ import annotations

from pathlib import Path

from personagraph.config import Settings
from personagraph.demo.llm import SKIPPED, run_llm_demo
from personagraph.models import Persona
from personagraph.store import GraphStore
from tests.llm_fixtures import LLMTestServer

EXAMPLE_TEXTS = Path(__file__).resolve().parents[2] / "examples" / "texts"
FALLBACK = Path(__file__).resolve().parents[1] / "data" / "texts"


def test_demo_stage_runs_t2p_then_one_hop(
    embedded_store: GraphStore, llm_server: LLMTestServer, llm_settings: Settings
) -> None:
    texts = EXAMPLE_TEXTS if EXAMPLE_TEXTS.is_dir() else FALLBACK
    count = len(list(texts.glob("*.txt")))
    embedded_store.upsert_personas([Persona(text="A world persona that the demo must not expand", origin="import")])
    lines: list[str] = []
    result = run_llm_demo(embedded_store, llm_settings, lines.append, texts=texts, max_expand=4)
    assert result is not None
    assert result["t2p"]["texts"] == count and result["t2p"]["personas_new"] == count
    assert result["expand"]["expanded"] == 4 and result["expand"]["new_personas"] == 12
    assert llm_server.count == count + 4
    text = "\n".join(lines)
    assert f"{count} texts → {count} new personas" in text and "—" in text and "→" in text
    # Only personas from the texts were expanded, not the imported ones.
    assert embedded_store.cypher("MATCH (p:Persona {origin: 'import'}) RETURN p.expanded_at AS e") == [{"e": None}]


def test_demo_stage_without_endpoint_says_how_to_enable(embedded_store: GraphStore) -> None:
    lines: list[str] = []
    assert run_llm_demo(embedded_store, Settings(), lines.append) is None
    assert lines == [SKIPPED] and "OPENAI_BASE_URL" in lines[0]
    assert embedded_store.count("Persona") == 0
