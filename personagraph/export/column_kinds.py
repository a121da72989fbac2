"""What kinds of value each column of an export holds, seen while the rows stream past.

Parquet and GraphML declare a type per column before the first row; the graph's properties are
only known after the last. So rows are written to JSONL first, their kinds counted here, and the
typed file is made from the JSONL afterwards (``graph_files``, ``graphml``): memory is one page.
A column whose values are all one kind gets that type; a column mixing kinds (or holding maps)
is written as JSON text and named in the file's metadata, so a reader gets the values back as
they were.
"""

from __future__ import annotations

import json
from typing import Any


def value_kind(value: Any) -> str:
    """``bool``, ``int``, ``float``, ``str``, ``list[<kinds>]`` or ``json``."""
    kind = type(value)
    if kind is bool:
        return "bool"
    if kind is int:
        return "int" if -(2**63) <= value < 2**63 else "json"
    if kind is float:
        return "float"
    if kind is str:
        return "str"
    if kind is list or kind is tuple:
        inner = {value_kind(item) for item in value}
        if len(inner) > 1 or inner & {"json"} or any(k.startswith("list") for k in inner):
            return "json"
        return f"list[{next(iter(inner), '')}]"
    return "json"


class ColumnKinds:
    """Column name -> the kinds of value seen in it (nulls are not counted)."""

    def __init__(self) -> None:
        self.kinds: dict[str, set[str]] = {}

    def add(self, row: dict[str, Any]) -> None:
        for key, value in row.items():
            if value is not None:
                self.kinds.setdefault(key, set()).add(value_kind(value))

    def merge(self, other: ColumnKinds) -> None:
        for key, kinds in other.kinds.items():
            self.kinds.setdefault(key, set()).update(kinds)

    def resolved(self, key: str) -> str:
        """One kind for the column: its values' kind, ``list[]`` of the one element kind, or ``json``."""
        kinds = self.kinds.get(key, set())
        if len(kinds) == 1:
            return next(iter(kinds))
        lists = {k for k in kinds if k.startswith("list[")}
        if lists == kinds:  # lists, some empty ("list[]"), the rest of one element kind
            inner = {k for k in lists if k != "list[]"}
            if len(inner) <= 1:
                return next(iter(inner), "list[]")
        return "json" if kinds else "str"

    def json_columns(self) -> list[str]:
        return sorted(key for key in self.kinds if self.resolved(key) == "json")


def to_json_text(value: Any) -> str | None:
    return None if value is None else json.dumps(value, ensure_ascii=False, sort_keys=True)


def from_json_text(text: str | None) -> Any:
    return None if text is None else json.loads(text)
