"""The cast for SillyTavern: the world book (World Info format), the group and its chat, CHARX files,
and what only one character knows staying in that character's own book."""

from __future__ import annotations

import io
import json
import re
import zipfile
from pathlib import Path
from typing import Any

import pytest

from personagraph.cast import card_spec
from personagraph.cast.cards import card_v3, charx_bytes, read_charx, relations_from_cards
from personagraph.cast.model import NPC, Cast, CastRelation
from personagraph.cast.npc import npcs_from_texts
from personagraph.errors import InputError, MalformedInputError
from personagraph.export import sillytavern
from personagraph.export.cast import export_cast
from tests.unit.test_cards import small_cast

# The fields of a SillyTavern World Info entry and their JSON types, as SillyTavern writes them.
WORLD_ENTRY_FIELDS: dict[str, type | tuple[type, ...]] = {
    "uid": int,
    "key": list,
    "keysecondary": list,
    "comment": str,
    "content": str,
    "constant": bool,
    "selective": bool,
    "selectiveLogic": int,
    "order": int,
    "position": int,
    "disable": bool,
    "excludeRecursion": bool,
    "preventRecursion": bool,
    "delayUntilRecursion": bool,
    "probability": int,
    "useProbability": bool,
    "depth": int,
    "group": str,
}


def evidence_cast() -> Cast:
    cast = small_cast()
    relations = [
        CastRelation(src=r.src, type=r.type, dst=r.dst, evidence=f"evidence {i}: they met at the quay")
        for i, r in enumerate(cast.relations)
    ]
    return cast.model_copy(update={"relations": relations})


def with_secret(npcs: list[NPC]) -> list[NPC]:
    return [npcs[0].model_copy(update={"secret": "He let the lamp go dark the night the trawler sank."}), *npcs[1:]]


def active_entries(book: dict[str, Any], message: str) -> list[dict[str, Any]]:
    """World Info activation as SillyTavern documents it, reduced to what these books use: an entry
    fires when one of its keys is in the scanned text (whole word, case-insensitive) and, when it is
    selective with secondary keys (AND ANY), one of those too; with recursion, the content of fired
    entries is scanned again until nothing new fires."""

    def has(text: str, keys: list[str]) -> bool:
        return any(re.search(rf"(?<!\w){re.escape(k)}(?!\w)", text, re.I) for k in keys)

    fired: list[dict[str, Any]] = []
    buffer = message
    while True:
        new = [
            e
            for e in book["entries"].values()
            if e not in fired
            and not e["disable"]
            and (e["constant"] or has(buffer, e["key"]))
            and (not e["selective"] or not e["keysecondary"] or has(buffer, e["keysecondary"]))
        ]
        if not new:
            return fired
        fired.extend(new)
        buffer += "\n" + "\n".join(e["content"] for e in new if not e["preventRecursion"])


def test_world_book_follows_the_world_info_format() -> None:
    cast = evidence_cast()
    npcs = npcs_from_texts(cast)
    book = sillytavern.world_book(cast, npcs, "Harbour")
    entries = book["entries"]
    assert len(entries) == len(npcs) + len(cast.relations)
    for uid, entry in entries.items():
        assert uid == str(entry["uid"])
        for field, kind in WORLD_ENTRY_FIELDS.items():
            assert isinstance(entry[field], kind), (field, entry[field])
        assert entry["key"] and all(isinstance(k, str) and k for k in entry["key"])
        assert not entry["excludeRecursion"] and not entry["preventRecursion"]  # recursion on
    json.dumps(book)  # plain JSON
    relation_entries = [e for e in entries.values() if "personagraph" in e["extensions"]]
    assert {e["content"].split(". ", 1)[1] for e in relation_entries} == {r.evidence for r in cast.relations}


def test_mentioning_one_character_brings_in_who_they_are_to_the_others() -> None:
    cast = evidence_cast()
    npcs = npcs_from_texts(cast)
    book = sillytavern.world_book(cast, npcs, "Harbour")
    captain = npcs[2]  # PATIENT_OF the doctor, RIVAL of the other captain, FAMILY_OF the apprentice
    fired = active_entries(book, f"Have you seen {captain.name.split()[0]} today?")
    titles = {e["comment"] for e in fired}
    assert captain.name in titles
    related = {v.name for v in captain.views}
    assert related <= titles  # each related character's entry, by recursion
    captain_relations = [r for r in cast.relations if captain.persona_id in (r.src, r.dst)]
    assert sum(
        1
        for e in fired
        if e["extensions"].get("personagraph")
        in [r.model_dump(include={"src", "type", "dst"}) for r in captain_relations]
    ) == len(captain_relations)
    # Nothing fires on a message that names nobody.
    assert active_entries(book, "What a grey morning.") == []


