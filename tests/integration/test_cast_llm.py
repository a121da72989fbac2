"""NPC flesh-out against the real OpenAI-compatible test server (tests/llm_server.py), no patching."""

from __future__ import annotations

from pathlib import Path

from personagraph.cast.card_spec import validate
from personagraph.cast.cards import read_card
from personagraph.cast.flesh import flesh_dry_run, flesh_out_sync
from personagraph.cast.model import NPC
from personagraph.config import Settings
from personagraph.export.cast import export_cast, make_npcs
from personagraph.llm import LLMClient
from tests.llm_fixtures import TEST_API_KEY, LLMTestServer
from tests.unit.test_cards import TEXTS, small_cast

CAPTAIN_BLOCK = f'Persona:\n"""\n{TEXTS[2]}'


def _check_views(npcs: list[NPC]) -> None:
    cast = small_cast()
    names = {n.persona_id: n.name for n in npcs}
    for npc in npcs:
        expected = sorted(
            (r.type, r.dst if r.src == npc.persona_id else r.src, "out" if r.src == npc.persona_id else "in")
            for r in cast.relations
            if npc.persona_id in (r.src, r.dst)
        )
        assert sorted((v.type, v.persona_id, v.direction) for v in npc.views) == expected
        assert all(v.name == names[v.persona_id] and v.view for v in npc.views)


def test_flesh_out_fills_every_field_and_keeps_relations(
    llm_server: LLMTestServer, llm_settings: Settings, tmp_path: Path
) -> None:
    problems: list[str] = []
    npcs = flesh_out_sync(small_cast(), LLMClient.from_settings(llm_settings), echo=problems.append)
    assert [n.persona_id for n in npcs] == [m.id for m in small_cast().members]
    assert llm_server.count == 1 + len(npcs)  # one naming request, one sheet per member
    for npc in npcs:
        assert npc.source == "llm" and npc.model == "test-model"
        assert (
            npc.appearance and npc.personality and npc.motivation and npc.secret and npc.speech_style and npc.greeting
        )
        assert 1 <= len(npc.dialogue) <= 8
        assert "npc_cast@" in npc.notes and "npc_names@" in npc.notes
    names = [n.name for n in npcs]
    assert len(set(names)) == len(names) and len({n.split()[0] for n in names}) == len(names)
    _check_views(npcs)

    # The captain's request carries its typed relations with the stance each implies.
    bodies = [b for b in llm_server.brain.bodies() if CAPTAIN_BLOCK in b["messages"][-1]["content"]]
    assert len(bodies) == 1
    asked = bodies[0]["messages"][-1]["content"]
    assert "RIVAL:" in asked and "resents them and competes with them" in asked
    assert "PATIENT_OF:" in asked and "trusts or fears them" in asked

    # Cards made from LLM NPCs satisfy the specs, and the API key is written nowhere.
    export_cast(small_cast(), npcs, tmp_path / "out")
    for path in (tmp_path / "out" / "cards").iterdir():
        assert validate(read_card(path)) == []
    for path in (tmp_path / "out").rglob("*"):
        if path.is_file():
            assert TEST_API_KEY.encode() not in path.read_bytes()

    # A second run is answered from the response cache: no new request.
    before = llm_server.count
    again = flesh_out_sync(small_cast(), LLMClient.from_settings(llm_settings))
    assert llm_server.count == before
    assert [n.model_dump() for n in again] == [n.model_dump() for n in npcs]


def test_a_failed_reply_falls_back_to_the_persona_text(llm_server: LLMTestServer, llm_settings: Settings) -> None:
    llm_server.add_rule(CAPTAIN_BLOCK, "invalid", times=-1)
    llm_server.add_rule("Give each one a name and a role", "malformed", times=-1)
    problems: list[str] = []
    npcs = flesh_out_sync(small_cast(), LLMClient.from_settings(llm_settings), echo=problems.append)
    captain = npcs[2]
    assert captain.source == "persona-text" and captain.model is None
    assert captain.appearance == "" and "reply failed" in captain.notes
    assert any(v.type == "RIVAL" and "resents" in v.view for v in captain.views)
    assert all(n.source == "llm" for i, n in enumerate(npcs) if i != 2)
    assert any("names" in p for p in problems) and any(captain.name in p for p in problems)
    # Without valid names from the model, names and roles come from the persona ids and texts.
    assert captain.role == "Fishing boat captain"
    _check_views(npcs)


def test_make_npcs_uses_the_llm_only_with_a_client(llm_server: LLMTestServer, llm_settings: Settings) -> None:
    cast = small_cast()
    assert all(n.source == "persona-text" for n in make_npcs(cast, None))
    assert llm_server.count == 0
    client = LLMClient.from_settings(llm_settings)
    assert all(n.source == "llm" for n in make_npcs(cast, client, temperature=0.3))
    assert llm_server.count == 1 + len(cast.members)
    assert {b["temperature"] for b in llm_server.brain.bodies()} == {0.3}
    # The run closed the client's session and cache (llm.lifecycle), and a dry run calls nothing.
    assert client.cache is None and client._openai is None
    plan = flesh_dry_run(cast, setting="a harbour town")
    assert plan.requests == 1 + len(cast.members) and plan.prompt_tokens > 0 and plan.completion_tokens > 0
    assert "a harbour town" in plan.prompts[0][-1]["content"] and llm_server.count == 1 + len(cast.members)
