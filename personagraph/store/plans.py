"""``EXPLAIN`` and ``PROFILE``: which statements ask for a plan, and the plan as text a person reads.

Both stores give a plan: embedded ArcadeDB returns it as a result row (EXPLAIN) or on the result
set (PROFILE); a Bolt server returns it in the result summary, where ArcadeDB and Neo4j 5 both put
the whole drawing under the root operator's ``string-representation`` argument. A plan without
one (another server) is drawn here from its operator tree.
"""

from __future__ import annotations

from typing import Any

from personagraph.store.cypher_lexer import WORD, fold, tokens

PLAN_WORDS = ("explain", "profile")


def plan_kind(cypher: str) -> str | None:
    """``explain`` or ``profile`` when the statement starts with that keyword, else None."""
    first = next(iter(tokens(cypher)), None)
    if first is None or first.kind != WORD:
        return None
    word = fold(first.text)
    return word if word in PLAN_WORDS else None


def bolt_plan_text(plan: Any) -> str:
    """A summary's ``plan`` or ``profile`` (a dict tree from the driver) as text."""
    if not plan:
        return "(the server returned no plan)"
    drawn = (plan.get("args") or {}).get("string-representation")
    if drawn:
        return str(drawn).rstrip()
    return "\n".join(_tree_lines(plan, 0))


def _tree_lines(node: dict[str, Any], depth: int) -> list[str]:
    args = node.get("args") or {}
    facts = [f"{key}={args[key]}" for key in ("Details", "EstimatedRows") if key in args]
    facts += [f"{key}={node[key]}" for key in ("rows", "dbHits", "time") if node.get(key)]
    line = "  " * depth + f"+ {node.get('operatorType', '?')}" + (f" ({', '.join(facts)})" if facts else "")
    lines = [line]
    for child in node.get("children") or []:
        lines += _tree_lines(child, depth + 1)
    return lines


def plan_rows(text: str) -> list[dict[str, str]]:
    """A plan as rows of one ``plan`` column, one line each, so every output format prints it."""
    return [{"plan": line} for line in text.splitlines()]
