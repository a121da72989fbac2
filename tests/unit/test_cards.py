"""Character Cards V2/V3: spec checks (positive and negative), PNG chunks, re-import into personas."""

from __future__ import annotations

import copy
import io
import json
import struct
import zlib
from pathlib import Path
from typing import Any

import pytest
from PIL import Image

from personagraph.cast import card_spec
from personagraph.cast.cards import (
    V3_BACKFILL_WARNING,
    card_v2,
    card_v3,
    persona_from_card,
    read_card,
    relations_from_cards,
    v2_backfill,
)
from personagraph.cast.model import NPC, Cast, CastMember, CastRelation
from personagraph.cast.npc import derived_role, npcs_from_texts
from personagraph.cast.png import avatar, card_png, cards_in_png, png_chunks, text_chunks
from personagraph.errors import InputError, MalformedInputError
from personagraph.export.cast import export_cast
from personagraph.models import Persona

TEXTS = [
    "A retired lighthouse keeper who still climbs the tower every night to check the lamp",
    "A young harbour doctor who runs the only clinic on the island",
    "A fishing boat captain with debts to half the harbour",
    "A rival fishing boat captain who bought the best mooring in the harbour",
    "An apprentice net-mender who learns the trade from the old lighthouse keeper",
]


def small_cast() -> Cast:
    people = [Persona(text=t) for t in TEXTS]
    ids = [p.id for p in people]
    relations = [
        CastRelation(src=ids[0], type="PATIENT_OF", dst=ids[1]),
        CastRelation(src=ids[2], type="PATIENT_OF", dst=ids[1]),
        CastRelation(src=ids[2], type="RIVAL", dst=ids[3]),
        CastRelation(src=ids[0], type="MENTOR_OF", dst=ids[4]),
        CastRelation(src=ids[2], type="FAMILY_OF", dst=ids[4]),
    ]
    members = [
        CastMember(id=p.id, text=p.text, community=i % 2, cluster=3 if i == 0 else None) for i, p in enumerate(people)
    ]
    return Cast(members=members, relations=relations, mode="ids", seed=ids[0])


@pytest.fixture(scope="module")
def npcs() -> list[NPC]:
    return npcs_from_texts(small_cast())


def test_every_card_satisfies_its_spec(npcs: list[NPC]) -> None:
    for npc in npcs:
        v2 = card_v2(npc, len(npcs))
        v3 = card_v3(npc, len(npcs), timestamp=1_700_000_000)
        assert card_spec.validate_v2(v2) == []
        assert card_spec.validate_v3(v3) == []
        assert v2["spec"] == "chara_card_v2" and v2["spec_version"] == "2.0"
        assert v3["spec"] == "chara_card_v3" and v3["spec_version"] == "3.0"
        assert v3["data"]["group_only_greetings"] == [] and v3["data"]["creation_date"] == 1_700_000_000
        # A V3 card is not a V2 card (different spec) and vice versa.
        assert card_spec.validate_v2(v3) and card_spec.validate_v3(v2)


def test_relations_are_in_the_lorebook_and_the_extension(npcs: list[NPC]) -> None:
    cast = small_cast()
    names = {n.persona_id: n.name for n in npcs}
    captain = npcs[2]
    card = card_v3(captain, len(npcs))
    book = card["data"]["character_book"]
    assert {e["keys"][0] for e in book["entries"]} == {
        names[cast.members[1].id],
        names[cast.members[3].id],
        names[cast.members[4].id],
    }
    rival = next(e for e in book["entries"] if e["extensions"]["personagraph"]["type"] == "RIVAL")
    assert rival["keys"][1] == rival["keys"][0].split()[0]  # keyed by the full and the given name
    assert "resents" in rival["content"]
    ext = card["data"]["extensions"]["personagraph"]
    assert ext["persona_id"] == cast.members[2].id
    assert {(r["type"], r["direction"]) for r in ext["relations"]} == {
        ("PATIENT_OF", "out"),
        ("RIVAL", "out"),
        ("FAMILY_OF", "out"),
    }
    doctor = card_v2(npcs[1], len(npcs))
    views = doctor["data"]["extensions"]["personagraph"]["relations"]
    assert {v["direction"] for v in views} == {"in"}
    assert all("looks after" in v["view"] for v in views)  # the carer's side of PATIENT_OF
    assert "without a language model" in doctor["data"]["creator_notes"]


