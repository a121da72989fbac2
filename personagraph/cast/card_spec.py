"""Checks of Character Card V2 and V3 objects, written from the spec texts.

Sources (read for this module):
- V2: github.com/malfoyslastname/character-card-spec-v2, ``spec_v2.md`` (the ``TavernCardV2`` and
  ``CharacterBook`` TypeScript types; "all V1 fields ... MUST default to the empty string, not null
  or absent"; ``spec`` MUST be ``"chara_card_v2"``, ``spec_version`` MUST be ``"2.0"``;
  ``extensions`` is mandatory on the card, on the book and on every entry).
- V3: github.com/kwaroran/character-card-spec-v3, ``SPEC_V3.md`` (``CharacterCardV3``: the V2 fields
  plus ``group_only_greetings`` (MUST be present, array of strings), optional ``assets``,
  ``nickname``, ``creator_notes_multilingual``, ``source``, ``creation_date``, ``modification_date``;
  ``Lorebook`` entries add a required ``use_regex`` boolean and allow ``id`` to be a string).

Each check returns a list of ``"path: problem"`` strings; an empty list means the card conforms.
Where the V3 prose and its TypeScript disagree (``secondary_keys``: "multiple values separated by
a comma" vs ``Array<string>``), the TypeScript type is followed, as the V2 spec has it.
"""

from __future__ import annotations

import re
from typing import Any

V2_STRING_FIELDS = (
    "name",
    "description",
    "personality",
    "scenario",
    "first_mes",
    "mes_example",
    "creator_notes",
    "system_prompt",
    "post_history_instructions",
    "creator",
    "character_version",
)
V2_STRING_ARRAYS = ("alternate_greetings", "tags")
V3_STRING_ARRAYS = (*V2_STRING_ARRAYS, "group_only_greetings")
POSITIONS = ("before_char", "after_char")
_EXT = re.compile(r"^(?:[a-z0-9]+|unknown)$")
_URI = re.compile(r"^(?:https?://\S+|data:[^,]*,.*|embeded://\S+|ccdefault:|[a-zA-Z][a-zA-Z0-9+.-]*:\S*)$", re.S)
_LANG = re.compile(r"^[a-z]{2}$")


class CardSpecError(ValueError):
    """A card that breaks its spec; ``errors`` lists every problem found."""

    def __init__(self, errors: list[str]) -> None:
        super().__init__("; ".join(errors))
        self.errors = errors


def _is_number(value: Any) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool)


def _type_name(value: Any) -> str:
    if value is None:
        return "null"
    return {bool: "boolean", int: "number", float: "number", str: "string", list: "array", dict: "object"}.get(
        type(value), type(value).__name__
    )


