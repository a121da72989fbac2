"""Turn one input record into the row the store writes, with the checks of the pydantic models.

Import is the hot path (a million lines a minute), so records are not built as pydantic models
one by one: these functions apply the same rules as ``models.Persona`` / ``models.SourceText``
(text required, a string, surrounding whitespace stripped, not blank; the id is the content hash
of the text) in plain Python. ``tests/unit/test_records.py`` checks that they agree with the models
on ordinary and awkward inputs. Each function raises ``ValueError`` with the reason a line is bad.

Pure code: no store, no I/O.
"""

from __future__ import annotations

import json
import math
import re
from collections.abc import Callable
from typing import Any

from personagraph.attribute_schema import attributes_from_columns
from personagraph.errors import VocabularyError
from personagraph.ids import persona_id, text_id
from personagraph.models import blank
from personagraph.vocabulary import Reading, Vocabulary

Row = dict[str, Any]
RelationRow = tuple[str, str, str, dict[str, Any]]  # (src id, dst id, type, edge properties)

PERSONA_ID = re.compile(r"^p_[0-9a-f]{16}$")
_IDS = PERSONA_ID.match
_CHECKED_KEYS: dict[str, str] = {}  # property names property_key has accepted
RELATION_KEYS = frozenset({"src", "dst", "type"})
_INT64 = (-(2**63), 2**63 - 1)
IMPORT_RUN = "import"
ORIGINS = ("text", "persona", "import")  # models.Origin
_MODEL_WHITESPACE = (
    "\t\n\x0b\x0c\r \x85\xa0\u1680" + "".join(map(chr, range(0x2000, 0x200B))) + "\u2028\u2029\u202f\u205f\u3000"
)


def detect_kind(record: dict[str, Any]) -> str:
    """``personas``, ``texts`` or ``relations``, from the keys of one record."""
    if "src" in record and "dst" in record and "type" in record:
        return "relations"
    if "persona" in record or "input persona" in record:
        return "personas"
    if "text" in record and isinstance(record.get("id"), str) and PERSONA_ID.match(record["id"]):
        return "personas"  # as `personagraph export graph` writes them
    if "text" in record:
        return "texts"
    raise ValueError(f"cannot tell what this record is (keys: {', '.join(sorted(record)) or 'none'})")


def clean_text(value: Any, field: str) -> str:
    """The text as the models store it: a string, stripped, not blank."""
    if not isinstance(value, str):
        if value is None:
            raise ValueError(f"missing {field}")
        raise ValueError(f"{field}: expected a string, got {type(value).__name__}")
    if _plain(value):  # most lines: nothing to strip, and a first character a reader sees
        return value
    # The models strip surrounding whitespace (pydantic's str_strip_whitespace, Unicode
    # White_Space, which unlike str.strip() keeps \x1c-\x1f).
    stripped = value.strip(_MODEL_WHITESPACE)
    if not stripped.strip():  # the model's "not blank" check
        raise ValueError(f"{field}: text is empty")
    if blank(stripped):
        raise ValueError(f"{field}: text is blank (invisible characters only, such as a zero-width space)")
    return stripped


def _plain(text: str) -> bool:
    """Whether ``clean_text`` returns ``text`` unchanged: not empty, no white space at either end,
    and a first character a reader sees (printable is neither a control nor a format character)."""
    return bool(text) and not text[0].isspace() and not text[-1].isspace() and text[0].isprintable()


def labels_value(value: Any) -> list[str] | None:
    """FinePersonas ``labels``: a list, a JSON list in a string, or comma-separated text."""
    if value is None or value == "":
        return None
    if isinstance(value, str):
        try:
            value = json.loads(value)
        except (json.JSONDecodeError, RecursionError):
            return [part.strip() for part in value.split(",") if part.strip()] or None
    if isinstance(value, (list, tuple)):
        return [str(v) for v in value] or None
    return [str(value)]


def _count(record: dict[str, Any], field: str) -> int | None:
    value = record.get(field)
    if value is None or value == "":
        return None
    try:
        number = int(value)  # CSV gives "3"
    except (TypeError, ValueError, OverflowError):
        raise ValueError(f"{field}: expected a whole number, got {value!r}") from None
    if (isinstance(value, float) and value != number) or isinstance(value, bool):
        raise ValueError(f"{field}: expected a whole number, got {value!r}")
    if not _INT64[0] <= number <= _INT64[1]:  # the stores keep 64-bit integers; checked before any write
        raise ValueError(f"{field}: {_short(value)} is outside the 64-bit integer range")
    return number


def _short(value: Any) -> str:
    text = str(value)
    return text if len(text) <= 24 else f"{text[:12]}…{text[-6:]} ({len(text)} digits)"