def _v2(npcs: list[NPC]) -> dict[str, Any]:
    return card_v2(npcs[0], len(npcs))


def _v3(npcs: list[NPC]) -> dict[str, Any]:
    return card_v3(npcs[0], len(npcs))


@pytest.mark.parametrize(
    ("which", "mutate", "problem"),
    [
        ("v2", lambda c: c["data"].pop("name"), "data.name: required field is missing"),
        ("v2", lambda c: c["data"].__setitem__("tags", "npc"), "data.tags: must be an array of strings, not string"),
        ("v2", lambda c: c["data"].__setitem__("personality", None), "data.personality: must be a string, not null"),
        ("v2", lambda c: c.__setitem__("spec_version", 2.0), "card.spec_version: must be '2.0'"),
        ("v2", lambda c: c["data"].pop("extensions"), "data.extensions: required field is missing"),
        ("v2", lambda c: c["data"]["alternate_greetings"].append(3), "data.alternate_greetings[0]: must be a string"),
        (
            "v2",
            lambda c: c["data"]["character_book"]["entries"][0].pop("enabled"),
            "entries[0].enabled: required field is missing",
        ),
        (
            "v2",
            lambda c: c["data"]["character_book"]["entries"][0].__setitem__("insertion_order", "1"),
            "insertion_order: must be a number",
        ),
        (
            "v2",
            lambda c: c["data"]["character_book"]["entries"][0].__setitem__("id", "x"),
            "entries[0].id: must be a number, not string",
        ),
        (
            "v2",
            lambda c: c["data"]["character_book"]["entries"][0].__setitem__("position", "middle"),
            "position: must be one of",
        ),
        (
            "v2",
            lambda c: c["data"]["character_book"].pop("extensions"),
            "character_book.extensions: required field is missing",
        ),
        ("v3", lambda c: c["data"].pop("group_only_greetings"), "data.group_only_greetings: required field is missing"),
        (
            "v3",
            lambda c: c["data"]["character_book"]["entries"][0].pop("use_regex"),
            "entries[0].use_regex: required field is missing",
        ),
        ("v3", lambda c: c["data"].__setitem__("creation_date", "today"), "data.creation_date: must be a number"),
        ("v3", lambda c: c["data"]["assets"][0].__setitem__("ext", ".PNG"), "data.assets[0].ext: must be a lowercase"),
        (
            "v3",
            lambda c: c["data"]["assets"].append({"type": "icon", "uri": "ccdefault:", "name": "main", "ext": "png"}),
            "exactly one must be named 'main'",
        ),
        ("v3", lambda c: c["data"].__setitem__("creator_notes_multilingual", {"en-GB": "x"}), "ISO 639-1"),
        ("v3", lambda c: c["data"].__setitem__("source", "personagraph"), "data.source: must be an array of strings"),
        (
            "v3",
            lambda c: c["data"].__setitem__("character_book", []),
            "data.character_book: must be an object, not array",
        ),
        ("v3", lambda c: c.pop("data"), "card.data: required field is missing"),
        ("v3", lambda c: c.__setitem__("spec", "chara_card_v2"), "card.spec: must be 'chara_card_v3'"),
    ],
)
def test_validators_catch_broken_cards(npcs: list[NPC], which: str, mutate: Any, problem: str) -> None:
    card = copy.deepcopy(_v2(npcs) if which == "v2" else _v3(npcs))
    assert card_spec.validate(card) == []
    mutate(card)
    errors = card_spec.validate_v2(card) if which == "v2" else card_spec.validate_v3(card)
    assert any(problem in e for e in errors), errors
    with pytest.raises(card_spec.CardSpecError):
        card_spec.check(card) if card.get("spec") else card_spec.check({**card, "spec": "x"})


