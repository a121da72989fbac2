"""The LLM stage of ``personagraph demo``: Text-to-Persona on the example texts, then one hop of
Persona-to-Persona from the personas it found, echoing what was made."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

from personagraph.config import Settings
from personagraph.demo.examples import examples_dir
from personagraph.store import GraphStore

SKIPPED = (
    "skipped: no language model configured. Set OPENAI_BASE_URL (and OPENAI_API_KEY, PERSONAGRAPH_MODEL) "
    "to any OpenAI-compatible endpoint to run Text-to-Persona and Persona-to-Persona here."
)
SHOW = 5


def run_llm_demo(
    store: GraphStore,
    settings: Settings,
    echo: Callable[[str], None] = print,
    texts: Path | None = None,
    max_expand: int = 12,
    concurrency: int = 8,
) -> dict[str, Any] | None:
    """T2P on ``texts`` (default ``examples/texts/``), then one hop of expansion of up to
    ``max_expand`` of the new personas; echoes samples of both. Returns the two reports as dicts,
    or None (after one line saying so) when no endpoint is configured."""
    if not settings.llm_configured:
        echo(SKIPPED)
        return None
    from personagraph.expand.p2p import ExpandOptions, expand
    from personagraph.expand.t2p import T2POptions, text_to_persona
    from personagraph.ingest import import_texts
    from personagraph.llm import LLMClient
    from personagraph.redaction import redact_url

    folder = texts or examples_dir() / "texts"
    source = folder if folder.is_dir() else folder.parent / "texts.jsonl"
    ids = import_texts(store, [source])
    echo(
        f"Text-to-Persona on {len(ids)} texts from {source} with {settings.model} at {redact_url(settings.llm_base_url or '')}"
    )
    # One client per stage, so each report counts its own calls (each run closes its client).
    t2p = text_to_persona(
        store, LLMClient.from_settings(settings, concurrency=concurrency), T2POptions(per_text=1), ids
    )
    echo(f"  {t2p.texts} texts → {t2p.personas_new} new personas ({t2p.failures} failures)")
    rows = store.cypher(
        "MATCH (p:Persona)-[d:DERIVED_FROM]->(t:Text) WHERE d.run = $run "
        "RETURN p.text AS persona, d.stance AS stance, t.source AS source ORDER BY t.source LIMIT $n",
        {"run": t2p.run, "n": SHOW},
    )
    for row in rows:
        echo(f"  [{row['stance']}] {row['persona']}  ← {Path(str(row['source'])).name}")

    echo(f"One hop of Persona-to-Persona from up to {max_expand} of them")
    options = ExpandOptions(hops=1, per_persona=3, concurrency=concurrency, max_personas=max_expand, origins=["text"])
    p2p = expand(store, LLMClient.from_settings(settings, concurrency=concurrency), options)
    echo(
        f"  {p2p.expanded} personas expanded → {sum(p2p.new_by_hop.values())} new personas; relations: "
        + (", ".join(f"{t} {n}" for t, n in p2p.relations.most_common()) or "none")
    )
    edges = store.cypher(
        "MATCH (a:Persona)-[r]->(b:Persona) WHERE r.run = $run "
        "RETURN a.text AS a, type(r) AS type, b.text AS b, r.evidence AS evidence LIMIT $n",
        {"run": p2p.run, "n": SHOW},
    )
    for edge in edges:
        echo(f"  {edge['a']}\n    —{edge['type']}→ {edge['b']}\n    ({edge['evidence']})")
    echo(
        f"  LLM calls: {t2p.llm['calls'] + p2p.llm['calls']}, cached: {t2p.llm['cached'] + p2p.llm['cached']}; "
        f"failures are logged in {p2p.failures_path}"
    )
    return {"t2p": t2p.as_dict(), "expand": p2p.as_dict()}
