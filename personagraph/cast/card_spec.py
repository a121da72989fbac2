"""Character Card V2 and V3 as strict pydantic models, written from the spec texts.

Sources (read for this module):
- V2: github.com/malfoyslastname/character-card-spec-v2, ``spec_v2.md`` (the ``TavernCardV2`` and
  ``CharacterBook`` TypeScript types; "all V1 fields ... MUST default to the empty string, not null
  or absent"; ``spec`` MUST be ``"chara_card_v2"``, ``spec_version`` MUST be ``"2.0"``;
  ``extensions`` is mandatory on the card, on the book and on every entry).
- V3: github.com/kwaroran/character-card-spec-v3, ``SPEC_V3.md`` (``CharacterCardV3``: the V2 fields
  plus ``group_only_greetings`` (MUST be present, array of strings), optional ``assets``,
  ``nickname``, ``creator_notes_multilingual``, ``source``, ``creation_date``, ``modification_date``;
  ``Lorebook`` entries add a required ``use_regex`` boolean and allow ``id`` to be a string).

The models are strict (no coercion: ``"1"`` is not a number, ``null`` is not a string) and allow
fields the spec does not name, as readers must. ``validate_v2``/``validate_v3`` return a list of
``"path: problem"`` strings (pydantic's errors, reworded); an empty list means the card conforms.
Where the V3 prose and its TypeScript disagree (``secondary_keys``: "multiple values separated by
a comma" vs ``Array<string>``), the TypeScript type is followed, as the V2 spec has it.
"""

from __future__ import annotations

import re
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

POSITIONS = ("before_char", "after_char")
_EXT = re.compile(r"^(?:[a-z0-9]+|unknown)$")
_URI = re.compile(r"^(?:https?://\S+|data:[^,]*,.*|embeded://\S+|ccdefault:|[a-zA-Z][a-zA-Z0-9+.-]*:\S*)$", re.S)
_LANG = re.compile(r"^[a-z]{2}$")
# Fields typed Array<string> in the specs: their type error says "array of strings".
_STRING_ARRAYS = frozenset({"alternate_greetings", "tags", "group_only_greetings", "keys", "secondary_keys", "source"})
# An optional field: absent is fine, but present it must have its type (``null`` included), as in
# the spec's TypeScript (``field?: T``). Pydantic does not validate defaults, so absent stays None.
OPTIONAL: Any = Field(default=None)


class CardSpecError(ValueError):
    """A card that breaks its spec; ``errors`` lists every problem found."""

    def __init__(self, errors: list[str]) -> None:
        super().__init__("; ".join(errors))
        self.errors = errors


def _type_name(value: Any) -> str:
    if value is None:
        return "null"
    return {bool: "boolean", int: "number", float: "number", str: "string", list: "array", dict: "object"}.get(
        type(value), type(value).__name__
    )


def _is_number(value: Any) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool)


class _Strict(BaseModel):
    model_config = ConfigDict(strict=True, extra="allow")


class EntryV2(_Strict):
    """``character_book.entries[i]`` of a V2 card."""

    keys: list[str]
    content: str
    extensions: dict[str, Any]
    enabled: bool
    insertion_order: float
    case_sensitive: bool = OPTIONAL
    constant: bool = OPTIONAL
    name: str = OPTIONAL
    priority: float = OPTIONAL
    id: Any = OPTIONAL
    comment: str = OPTIONAL
    selective: bool = OPTIONAL
    secondary_keys: list[str] = OPTIONAL
    position: Literal["before_char", "after_char"] = OPTIONAL

    @field_validator("id", mode="before")
    @classmethod
    def _number_id(cls, value: Any) -> Any:
        if not _is_number(value):
            raise ValueError(f"must be a number, not {_type_name(value)}")
        return value


class EntryV3(EntryV2):
    """A V3 lorebook entry: ``use_regex`` is required and ``id`` may be a string."""

    use_regex: bool

    @field_validator("id", mode="before")
    @classmethod
    def _number_id(cls, value: Any) -> Any:
        if not (_is_number(value) or isinstance(value, str)):
            raise ValueError(f"must be a number or a string, not {_type_name(value)}")
        return value


class BookV2(_Strict):
    name: str = OPTIONAL
    description: str = OPTIONAL
    scan_depth: float = OPTIONAL
    token_budget: float = OPTIONAL
    recursive_scanning: bool = OPTIONAL
    extensions: dict[str, Any]
    entries: list[EntryV2]


class BookV3(BookV2):
    entries: list[EntryV3]  # type: ignore[assignment]


class DataV2(_Strict):
    """``data`` of a V2 card: every V1 field is a required string (empty, never null)."""

    name: str
    description: str
    personality: str
    scenario: str
    first_mes: str
    mes_example: str
    creator_notes: str
    system_prompt: str
    post_history_instructions: str
    alternate_greetings: list[str]
    character_book: BookV2 = OPTIONAL
    tags: list[str]
    creator: str
    character_version: str
    extensions: dict[str, Any]


