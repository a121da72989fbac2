"""Structured output: the JSON schema sent to the endpoint, and tolerant parsing of replies.

Pure functions on strings and pydantic models; nothing here talks to the network.
"""

from __future__ import annotations

import json
import re
from functools import cache
from typing import Any

from pydantic import BaseModel, ValidationError

_FENCE = re.compile(r"```[A-Za-z0-9_-]*[ \t]*\n?(.*?)```", re.S)
_MAX_STARTS = 64  # a reply with more candidate openings than this is not worth scanning further


# Schemas are computed once per model class: pydantic's generator costs milliseconds per call,
# which at hundreds of calls a second is most of the client's CPU time.
@cache
def response_schema(schema: type[BaseModel]) -> dict[str, Any]:
    """The pydantic model's JSON schema (``$defs`` kept: OpenAI and vLLM both accept them). Do not mutate."""
    return schema.model_json_schema()


@cache
def _schema_key(schema: type[BaseModel]) -> str:
    return json.dumps(response_schema(schema), sort_keys=True, separators=(",", ":"))


def schema_key(schema: type[BaseModel] | None) -> str | None:
    """A stable text of the schema, for cache keys (a changed model invalidates old replies)."""
    return None if schema is None else _schema_key(schema)


@cache
def schema_instruction(schema: type[BaseModel]) -> str:
    """The system message added when the endpoint cannot enforce a schema itself (JSON mode, plain)."""
    text = json.dumps(response_schema(schema), ensure_ascii=False, separators=(",", ":"))
    return (
        "Answer with a single JSON object and nothing else (no prose, no code fences). "
        f"It must validate against this JSON schema:\n{text}"
    )


def extract_json(text: str) -> Any:
    """The JSON value in a reply: the whole text, a fenced block, or the first object or array in it."""
    stripped = text.strip()
    if not stripped:
        raise ValueError("the reply is empty")
    try:
        return json.loads(stripped)
    except json.JSONDecodeError:
        pass
    for match in _FENCE.finditer(stripped):
        try:
            return json.loads(match.group(1).strip())
        except json.JSONDecodeError:
            continue
    decoder = json.JSONDecoder()
    starts = [i for i, ch in enumerate(stripped) if ch in "{["][:_MAX_STARTS]
    for start in starts:
        try:
            value, _ = decoder.raw_decode(stripped, start)
            return value
        except json.JSONDecodeError:
            continue
    raise ValueError("no JSON object found in the reply")


def _single_list_field(schema: type[BaseModel]) -> str | None:
    lists = [
        name for name, field in schema.model_fields.items() if getattr(field.annotation, "__origin__", None) is list
    ]
    return lists[0] if len(lists) == 1 and len(schema.model_fields) == 1 else None


def parse_reply(text: str, schema: type[BaseModel]) -> BaseModel:
    """Validate a reply against ``schema``; raises ValueError with a short reason when it does not fit.

    Tolerates code fences, text around the JSON, and a bare list where the model has one list field.
    """
    value = extract_json(text)
    if isinstance(value, list):
        field = _single_list_field(schema)
        if field is None:
            raise ValueError("the reply is a JSON list, an object was expected")
        value = {field: value}
    try:
        return schema.model_validate(value)
    except ValidationError as exc:
        raise ValueError(validation_summary(exc)) from exc


def validation_summary(exc: ValidationError, limit: int = 3) -> str:
    """``field.path: message`` for the first few errors, on one line."""
    parts = []
    for error in exc.errors()[:limit]:
        where = ".".join(str(p) for p in error.get("loc", ())) or "reply"
        parts.append(f"{where}: {error.get('msg', 'invalid')}")
    more = exc.error_count() - limit
    return "; ".join(parts) + (f" (and {more} more)" if more > 0 else "")