def persona_row(record: dict[str, Any]) -> Row:
    """A persona node row (``id`` plus the properties ``Persona.props()`` gives).

    ``origin``, ``hop``, ``cluster`` and ``uses`` are kept when the record has them (a file
    written by ``personagraph export``), with the model's rules; otherwise an imported persona
    is ``origin="import"``, hop 0. A FinePersonas ``id`` is kept as ``source_id``. Attribute
    columns (``attribute_schema.COLUMN_ALIASES``) become the typed attribute properties, with
    ``attrs_source="import"``.
    """
    text = record.get("persona")
    if len(record) == 1 and type(text) is str and _plain(text):
        # A Persona Hub line, {"persona": text}, that clean_text would return as it is: the row
        # without the checks below (an import spends most of its reading time here).
        return {"id": persona_id(text), "text": text, "origin": "import", "hop": 0, "uses": 0}
    if "persona" in record:
        text = clean_text(record["persona"], "persona")
    elif "input persona" in record:
        text = clean_text(record["input persona"], "input persona")
    else:
        text = clean_text(record.get("text"), "persona text (field 'persona', 'input persona' or 'text')")
    origin = record.get("origin") or "import"
    if origin not in ORIGINS:
        raise ValueError(f"origin: expected one of {', '.join(ORIGINS)}, got {origin!r}")
    hop = _count(record, "hop") or 0
    if hop < 0:
        raise ValueError(f"hop: must be 0 or more, got {hop}")
    row: Row = {
        "id": persona_id(text),
        "text": text,
        "origin": origin,
        "hop": hop,
        "uses": max(_count(record, "uses") or 0, 0),
    }
    cluster = _count(record, "cluster")
    if cluster is not None:
        row["cluster"] = cluster
    labels = labels_value(record.get("labels"))
    if labels:
        row["labels"] = labels
    source = record.get("id")
    if source is not None and source != "" and not (isinstance(source, str) and PERSONA_ID.match(source)):
        row["source_id"] = str(source)
    attributes = attributes_from_columns(record)
    if attributes:  # Nemotron-Personas / FinePersonas / our own columns, on the one schema
        row.update(attributes)
        row["attrs_source"] = "import"
    return row


def text_row(record: dict[str, Any]) -> Row:
    """A source text node row (``id``, ``text``, ``source``)."""
    text = clean_text(record.get("text"), "text")
    source = record.get("source", record.get("url"))
    return {"id": text_id(text), "text": text, "source": str(source) if source is not None else None}


def endpoint(value: Any, field: str) -> tuple[str, Row | None]:
    """A relation end: a persona id as it is, or a persona text (hashed; its row to create)."""
    if not isinstance(value, str) or not value.strip():
        raise ValueError(f"{field}: relation endpoint must be a persona id or text")
    if PERSONA_ID.match(value):
        return value, None
    text = clean_text(value, field)
    if PERSONA_ID.match(text):
        return text, None
    return persona_id(text), {"id": persona_id(text), "text": text, "origin": "import", "hop": 0, "uses": 0}


def _checked_key(key: Any) -> str:
    """``property_key(key)``, remembered: a file names a few properties, on every line."""
    checked = _CHECKED_KEYS.get(key)
    if checked is None:
        checked = property_key(key)
        if len(_CHECKED_KEYS) < 1024:
            _CHECKED_KEYS[checked] = checked
    return checked


def property_key(key: Any) -> str:
    """A relation property name both stores take as it is, or ValueError: not empty, no ``@`` first
    (ArcadeDB's record attributes: ``@rid``, ``@type``), no backtick or control character."""
    if not isinstance(key, str) or not key.strip():
        raise ValueError(f"property name {key!r}: must be a non-empty string")
    if key.startswith("@") or "`" in key or not key.isprintable() or key != key.strip():
        raise ValueError(
            f"property name {key!r}: not allowed (no '@' first, backticks, control characters or edge spaces)"
        )
    return key


def _exact(value: Any) -> bool:
    """A property value every store keeps as it is: a string, a bool, a 64-bit int, a finite float."""
    kind = type(value)
    if kind is str or kind is bool:
        return True
    if kind is int:
        return _INT64[0] <= value <= _INT64[1]
    return kind is float and math.isfinite(value)


def relation_row(
    record: dict[str, Any],
    vocabulary: Vocabulary,
    read: Callable[[str], Reading | None] | None = None,
    self_loops: bool = False,
) -> tuple[RelationRow, list[Row]]:
    """The edge row and the persona rows its text endpoints need (ids need none).

    Other keys of the record become edge properties when they are plain values (strings,
    bools, 64-bit ints, finite floats); ``run`` defaults to ``"import"``. ``read`` is
    ``vocabulary.read``, or a cached copy of it for a long file; an inverse name (``CARES_FOR``)
    is stored as its canonical type with ``src`` and ``dst`` swapped. A relation from a persona to
    itself is refused unless ``self_loops``.
    """
    raw_type = record.get("type")
    if not isinstance(raw_type, str) or not raw_type.strip():
        raise ValueError("type: relation type is missing")
    reading = (read or vocabulary.read)(raw_type)
    if reading is None:
        raise VocabularyError(f"unknown relation type {raw_type!r}", hint=f"known: {', '.join(vocabulary.types)}")
    rel_type = reading.type
    src, dst = record.get("src"), record.get("dst")
    if type(src) is str and type(dst) is str and _IDS(src) and _IDS(dst):  # two persona ids: no rows to make
        src_row = dst_row = None
    else:
        src, src_row = endpoint(src, "src")
        dst, dst_row = endpoint(dst, "dst")
    if src == dst and not self_loops:
        raise ValueError("src and dst are the same persona (a self-loop)")
    if reading.reversed:
        src, dst = dst, src
    props = {}
    if len(record) > 3:
        for key, value in record.items():
            if key in RELATION_KEYS:
                continue
            kind = type(value)
            if kind is str and key in _CHECKED_KEYS:  # the usual property: a name seen before, a string
                props[key] = value
                continue
            if kind is int and not _INT64[0] <= value <= _INT64[1]:
                raise ValueError(f"{property_key(key)}: {_short(value)} is outside the 64-bit integer range")
            if _exact(value):
                props[_checked_key(key)] = value
    if "run" not in props:
        props["run"] = IMPORT_RUN
    if src_row is None and dst_row is None:
        return (src, dst, rel_type, props), []
    return (src, dst, rel_type, props), [r for r in (src_row, dst_row) if r is not None]