class Asset(_Strict):
    type: str
    uri: str
    name: str
    ext: str

    @field_validator("uri")
    @classmethod
    def _uri(cls, value: str) -> str:
        if not _URI.match(value):
            raise ValueError("must be an http(s) URL, a data URL, embeded://path or ccdefault:")
        return value

    @field_validator("ext")
    @classmethod
    def _ext(cls, value: str) -> str:
        if not _EXT.match(value):
            raise ValueError("must be a lowercase file extension without '.' (or 'unknown')")
        return value


class DataV3(DataV2):
    """``data`` of a V3 card: the V2 fields plus ``group_only_greetings`` and optional V3 fields."""

    character_book: BookV3 = OPTIONAL  # type: ignore[assignment]
    group_only_greetings: list[str]
    nickname: str = OPTIONAL
    source: list[str] = OPTIONAL
    creation_date: float = OPTIONAL
    modification_date: float = OPTIONAL
    creator_notes_multilingual: dict[str, str] = OPTIONAL
    assets: list[Asset] = OPTIONAL

    @field_validator("creation_date", "modification_date")
    @classmethod
    def _timestamp(cls, value: float) -> float:
        if value < 0:
            raise ValueError("must be a Unix timestamp in seconds (0 or more)")
        return value

    @field_validator("creator_notes_multilingual")
    @classmethod
    def _languages(cls, value: dict[str, str]) -> dict[str, str]:
        bad = [lang for lang in value if not _LANG.match(lang)]
        if bad:
            raise ValueError(f"key {bad[0]!r} must be an ISO 639-1 code without region")
        return value

    @field_validator("assets")
    @classmethod
    def _main_assets(cls, value: list[Asset]) -> list[Asset]:
        icons = [a for a in value if a.type == "icon"]
        main_icons = sum(a.name == "main" for a in icons)
        if len(icons) > 1 and main_icons != 1:
            raise ValueError(f"with {len(icons)} icons, exactly one must be named 'main' ({main_icons} are)")
        if sum(a.type == "background" and a.name == "main" for a in value) > 1:
            raise ValueError("at most one background may be named 'main'")
        return value


class CardV2(_Strict):
    """A Character Card V2 (``TavernCardV2``)."""

    spec: Literal["chara_card_v2"]
    spec_version: Literal["2.0"]
    data: DataV2


class CardV3(_Strict):
    """A Character Card V3 (``CharacterCardV3``)."""

    spec: Literal["chara_card_v3"]
    spec_version: Literal["3.0"]
    data: DataV3


def _path(loc: tuple[int | str, ...]) -> str:
    """``("data", "character_book", "entries", 0, "id")`` -> ``data.character_book.entries[0].id``."""
    path = "data" if loc[:1] == ("data",) and len(loc) > 1 else "card"
    for part in loc[1:] if path == "data" else loc:
        path += f"[{part}]" if isinstance(part, int) else f".{part}"
    return path


def _problem(error: Any) -> str:
    kind, value, field = (
        error["type"],
        error.get("input"),
        next((p for p in reversed(error["loc"]) if isinstance(p, str)), ""),
    )
    if kind == "missing":
        return "required field is missing"
    if kind == "value_error":
        return str(error["msg"]).removeprefix("Value error, ")
    if kind == "literal_error":
        expected = str(error["ctx"]["expected"])
        return f"must be {'one of ' if ' or ' in expected else ''}{expected}, not {value!r}"
    if kind == "list_type":
        what = "an array of strings" if field in _STRING_ARRAYS else "an array"
        return f"must be {what}, not {_type_name(value)}"
    names = {"string_type": "a string", "float_type": "a number", "bool_type": "a boolean"}
    if kind in names:
        return f"must be {names[kind]}, not {_type_name(value)}"
    if kind in ("dict_type", "model_type"):
        return f"must be an object, not {_type_name(value)}"
    return str(error["msg"])


def _errors(model: type[BaseModel], card: Any) -> list[str]:
    if not isinstance(card, dict):
        return [f"card: must be an object, not {_type_name(card)}"]
    try:
        model.model_validate(card)
    except ValidationError as error:
        return [f"{_path(e['loc'])}: {_problem(e)}" for e in error.errors()]
    return []


def validate_v2(card: Any) -> list[str]:
    """Problems with ``card`` as a Character Card V2 (``TavernCardV2``); empty if none."""
    return _errors(CardV2, card)


def validate_v3(card: Any) -> list[str]:
    """Problems with ``card`` as a Character Card V3 (``CharacterCardV3``); empty if none."""
    return _errors(CardV3, card)


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
