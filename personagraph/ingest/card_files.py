"""Character Card files among the files ``import_file`` is given: telling them apart, and importing one.

A card is a ``.png`` (its ``chara`` / ``ccv3`` chunk), a ``.charx`` (Character Card V3's zip) or a ``.json`` document whose ``spec`` is
``chara_card_v2`` or ``chara_card_v3``. A ``.json`` file is otherwise read as JSON lines, so the
check looks at the first line, and at the whole document only when that line is not a JSON
object by itself (a pretty-printed card starts with a lone ``{``): a JSON-lines file of any size
costs one line.
"""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

from personagraph.store.graph import GraphStore

CARD_SPECS = ("chara_card_v2", "chara_card_v3")


def _card_spec(document: Any) -> str | None:
    spec = document.get("spec") if isinstance(document, dict) else None
    return spec if spec in CARD_SPECS else None


def card_spec_of(path: Path) -> str | None:
    """``chara_card_v2`` / ``chara_card_v3`` if ``path`` is a card file, ``"png"`` for any PNG, else None."""
    suffix = path.suffix.lower()
    if suffix == ".png":
        return "png"
    if suffix == ".charx":
        return "charx"
    if suffix != ".json":
        return None
    import orjson

    with path.open("rb") as handle:
        first = handle.readline()
        try:
            return _card_spec(orjson.loads(first))
        except orjson.JSONDecodeError:
            pass
        if not first.lstrip(b"\xef\xbb\xbf \t\r\n").startswith(b"{"):
            return None
        try:
            return _card_spec(orjson.loads(first + handle.read()))
        except orjson.JSONDecodeError:
            return None


def import_card_file(store: GraphStore, path: Path) -> dict[str, Any]:
    """One card's persona and its relations to personas already in the graph; figures as ``ImportReport`` names them."""
    from personagraph.cast.cards import import_cards

    started = time.perf_counter()
    counts = import_cards(store, [path])
    return {
        "kind": "cards",
        "records": counts["cards"],
        "personas_new": counts["personas_new"],
        "relations": counts["relations"],
        "seconds": time.perf_counter() - started,
    }
