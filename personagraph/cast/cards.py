"""NPCs as Character Cards V2 and V3, and cards back into personas and relations.

Each card carries the NPC's relations twice: for chat frontends as ``character_book`` entries
keyed by the other character's name, and machine-readable as
``data.extensions.personagraph = {persona_id, persona_text, relations: [...], ...}`` so that
``persona_from_card`` gives back the source persona (same content id) and ``relations_from_cards``
its typed edges.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal

from personagraph.cast import card_spec
from personagraph.cast.greetings import greeting
from personagraph.cast.model import NPC
from personagraph.cast.names import unique_given_names
from personagraph.cast.npc import relation_phrase
from personagraph.cast.png import cards_in_png
from personagraph.errors import InputError, MalformedInputError, MissingFileError, UnsupportedFormatError
from personagraph.models import Persona, Relation

CREATOR = "PersonaGraph"
CARD_VERSION = "1.0"
EXTENSION = "personagraph"
if TYPE_CHECKING:
    from personagraph.store.graph import GraphStore

V3_BACKFILL_WARNING = (
    "This character card is Character Card V3, but it is loaded as a Character Card V2. "
    "Please use a Character Card V3 compatible application to use this character card properly."
)


def a_role(role: str) -> str:
    """ "a retired nurse", "an apprentice", "a Political Analyst" (keeps capitals that are not just the first)."""
    words = role.split()
    if words and words[0][1:].islower():
        role = role[0].lower() + role[1:]
    return f"{'an' if role[:1].lower() in 'aeiou' else 'a'} {role}"


def _description(npc: NPC) -> str:
    parts = [f"{npc.name} is {a_role(npc.role)}."]
    if npc.appearance:
        parts.append(f"Appearance: {npc.appearance}")
    if npc.motivation:
        parts.append(f"Motivation: {npc.motivation}")
    if npc.secret:
        parts.append(f"Secret (known only to {npc.name}): {npc.secret}")
    parts.append(f"Background: {npc.persona_text}")
    return "\n".join(parts)


def _personality(npc: NPC) -> str:
    parts = [npc.personality] if npc.personality else []
    if npc.speech_style:
        parts.append(f"Speech: {npc.speech_style}")
    return "\n".join(parts)


def _scenario(npc: NPC, cast_size: int) -> str:
    if not npc.views:
        return f"{npc.name} is one of {cast_size} characters of a cast."
    ties = "; ".join(relation_phrase(v.type, v.direction, npc.name, v.name) for v in npc.views)
    return f"{npc.name} is one of {cast_size} related characters of a cast: {ties}."


def _greeting(npc: NPC) -> str:
    if npc.greeting:
        return npc.greeting
    return greeting(npc.persona_id, npc.name, npc.role, npc.persona_text, npc.views)


def unique_given(cast_info: dict[str, Any] | None) -> set[str] | None:
    """Given names held by one cast member only (lorebook keys); None when the cast is unknown."""
    members = (cast_info or {}).get("members")
    return unique_given_names(m["name"] for m in members) if members else None


def name_keys(name: str, unique: set[str] | None) -> list[str]:
    """Keys for a character: the full name, and the given name when no one else in the cast has it."""
    first = name.split()[0]
    return list(dict.fromkeys([name, first] if unique is None or first in unique else [name]))


def relation_lore(view_type: str, direction: Literal["out", "in"], me: str, other: str, evidence: str) -> str:
    """ "Mara Quill is a rival of Ilse Brandt. (They bid for the same mooring.)" """
    text = f"{relation_phrase(view_type, direction, me, other)}."
    return f"{text} {evidence.strip()}" if evidence and evidence.strip() else text


def _mes_example(npc: NPC) -> str:
    return "".join(f"<START>\n{{{{char}}}}: {line}\n" for line in npc.dialogue).rstrip("\n")


def _entry(i: int, keys: list[str], content: str, name: str, comment: str, v3: bool, **extra: Any) -> dict[str, Any]:
    entry: dict[str, Any] = {
        "keys": keys,
        "content": content,
        "extensions": extra.pop("extensions", {}),
        "enabled": True,
        "insertion_order": i,
        "case_sensitive": False,
        "name": name,
        "comment": comment,
        "id": i,
        "constant": extra.pop("constant", False),
    }
    if v3:
        entry["use_regex"] = False
    return entry


def _book(npc: NPC, v3: bool, unique: set[str] | None = None) -> dict[str, Any] | None:
    """What only this character knows: its secret (always in context) and its own view of each
    related member (keyed by that member's names), with the relation's evidence."""
    entries = []
    if npc.secret:
        entries.append(
            _entry(
                0, [npc.name], f"{npc.name}'s secret: {npc.secret}", f"{npc.name}: secret", "secret", v3, constant=True
            )
        )
    for view in npc.views:
        i = len(entries)
        fact = relation_lore(view.type, view.direction, npc.name, view.name, view.evidence)
        entries.append(
            _entry(
                i,
                name_keys(view.name, unique),
                f"{fact} {view.view}",
                view.name,
                f"{view.type} ({view.direction})",
                v3,
                extensions={EXTENSION: {"persona_id": view.persona_id, "type": view.type, "direction": view.direction}},
            )
        )
    if not entries:
        return None
    return {
        "name": f"{npc.name}: what only they know",
        "description": "This character's secret and how they see the other cast members (from typed PersonaGraph "
        "relations); what everyone knows is in the cast's world book.",
        "recursive_scanning": True,
        "extensions": {},
        "entries": entries,
    }


def personagraph_extension(npc: NPC, cast_info: dict[str, Any] | None = None) -> dict[str, Any]:
    """The machine-readable part: persona id and text, role, relations to other cast members."""
    return {
        "persona_id": npc.persona_id,
        "persona_text": npc.persona_text,
        "name": npc.name,
        "role": npc.role,
        "cluster": npc.cluster,
        "community": npc.community,
        "source": npc.source,
        "model": npc.model,
        "relations": [view.model_dump() for view in npc.views],
        "cast": cast_info or {},
    }


def _data(npc: NPC, cast_size: int, cast_info: dict[str, Any] | None, v3: bool) -> dict[str, Any]:
    tags = ["personagraph", "npc", *sorted({v.type.lower() for v in npc.views})]
    data: dict[str, Any] = {
        "name": npc.name,
        "description": _description(npc),
        "personality": _personality(npc),
        "scenario": _scenario(npc, cast_size),
        "first_mes": _greeting(npc),
        "mes_example": _mes_example(npc),
        "creator_notes": f"NPC from PersonaGraph persona {npc.persona_id}. {npc.notes}".strip(),
        "system_prompt": "",
        "post_history_instructions": "",
        "alternate_greetings": [],
        "tags": tags,
        "creator": CREATOR,
        "character_version": CARD_VERSION,
        "extensions": {EXTENSION: personagraph_extension(npc, cast_info)},
    }
    book = _book(npc, v3, unique_given(cast_info))
    if book is not None:
        data["character_book"] = book
    return data


def card_v2(npc: NPC, cast_size: int, cast_info: dict[str, Any] | None = None) -> dict[str, Any]:
    """A Character Card V2 (``chara_card_v2``) for the NPC, checked against the spec."""
    card = {"spec": "chara_card_v2", "spec_version": "2.0", "data": _data(npc, cast_size, cast_info, v3=False)}
    card_spec.check(card)
    return card


def card_v3(
    npc: NPC,
    cast_size: int,
    cast_info: dict[str, Any] | None = None,
    *,
    icon_uri: str = "ccdefault:",
    timestamp: int = 0,
) -> dict[str, Any]:
    """A Character Card V3 (``chara_card_v3``); ``icon_uri`` is ``ccdefault:`` in a PNG, a data URL in JSON."""
    data = _data(npc, cast_size, cast_info, v3=True)
    data.update(
        {
            "group_only_greetings": [],
            "assets": [{"type": "icon", "uri": icon_uri, "name": "main", "ext": "png"}],
            "source": [f"personagraph:{npc.persona_id}"],
            "nickname": npc.name.split()[0],
            "creation_date": timestamp,
            "modification_date": timestamp,
        }
    )
    card = {"spec": "chara_card_v3", "spec_version": "3.0", "data": data}
    card_spec.check(card)
    return card


def v2_backfill(card_v2_obj: dict[str, Any]) -> dict[str, Any]:
    """The V2 card put beside a V3 card in one PNG, with the warning the V3 spec asks for."""
    data = dict(card_v2_obj["data"])
    data["creator_notes"] = f"{V3_BACKFILL_WARNING}\n\n{data['creator_notes']}"
    return {**card_v2_obj, "data": data}


# -- CHARX: the V3 card in a zip with its assets -------------------------------------------------

CHARX_CARD = "card.json"
CHARX_ICON = "assets/icon/images/main.png"
_ZIP_TIME = (1980, 1, 1, 0, 0, 0)  # fixed, so the same card gives the same bytes


def charx_bytes(card: dict[str, Any], icon_png: bytes) -> bytes:
    """A ``.charx`` file: ``card.json`` at the zip's root (MUST, V3 spec "CHARX"), the icon at
    ``assets/icon/images/main.png`` (the spec's SHOULD for an icon image), referenced from the
    card as ``embeded://assets/icon/images/main.png`` (the spec's spelling of the URI scheme)."""
    import io
    import zipfile

    data = dict(card["data"])
    data["assets"] = [{"type": "icon", "uri": f"embeded://{CHARX_ICON}", "name": "main", "ext": "png"}]
    packed = {**card, "data": data}
    card_spec.check(packed)
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        text = zipfile.ZipInfo(CHARX_CARD, _ZIP_TIME)
        text.compress_type = zipfile.ZIP_DEFLATED
        archive.writestr(text, json.dumps(packed, ensure_ascii=False, indent=2).encode("utf-8"))
        archive.writestr(zipfile.ZipInfo(CHARX_ICON, _ZIP_TIME), icon_png)  # PNG is compressed already
    return buffer.getvalue()


def read_charx(path: str | Path) -> dict[str, Any]:
    """The V3 card of a ``.charx`` file (its root ``card.json``), validated; its embedded assets are
    checked to exist in the zip."""
    import zipfile

    path = Path(path)
    if not path.is_file():
        raise MissingFileError(f"{path}: no such file")
    try:
        with zipfile.ZipFile(path) as archive:
            names = set(archive.namelist())
            if CHARX_CARD not in names:
                raise MalformedInputError(str(path), 1, "no card.json at the root of the zip: not a CHARX file")
            raw = archive.read(CHARX_CARD)
    except zipfile.BadZipFile as exc:
        raise MalformedInputError(str(path), 1, f"not a zip file ({exc})") from exc
    try:
        card = json.loads(raw.decode("utf-8"))
    except (json.JSONDecodeError, UnicodeDecodeError, RecursionError) as exc:
        raise MalformedInputError(f"{path}!{CHARX_CARD}", 1, f"not JSON ({exc})") from exc
    errors = card_spec.validate(card)
    if errors:
        raise InputError(f"{path}: not a valid character card: {'; '.join(errors[:5])}")
    for asset in card["data"].get("assets") or []:
        uri = asset.get("uri", "")
        if uri.startswith("embeded://") and uri[len("embeded://") :] not in names:
            raise InputError(f"{path}: asset {uri} is not in the zip")
    return dict(card)


# -- reading cards back ---------------------------------------------------------------------------


def read_card(path: str | Path) -> dict[str, Any]:
    """A card from a ``.json`` file, a ``.png`` (its ``ccv3`` chunk if any, else ``chara``) or a
    ``.charx`` zip, validated."""
    path = Path(path)
    if not path.is_file():
        raise MissingFileError(f"{path}: no such file")
    if path.suffix.lower() == ".charx":
        return read_charx(path)
    if path.suffix.lower() == ".png":
        cards = cards_in_png(path.read_bytes(), str(path))
        card = cards.get("ccv3") or cards.get("chara")
        if card is None:
            raise MalformedInputError(str(path), 1, "no chara or ccv3 tEXt chunk: not a character card")
    elif path.suffix.lower() == ".json":
        try:
            card = json.loads(path.read_text(encoding="utf-8"))
        except (json.JSONDecodeError, UnicodeDecodeError, RecursionError) as exc:
            raise MalformedInputError(str(path), 1, f"not JSON ({exc})") from exc
    else:
        raise UnsupportedFormatError(f"{path}: a card is a .json, .png or .charx file")
    errors = card_spec.validate(card)
    if errors:
        raise InputError(f"{path}: not a valid character card: {'; '.join(errors[:5])}")
    return dict(card)


def _data_of(card: dict[str, Any]) -> dict[str, Any]:
    data = card.get("data") if card.get("spec") in ("chara_card_v2", "chara_card_v3") else card
    if not isinstance(data, dict):
        raise InputError("card has no data object")
    return data


def persona_from_card(card: dict[str, Any]) -> Persona:
    """The persona a card was made from: the same text, hence the same content id.

    A card PersonaGraph did not write has no ``extensions.personagraph``; its description becomes
    the persona text.
    """
    data = _data_of(card)
    ext = (data.get("extensions") or {}).get(EXTENSION) or {}
    text = ext.get("persona_text") or data.get("description") or data.get("name")
    if not isinstance(text, str) or not text.strip():
        raise InputError("card has neither a persona text nor a description")
    cluster = ext.get("cluster")
    return Persona(text=text, origin="import", cluster=cluster if isinstance(cluster, int) else None)


def relations_from_cards(cards: Iterable[dict[str, Any]]) -> list[Relation]:
    """The typed edges among these cards' personas, each once, in stored direction."""
    edges: dict[tuple[str, str, str], Relation] = {}
    for card in cards:
        data = _data_of(card)
        ext = (data.get("extensions") or {}).get(EXTENSION) or {}
        me = persona_from_card(card).id
        for rel in ext.get("relations") or []:
            other, rel_type, direction = rel.get("persona_id"), rel.get("type"), rel.get("direction")
            if not isinstance(other, str) or not isinstance(rel_type, str):
                continue
            src, dst = (other, me) if direction == "in" else (me, other)
            key = (src, rel_type, dst)
            edges.setdefault(key, Relation(src=src, dst=dst, type=rel_type, props={"run": "card-import"}))
    return [edges[k] for k in sorted(edges)]


def import_cards(store: GraphStore, paths: Iterable[str | Path]) -> dict[str, int]:
    """Read card files (.json or .png) into the store: their personas, and the typed relations among
    them that their ``extensions.personagraph`` records. Content ids make a re-import add nothing."""
    cards = [read_card(path) for path in paths]
    personas = list({p.id: p for p in (persona_from_card(card) for card in cards)}.values())
    created = store.upsert_personas(personas)
    relations = [r for r in relations_from_cards(cards) if store.vocabulary.resolve(r.type) == r.type]
    linked = store.add_relations(relations) if relations else 0
    return {"cards": len(cards), "personas": len(personas), "personas_new": created, "relations": linked}