def test_optional_fields_may_be_absent(npcs: list[NPC]) -> None:
    card = _v3(npcs)
    for key in ("character_book", "assets", "source", "creation_date", "modification_date"):
        card["data"].pop(key)
    assert card_spec.validate_v3(card) == []
    lonely = NPC(persona_id="p_0000000000000000", persona_text="A hermit", name="Ivo Holm", role="Hermit")
    assert "character_book" not in card_v2(lonely, 1)["data"]


def _own_text_chunks(data: bytes) -> dict[str, bytes]:
    """A third, independent reader: walk the chunks by hand."""
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    found, offset = {}, 8
    while offset < len(data):
        (length,) = struct.unpack(">I", data[offset : offset + 4])
        kind = data[offset + 4 : offset + 8]
        body = data[offset + 8 : offset + 8 + length]
        assert struct.unpack(">I", data[offset + 8 + length : offset + 12 + length])[0] == zlib.crc32(kind + body)
        if kind == b"tEXt":
            key, _, value = body.partition(b"\0")
            found[key.decode("latin-1")] = value
        offset += 12 + length
    return found


def test_png_chunks_decode_back_to_the_same_json(npcs: list[NPC]) -> None:
    npc = npcs[0]
    v2, v3 = card_v2(npc, len(npcs)), card_v3(npc, len(npcs))
    data = card_png(avatar(npc.name, 3), {"chara": v2_backfill(v2), "ccv3": v3})
    # Pillow reads the tEXt chunks...
    image = Image.open(io.BytesIO(data))
    assert image.size == (256, 256)
    assert set(image.text) >= {"chara", "ccv3"}
    import base64

    assert json.loads(base64.b64decode(image.text["ccv3"]).decode("utf-8")) == v3
    # ...so does our own reader, with CRC checks...
    cards = cards_in_png(data)
    assert cards["ccv3"] == v3
    assert cards["chara"]["data"]["creator_notes"].startswith(V3_BACKFILL_WARNING)
    assert {k: v for k, v in cards["chara"]["data"].items() if k != "creator_notes"} == {
        k: v for k, v in v2["data"].items() if k != "creator_notes"
    }
    assert [kind for kind, _ in png_chunks(data)].count(b"tEXt") == 2
    # ...and a hand walk of the bytes: the chunks are tEXt (not zTXt/iTXt), base64 ASCII.
    raw = _own_text_chunks(data)
    assert json.loads(base64.b64decode(raw["chara"])) == cards["chara"]
    assert raw["ccv3"].isascii() and text_chunks(data)["ccv3"] == raw["ccv3"].decode("ascii")


def test_png_reader_catches_damage(npcs: list[NPC]) -> None:
    data = bytearray(card_png(avatar("Ada Holm", None), {"chara": card_v2(npcs[0], 5)}))
    position = data.index(b"tEXt") + 20
    data[position] ^= 0xFF
    with pytest.raises(MalformedInputError, match="bad CRC"):
        png_chunks(bytes(data), "broken.png")
    with pytest.raises(MalformedInputError, match="not a PNG"):
        png_chunks(b"GIF89a....", "x.gif")