def test_what_one_character_knows_stays_in_their_own_book() -> None:
    cast = evidence_cast()
    npcs = with_secret(npcs_from_texts(cast))
    keeper = npcs[0]
    card = card_v3(keeper, len(npcs), {"members": [{"persona_id": n.persona_id, "name": n.name} for n in npcs]})
    own = card["data"]["character_book"]["entries"]
    secret = [e for e in own if e["comment"] == "secret"]
    assert len(secret) == 1 and secret[0]["constant"] and keeper.secret in secret[0]["content"]
    views = [e for e in own if e["comment"] != "secret"]
    assert all(any(v.view in e["content"] for v in keeper.views) for e in views)
    assert all("evidence" in e["content"] for e in views)  # the relation's evidence reaches the card
    world = json.dumps(sillytavern.world_book(cast, npcs, "Harbour"))
    assert keeper.secret not in world
    assert not any(v.view in world for n in npcs for v in n.views)  # stances are private
    assert card_spec.validate_v3(card) == []


def test_group_and_chat(tmp_path: Path) -> None:
    cast = evidence_cast()
    npcs = npcs_from_texts(cast)
    export_cast(cast, npcs, tmp_path, title="Harbour cast", timestamp=1_700_000_000)
    group = json.loads((tmp_path / "sillytavern" / "group.json").read_text())
    ordered = sillytavern.reply_order(cast, npcs)
    assert ordered[0].persona_id == cast.seed
    assert group["members"] == [f"{n.name}.png" for n in ordered]
    assert sorted(group["members"]) == sorted(f"{n.name}.png" for n in npcs)
    assert group["chat_id"] in group["chats"] and group["activation_strategy"] == 0 and group["generation_mode"] == 0
    # Each member comes after a member it is related to (reply order follows the relations).
    seen = [ordered[0].persona_id]
    for npc in ordered[1:]:
        assert any(v.persona_id in seen for v in npc.views)
        seen.append(npc.persona_id)
    lines = [json.loads(line) for line in (tmp_path / "sillytavern" / "group-chat.jsonl").read_text().splitlines()]
    assert lines[0]["chat_metadata"]["world_info"] == "Harbour cast"
    assert lines[1]["name"] == ordered[0].name and lines[1]["mes"] == ordered[0].greeting and not lines[1]["is_user"]


def test_charx_round_trip_and_rules(tmp_path: Path) -> None:
    cast = evidence_cast()
    npcs = npcs_from_texts(cast)
    export_cast(cast, npcs, tmp_path, timestamp=1_700_000_000)
    files = sorted((tmp_path / "cards").glob("*.charx"))
    assert len(files) == len(npcs)
    with zipfile.ZipFile(files[0]) as archive:
        names = archive.namelist()
        assert "card.json" in names and "assets/icon/images/main.png" in names
        assert archive.read("assets/icon/images/main.png")[:8] == b"\x89PNG\r\n\x1a\n"
        card = json.loads(archive.read("card.json"))
    assert card["spec"] == "chara_card_v3" and card_spec.validate_v3(card) == []
    assert card["data"]["assets"] == [
        {"type": "icon", "uri": "embeded://assets/icon/images/main.png", "name": "main", "ext": "png"}
    ]
    cards = [read_charx(path) for path in files]
    edges = {(r.src, r.type, r.dst) for r in relations_from_cards(cards)}
    assert edges == {(r.src, r.type, r.dst) for r in cast.relations}
    # The same card gives the same bytes (fixed zip timestamps).
    assert charx_bytes(card, b"\x89PNG\r\n\x1a\n") == charx_bytes(card, b"\x89PNG\r\n\x1a\n")


def test_charx_refuses_what_is_not_one(tmp_path: Path) -> None:
    not_zip = tmp_path / "a.charx"
    not_zip.write_bytes(b"hello")
    with pytest.raises(MalformedInputError, match="not a zip file"):
        read_charx(not_zip)
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("cards/card.json", "{}")
    no_card = tmp_path / "b.charx"
    no_card.write_bytes(buffer.getvalue())
    with pytest.raises(MalformedInputError, match=r"no card\.json at the root"):
        read_charx(no_card)
    npcs = npcs_from_texts(small_cast())
    card = card_v3(npcs[0], len(npcs))
    good = charx_bytes(card, b"\x89PNG\r\n\x1a\n")
    with zipfile.ZipFile(io.BytesIO(good)) as source:
        text = source.read("card.json")
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("card.json", text)  # the icon asset is missing
    missing = tmp_path / "c.charx"
    missing.write_bytes(buffer.getvalue())
    with pytest.raises(InputError, match="is not in the zip"):
        read_charx(missing)
