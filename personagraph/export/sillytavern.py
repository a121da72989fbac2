"""The cast for SillyTavern: one World Info book for the whole cast, and the cast as a group chat.

World Info (SillyTavern's own lorebook file, ``data/<user>/worlds/<name>.json``): an object whose
``entries`` map a uid to an entry with ``key`` (the words that trigger it), ``keysecondary``,
``content`` (what is inserted), ``comment`` (its title), ``constant``, ``selective``, ``order``,
``position``, ``disable``, ``probability``/``useProbability``, ``depth`` and the recursion flags
``excludeRecursion`` / ``preventRecursion`` / ``delayUntilRecursion``. Recursion (an entry's
content can trigger other entries) is left on for every entry: mentioning one character brings in
their entry, whose content names the people they are related to, which brings in those relations
and people in turn (SillyTavern's budget bounds the chain).

What goes where: the world book holds what everyone in the cast knows: who each character is, and
each relation as a fact with its evidence sentence. How a character *sees* another, and their
secret, stay in that character's own book (the card's ``character_book``, ``cast.cards``).

The group (``data/<user>/groups/<id>.json``) lists its members by their avatar file names, which
SillyTavern derives from the character's name when a card is imported (``<name>.png``); import the
cards first. Members are in reply order: the seed, then outwards along the cast's relations (each
member after the one that brought them in), the order the cast was chosen in. The group chat file
(JSON lines: a header with the chat's metadata, then messages) opens with the seed's greeting and
binds the world book to the chat (``chat_metadata.world_info``).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from personagraph.cast.cards import a_role, name_keys, relation_lore
from personagraph.cast.model import NPC, Cast
from personagraph.cast.names import unique_given_names
from personagraph.cast.npc import relation_phrase

ACTIVATION_NATURAL = 0  # SillyTavern's group_activation_strategy.NATURAL: whoever is mentioned replies
GENERATION_SWAP = 0  # group_generation_mode.SWAP: one character card in the prompt at a time
CHARACTER_ORDER = 100
RELATION_ORDER = 90


def _world_entry(uid: int, keys: list[str], content: str, comment: str, order: int) -> dict[str, Any]:
    return {
        "uid": uid,
        "key": keys,
        "keysecondary": [],
        "comment": comment,
        "content": content,
        "constant": False,
        "vectorized": False,
        "selective": True,
        "selectiveLogic": 0,
        "addMemo": True,
        "order": order,
        "position": 0,
        "disable": False,
        "excludeRecursion": False,
        "preventRecursion": False,
        "delayUntilRecursion": False,
        "probability": 100,
        "useProbability": True,
        "depth": 4,
        "group": "",
        "groupOverride": False,
        "groupWeight": 100,
        "scanDepth": None,
        "caseSensitive": None,
        "matchWholeWords": None,
        "useGroupScoring": None,
        "automationId": "",
        "role": None,
        "sticky": 0,
        "cooldown": 0,
        "delay": 0,
        "displayIndex": uid,
        "extensions": {},
    }


def world_book(cast: Cast, npcs: Sequence[NPC], title: str) -> dict[str, Any]:
    """The cast's shared lore as a SillyTavern World Info file."""
    names = {n.persona_id: n.name for n in npcs}
    unique = unique_given_names(names.values())
    entries: list[dict[str, Any]] = []
    for npc in npcs:
        ties = [relation_phrase(v.type, v.direction, npc.name, v.name) for v in npc.views]
        content = f"{npc.name} is {a_role(npc.role)}. {npc.persona_text}"
        if ties:
            content += f" {'; '.join(ties)}."
        entries.append(_world_entry(len(entries), name_keys(npc.name, unique), content, npc.name, CHARACTER_ORDER))
    for rel in cast.relations:
        if rel.src == rel.dst or rel.src not in names or rel.dst not in names:
            continue
        src, dst = names[rel.src], names[rel.dst]
        keys = list(dict.fromkeys([*name_keys(src, unique), *name_keys(dst, unique)]))
        entry = _world_entry(
            len(entries),
            keys,
            relation_lore(rel.type, "out", src, dst, rel.evidence),
            f"{src} {rel.type} {dst}",
            RELATION_ORDER,
        )
        # Both names must be in the chat for a relation to matter: any one of src's keys AND any one of dst's.
        entry["key"] = name_keys(src, unique)
        entry["keysecondary"] = name_keys(dst, unique)
        entry["selectiveLogic"] = 0  # AND ANY
        entry["extensions"] = {"personagraph": {"src": rel.src, "type": rel.type, "dst": rel.dst}}
        entries.append(entry)
    return {
        "name": title,
        "description": f"Shared lore of a PersonaGraph cast: {len(npcs)} characters, {len(cast.relations)} relations.",
        "entries": {str(e["uid"]): e for e in entries},
    }


def avatar_file(npc: NPC) -> str:
    """The avatar file name SillyTavern gives a character imported from a card: its name, ``.png``."""
    return f"{npc.name}.png"


def reply_order(cast: Cast, npcs: Sequence[NPC]) -> list[NPC]:
    """The seed first, then each member after the member that brought them into the cast (BFS over
    the cast's relations from the seed, in cast order); members out of reach come last."""
    by_id = {n.persona_id: n for n in npcs}
    neighbours: dict[str, list[str]] = {pid: [] for pid in by_id}
    order_of = {m.id: i for i, m in enumerate(cast.members)}
    for rel in cast.relations:
        if rel.src in neighbours and rel.dst in neighbours and rel.src != rel.dst:
            neighbours[rel.src].append(rel.dst)
            neighbours[rel.dst].append(rel.src)
    start = cast.seed if cast.seed in by_id else (npcs[0].persona_id if npcs else None)
    seen: list[str] = []
    queue = [start] if start else []
    while queue:
        current = queue.pop(0)
        if current in seen:
            continue
        seen.append(current)
        queue.extend(sorted(set(neighbours[current]) - set(seen), key=lambda p: order_of.get(p, 0)))
    seen.extend(n.persona_id for n in npcs if n.persona_id not in seen)
    return [by_id[pid] for pid in seen]


def group(cast: Cast, npcs: Sequence[NPC], title: str, chat_id: str) -> dict[str, Any]:
    """The SillyTavern group: members (avatar file names) in reply order, one chat."""
    ordered = reply_order(cast, npcs)
    return {
        "id": chat_id,
        "name": title,
        "members": [avatar_file(n) for n in ordered],
        "avatar_url": avatar_file(ordered[0]) if ordered else "",
        "allow_self_responses": False,
        "activation_strategy": ACTIVATION_NATURAL,
        "generation_mode": GENERATION_SWAP,
        "disabled_members": [],
        "fav": False,
        "chat_id": chat_id,
        "chats": [chat_id],
        "auto_mode_delay": 5,
        "hideMutedSprites": False,
    }


def group_chat(cast: Cast, npcs: Sequence[NPC], world_name: str, created: str) -> list[dict[str, Any]]:
    """The group chat's JSON lines: a header binding the world book, then the first member's greeting."""
    ordered = reply_order(cast, npcs)
    lines: list[dict[str, Any]] = [
        {
            "user_name": "You",
            "character_name": "unused",
            "create_date": created,
            "chat_metadata": {"world_info": world_name},
        }
    ]
    if ordered:
        first = ordered[0]
        lines.append(
            {
                "name": first.name,
                "is_user": False,
                "is_system": False,
                "send_date": created,
                "mes": first.greeting or f"*{first.name.split()[0]} looks up.*",
                "original_avatar": avatar_file(first),
                "extra": {},
            }
        )
    return lines