class _Checker:
    def __init__(self) -> None:
        self.errors: list[str] = []

    def fail(self, path: str, problem: str) -> None:
        self.errors.append(f"{path}: {problem}")

    def required(self, obj: dict[str, Any], key: str, path: str) -> bool:
        if key not in obj:
            self.fail(f"{path}.{key}", "required field is missing")
            return False
        return True

    def string(self, obj: dict[str, Any], key: str, path: str, required: bool = True) -> None:
        if key not in obj:
            if required:
                self.fail(f"{path}.{key}", "required field is missing")
            return
        if not isinstance(obj[key], str):
            self.fail(f"{path}.{key}", f"must be a string, not {_type_name(obj[key])}")

    def string_array(self, obj: dict[str, Any], key: str, path: str, required: bool = True) -> None:
        if key not in obj:
            if required:
                self.fail(f"{path}.{key}", "required field is missing")
            return
        value = obj[key]
        if not isinstance(value, list):
            self.fail(f"{path}.{key}", f"must be an array of strings, not {_type_name(value)}")
            return
        for i, item in enumerate(value):
            if not isinstance(item, str):
                self.fail(f"{path}.{key}[{i}]", f"must be a string, not {_type_name(item)}")

    def obj(self, obj: dict[str, Any], key: str, path: str, required: bool = True) -> None:
        if key not in obj:
            if required:
                self.fail(f"{path}.{key}", "required field is missing")
            return
        if not isinstance(obj[key], dict):
            self.fail(f"{path}.{key}", f"must be an object, not {_type_name(obj[key])}")

    def number(self, obj: dict[str, Any], key: str, path: str, required: bool = False) -> None:
        if key not in obj:
            if required:
                self.fail(f"{path}.{key}", "required field is missing")
            return
        if not _is_number(obj[key]):
            self.fail(f"{path}.{key}", f"must be a number, not {_type_name(obj[key])}")

    def boolean(self, obj: dict[str, Any], key: str, path: str, required: bool = False) -> None:
        if key not in obj:
            if required:
                self.fail(f"{path}.{key}", "required field is missing")
            return
        if not isinstance(obj[key], bool):
            self.fail(f"{path}.{key}", f"must be a boolean, not {_type_name(obj[key])}")

    def constant(self, obj: dict[str, Any], key: str, path: str, expected: str) -> None:
        if self.required(obj, key, path) and obj[key] != expected:
            self.fail(f"{path}.{key}", f"must be {expected!r}, not {obj[key]!r}")

    def lorebook(self, book: Any, path: str, v3: bool) -> None:
        if not isinstance(book, dict):
            self.fail(path, f"must be an object, not {_type_name(book)}")
            return
        self.string(book, "name", path, required=False)
        self.string(book, "description", path, required=False)
        self.number(book, "scan_depth", path)
        self.number(book, "token_budget", path)
        self.boolean(book, "recursive_scanning", path)
        self.obj(book, "extensions", path)
        if not self.required(book, "entries", path):
            return
        entries = book["entries"]
        if not isinstance(entries, list):
            self.fail(f"{path}.entries", f"must be an array, not {_type_name(entries)}")
            return
        for i, entry in enumerate(entries):
            self.entry(entry, f"{path}.entries[{i}]", v3)

    def entry(self, entry: Any, path: str, v3: bool) -> None:
        if not isinstance(entry, dict):
            self.fail(path, f"must be an object, not {_type_name(entry)}")
            return
        self.string_array(entry, "keys", path)
        self.string(entry, "content", path)
        self.obj(entry, "extensions", path)
        self.boolean(entry, "enabled", path, required=True)
        self.number(entry, "insertion_order", path, required=True)
        self.boolean(entry, "case_sensitive", path)
        if v3:
            self.boolean(entry, "use_regex", path, required=True)
        self.boolean(entry, "constant", path)
        self.string(entry, "name", path, required=False)
        self.number(entry, "priority", path)
        if "id" in entry:
            ok = _is_number(entry["id"]) or (v3 and isinstance(entry["id"], str))
            if not ok:
                self.fail(
                    f"{path}.id", f"must be a number{' or a string' if v3 else ''}, not {_type_name(entry['id'])}"
                )
        self.string(entry, "comment", path, required=False)
        self.boolean(entry, "selective", path)
        self.string_array(entry, "secondary_keys", path, required=False)
        if "position" in entry and entry["position"] not in POSITIONS:
            self.fail(f"{path}.position", f"must be one of {', '.join(POSITIONS)}, not {entry['position']!r}")

    def data_common(self, data: dict[str, Any], v3: bool) -> None:
        for key in V2_STRING_FIELDS:
            self.string(data, key, "data")
        for key in V3_STRING_ARRAYS if v3 else V2_STRING_ARRAYS:
            self.string_array(data, key, "data")
        self.obj(data, "extensions", "data")
        if "character_book" in data:
            self.lorebook(data["character_book"], "data.character_book", v3)


