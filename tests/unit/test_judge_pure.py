"""The pure parts of judging and math verification: answer comparison, rubrics, agreement, the
tool check, and the sample --where parser."""

from __future__ import annotations

import pytest

from personagraph.errors import ConfigError
from personagraph.export.samples import parse_sample_where
from personagraph.judge.checks import agreement_with_checks, agreement_with_itself, deterministic_check, tool_problems
from personagraph.judge.rubric import messages_for, rubric_for
from personagraph.synth.math_check import answers_agree, verdict
from personagraph.synth.tasks import TASKS


@pytest.mark.parametrize(
    ("a", "b"),
    [
        ("506", "506 jars"),
        ("$506.00", "506"),
        ("3/4", "0.75"),
        ("5.03", "5.027"),
        ("x+1", "x + 1"),
        ("Paris", "paris."),
    ],
)
def test_answers_that_agree(a: str, b: str) -> None:
    assert answers_agree(a, b) and answers_agree(b, a)


@pytest.mark.parametrize(
    ("a", "b"), [("12", "13"), ("x+1", "y+1"), ("2, 3", "2"), ("unsolvable", "unsolvable"), ("", "4"), ("506", "507")]
)
def test_answers_that_do_not(a: str, b: str) -> None:
    assert not answers_agree(a, b)


def test_verdict_names_each_disagreeing_solution() -> None:
    assert verdict("42", ["42", "42.0"])[0]
    ok, reason = verdict("42", ["41", None])
    assert not ok and "solution 1 answers '41'" in reason and "solution 2 gave no valid reply" in reason


def test_every_task_has_a_rubric_and_persona_rubric_is_the_four_criteria() -> None:
    assert rubric_for("personas").names == ["specific", "plausible", "self_consistent", "safe"]
    for task in TASKS:
        rubric = rubric_for("samples", task)
        assert {"persona_fit", "safe"} <= set(rubric.names) and len(rubric.names) >= 4, task
        schema = rubric.schema.model_json_schema()
        assert set(schema["required"]) == {*rubric.names, "quality", "reason"}
    assert "answer_correct" in rubric_for("samples", "math").names
    with pytest.raises(ConfigError):
        rubric_for("samples", "poetry")


def test_math_judge_sees_the_author_answer_not_the_solvers() -> None:
    row = {
        "task": "math",
        "data": '{"problem": "1+1?", "answer": "2", "solutions": [{"answer": "SOLVER-ONLY"}]}',
        "persona_texts": ["A baker"],
    }
    messages, _, ref = messages_for("samples", row)
    text = messages[-1]["content"]
    assert "1+1?" in text and "A baker" in text and "SOLVER-ONLY" not in text and ref.startswith("judge_sample@")


def test_tool_check() -> None:
    good = {
        "name": "log_hive",
        "description": "d",
        "parameters": {"type": "object", "properties": {"hive_id": {"type": "string"}}, "required": ["hive_id"]},
    }
    assert tool_problems(good) == []
    bad = {**good, "name": "Tomas 219", "parameters": {**good["parameters"], "required": ["nope"]}}
    assert len(tool_problems(bad)) == 2
    assert deterministic_check({"task": "tool", "data": "{not json"}) == ("tool_valid", False)
    assert deterministic_check({"task": "math", "verified": None}) is None
    assert deterministic_check({"task": "logic"}) is None


def test_agreement() -> None:
    first = {"a": {"x": 5, "quality": 5}, "b": {"x": 2, "quality": 2}}
    second = {"a": {"x": 4, "quality": 4}, "b": {"x": 3, "quality": 2}}
    same = agreement_with_itself(first, second)
    assert same["items"] == 2 and same["quality_exact"] == 0.5 and same["quality_within_1"] == 1.0
    assert same["criteria_exact"] == 0.0 and same["criteria_pass_fail"] == 1.0
    rows = [{"id": "a", "task": "math", "verified": True}, {"id": "b", "task": "math", "verified": True}]
    checks = agreement_with_checks(rows, {"a": {"answer_correct": 5}, "b": {"answer_correct": 3}})
    assert checks["math_verified"] == {
        "criterion": "answer_correct",
        "items": 2,
        "agree": 1,
        "check_failed": 0,
        "rate": 0.5,
    }


def test_sample_where() -> None:
    assert parse_sample_where("quality >= 4 and verified = true") == [
        {"field": "quality", "op": ">=", "value": 4},
        {"field": "verified", "op": "=", "value": True},
    ]
    assert parse_sample_where(None) == []
    for bad in ("hop <= 2", "quality >= four", "verified > true", "quality"):
        with pytest.raises(ConfigError) as caught:
            parse_sample_where(bad)
        assert caught.value.params == ("where",)
