"""Judge agreement: with itself (the same items judged twice) and with the deterministic checks
that exist for some samples (a tool definition's validity, a math answer verified by solvers).

Pure functions over judgements (``{criterion: score, ..., "quality": q}`` per item id).
Logic samples have no check here: the solver that proves the few-shot examples unique lives in
the tests and reads hand-written encodings, not the LLM's prose.
"""

from __future__ import annotations

import json
import re
from typing import Any

from personagraph.judge.rubric import PASS_SCORE
from personagraph.synth.tasks import IDENTIFIER

JSON_TYPES = frozenset({"string", "number", "integer", "boolean", "array", "object"})
# Which criterion of a task's rubric a deterministic check answers, and the check's name.
CHECKED = {"tool": ("valid_definition", "tool_valid"), "math": ("answer_correct", "math_verified")}


def tool_problems(data: dict[str, Any]) -> list[str]:
    """What makes a stored tool unusable as an OpenAI function ([] when it is valid)."""
    problems = []
    if not re.fullmatch(IDENTIFIER, str(data.get("name", ""))):
        problems.append(f"function name {data.get('name')!r} is not an identifier")
    params = data.get("parameters")
    if not isinstance(params, dict) or params.get("type") != "object":
        return [*problems, "parameters is not a JSON Schema object"]
    props = params.get("properties") or {}
    for name, spec in props.items() if isinstance(props, dict) else []:
        if not re.fullmatch(IDENTIFIER, name):
            problems.append(f"parameter name {name!r} is not an identifier")
        if not isinstance(spec, dict) or spec.get("type") not in JSON_TYPES:
            problems.append(f"parameter {name!r} has no JSON type")
        elif spec["type"] == "array" and not isinstance(spec.get("items"), dict):
            problems.append(f"array parameter {name!r} does not say its items")
    missing = [r for r in params.get("required") or [] if r not in props]
    if missing:
        problems.append(f"required names unknown parameters: {', '.join(map(str, missing))}")
    return problems


def deterministic_check(row: dict[str, Any]) -> tuple[str, bool] | None:
    """(check name, passed) for a sample a check exists for, else None."""
    task = row.get("task")
    if task == "math":
        return None if row.get("verified") is None else ("math_verified", bool(row["verified"]))
    if task == "tool":
        try:
            data = json.loads(row.get("data") or "{}")
        except json.JSONDecodeError:
            return "tool_valid", False
        return "tool_valid", isinstance(data, dict) and not tool_problems(data)
    return None


def agreement_with_checks(rows: list[dict[str, Any]], judged: dict[str, dict[str, int]]) -> dict[str, Any]:
    """Per check: items, how often the judge's criterion (pass at PASS_SCORE) says the same, the rate."""
    out: dict[str, dict[str, Any]] = {}
    for row in rows:
        scores = judged.get(str(row["id"]))
        found = deterministic_check(row)
        if scores is None or found is None:
            continue
        name, passed = found
        criterion = CHECKED[str(row["task"])][0]
        if criterion not in scores:
            continue
        entry = out.setdefault(name, {"criterion": criterion, "items": 0, "agree": 0, "check_failed": 0})
        entry["items"] += 1
        entry["agree"] += int((scores[criterion] >= PASS_SCORE) == passed)
        entry["check_failed"] += int(not passed)
    for entry in out.values():
        entry["rate"] = round(entry["agree"] / entry["items"], 4)
    return out


def agreement_with_itself(first: dict[str, dict[str, int]], second: dict[str, dict[str, int]]) -> dict[str, Any]:
    """How two passes over the same items agree: overall quality equal / within one point, every
    criterion score equal, pass/fail equal, and the mean absolute difference of quality."""
    both = sorted(set(first) & set(second))
    if not both:
        return {"items": 0}
    exact = near = crit_same = crit_total = pass_same = 0
    diff = 0.0
    for item in both:
        a, b = first[item], second[item]
        exact += int(a["quality"] == b["quality"])
        near += int(abs(a["quality"] - b["quality"]) <= 1)
        diff += abs(a["quality"] - b["quality"])
        for name in set(a) & set(b) - {"quality"}:
            crit_total += 1
            crit_same += int(a[name] == b[name])
            pass_same += int((a[name] >= PASS_SCORE) == (b[name] >= PASS_SCORE))
    return {
        "items": len(both),
        "quality_exact": round(exact / len(both), 4),
        "quality_within_1": round(near / len(both), 4),
        "quality_mean_abs_diff": round(diff / len(both), 4),
        "criteria_exact": round(crit_same / crit_total, 4) if crit_total else None,
        "criteria_pass_fail": round(pass_same / crit_total, 4) if crit_total else None,
    }