def validate_v2(card: Any) -> list[str]:
    """Problems with ``card`` as a Character Card V2 (``TavernCardV2``); empty if none."""
    check = _Checker()
    if not isinstance(card, dict):
        return [f"card: must be an object, not {_type_name(card)}"]
    check.constant(card, "spec", "card", "chara_card_v2")
    check.constant(card, "spec_version", "card", "2.0")
    if check.required(card, "data", "card"):
        if isinstance(card["data"], dict):
            check.data_common(card["data"], v3=False)
        else:
            check.fail("card.data", f"must be an object, not {_type_name(card['data'])}")
    return check.errors


def validate_v3(card: Any) -> list[str]:
    """Problems with ``card`` as a Character Card V3 (``CharacterCardV3``); empty if none."""
    check = _Checker()
    if not isinstance(card, dict):
        return [f"card: must be an object, not {_type_name(card)}"]
    check.constant(card, "spec", "card", "chara_card_v3")
    check.constant(card, "spec_version", "card", "3.0")
    if not check.required(card, "data", "card"):
        return check.errors
    data = card["data"]
    if not isinstance(data, dict):
        check.fail("card.data", f"must be an object, not {_type_name(data)}")
        return check.errors
    check.data_common(data, v3=True)
    check.string(data, "nickname", "data", required=False)
    check.string_array(data, "source", "data", required=False)
    for key in ("creation_date", "modification_date"):
        check.number(data, key, "data")
        if _is_number(data.get(key)) and data[key] < 0:
            check.fail(f"data.{key}", "must be a Unix timestamp in seconds (0 or more)")
    if "creator_notes_multilingual" in data:
        notes = data["creator_notes_multilingual"]
        if not isinstance(notes, dict):
            check.fail("data.creator_notes_multilingual", f"must be an object, not {_type_name(notes)}")
        else:
            for lang, text in notes.items():
                if not _LANG.match(lang):
                    check.fail(
                        f"data.creator_notes_multilingual.{lang}", "key must be an ISO 639-1 code without region"
                    )
                if not isinstance(text, str):
                    check.fail(f"data.creator_notes_multilingual.{lang}", f"must be a string, not {_type_name(text)}")
    if "assets" in data:
        _check_assets(check, data["assets"])
    return check.errors


def _check_assets(check: _Checker, assets: Any) -> None:
    if not isinstance(assets, list):
        check.fail("data.assets", f"must be an array, not {_type_name(assets)}")
        return
    icons = main_icons = main_backgrounds = 0
    for i, asset in enumerate(assets):
        path = f"data.assets[{i}]"
        if not isinstance(asset, dict):
            check.fail(path, f"must be an object, not {_type_name(asset)}")
            continue
        for key in ("type", "uri", "name", "ext"):
            check.string(asset, key, path)
        if isinstance(asset.get("uri"), str) and not _URI.match(asset["uri"]):
            check.fail(f"{path}.uri", "must be an http(s) URL, a data URL, embeded://path or ccdefault:")
        ext = asset.get("ext")
        if isinstance(ext, str) and not _EXT.match(ext):
            check.fail(f"{path}.ext", "must be a lowercase file extension without '.' (or 'unknown')")
        if asset.get("type") == "icon":
            icons += 1
            main_icons += asset.get("name") == "main"
        if asset.get("type") == "background" and asset.get("name") == "main":
            main_backgrounds += 1
    if icons > 1 and main_icons != 1:
        check.fail("data.assets", f"with {icons} icons, exactly one must be named 'main' ({main_icons} are)")
    if main_backgrounds > 1:
        check.fail("data.assets", "at most one background may be named 'main'")


def validate(card: Any) -> list[str]:
    """Problems with a V2 or V3 card, chosen by its ``spec`` field."""
    spec = card.get("spec") if isinstance(card, dict) else None
    if spec == "chara_card_v3":
        return validate_v3(card)
    if spec == "chara_card_v2":
        return validate_v2(card)
    return [f"card.spec: must be 'chara_card_v2' or 'chara_card_v3', not {spec!r}"]


def check(card: Any) -> None:
    """Raise CardSpecError listing every problem, if there is one."""
    errors = validate(card)
    if errors:
        raise CardSpecError(errors)