def test_cards_reimport_into_the_same_personas(tmp_path: Path, npcs: list[NPC]) -> None:
    cast = small_cast()
    result = export_cast(cast, npcs, tmp_path, timestamp=1_700_000_000)
    assert result.cards == len(npcs)
    by_kind: dict[str, list[dict[str, Any]]] = {}
    for path in sorted((tmp_path / "cards").iterdir()):
        kind = "".join(path.suffixes[-2:])
        by_kind.setdefault(kind, []).append(read_card(path))
    assert set(by_kind) == {".v2.json", ".v3.json", ".v2.png", ".v3.png", ".charx"}
    expected_ids = [m.id for m in cast.members]
    for cards in by_kind.values():
        assert [persona_from_card(c).id for c in cards] == expected_ids
        assert [persona_from_card(c).text for c in cards] == [m.text for m in cast.members]
        edges = {(r.src, r.type, r.dst) for r in relations_from_cards(cards)}
        assert edges == {(r.src, r.type, r.dst) for r in cast.relations}
    assert by_kind[".v3.png"][0]["spec"] == "chara_card_v3"  # ccv3 wins over the chara backfill
    assert persona_from_card(by_kind[".v3.json"][0]).cluster == 3
    assert by_kind[".v3.json"][0]["data"]["assets"][0]["uri"].startswith("data:image/png;base64,")
    assert by_kind[".charx"][0]["data"]["assets"][0]["uri"] == "embeded://assets/icon/images/main.png"


def test_read_card_refuses_what_is_not_a_card(tmp_path: Path) -> None:
    bad = tmp_path / "bad.json"
    bad.write_text(json.dumps({"spec": "chara_card_v2", "spec_version": "2.0", "data": {"name": 1}}))
    with pytest.raises(InputError, match="not a valid character card"):
        read_card(bad)
    plain = tmp_path / "plain.png"
    avatar("No Card", 1).save(plain)
    with pytest.raises(MalformedInputError, match="no chara or ccv3"):
        read_card(plain)
    foreign = {
        "spec": "chara_card_v2",
        "spec_version": "2.0",
        "data": {
            **card_v2(NPC(persona_id="p_1", persona_text="x", name="Ivo Holm", role="Hermit"), 1)["data"],
            "extensions": {},
        },
    }
    foreign["data"]["description"] = "A hermit who lives in the dunes"
    assert persona_from_card(foreign).text == "A hermit who lives in the dunes"


def test_derived_roles() -> None:
    assert derived_role("A retired nurse who volunteers at a hospice.") == "Retired nurse"
    assert derived_role("a Political Analyst specialized in El Salvador") == "Political Analyst"
    assert derived_role("The night-shift nurse at St. Mary's") == "Night-shift nurse"
    assert derived_role("who?") == "Who?"
    assert derived_role("An endgame specialist, a retired maths lecturer") == "Endgame specialist"
    assert derived_role("A 79-year-old woman recovering from a hip replacement") == "79-year-old woman"
    assert derived_role("The skipper of a sightseeing boat who takes tourists out") == "Skipper of a sightseeing boat"
    assert derived_role("I'm a cycle courier and I deliver prescriptions") == "Cycle courier"
    assert derived_role("I'm seventy and I have mended trawl nets by hand") == "Net mender of seventy"
    assert derived_role("Una periodista de Bilbao que trabaja como corresponsal") == "Journalist"


def test_a_field_of_the_wrong_type_is_refused_with_a_clear_message(npcs: list[NPC]) -> None:
    card = _v3(npcs)
    card["data"]["nickname"] = 7
    card["data"]["character_book"]["entries"][0]["priority"] = "high"
    card["data"]["character_book"]["entries"][1]["enabled"] = "yes"  # no coercion: strict
    with pytest.raises(card_spec.CardSpecError) as info:
        card_spec.check(card)
    assert info.value.errors == [
        "data.character_book.entries[0].priority: must be a number, not string",
        "data.character_book.entries[1].enabled: must be a boolean, not string",
        "data.nickname: must be a string, not number",
    ]
    assert str(info.value).startswith("data.character_book.entries[0].priority: must be a number, not string; ")
    # The pydantic models themselves are strict too: no "1" for a number, no null for a string.
    with pytest.raises(ValueError, match="insertion_order"):
        card_spec.EntryV3.model_validate({**_v3(npcs)["data"]["character_book"]["entries"][0], "insertion_order": "1"})
