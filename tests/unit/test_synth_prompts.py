"""The synthesis prompts' few-shot examples and the tool task's schema, on plain data.

Each logic example's constraints are encoded here and every assignment is tried: a puzzle shown to
the model as good must have exactly one solution, and its stated answer must be that solution.
"""

from __future__ import annotations

import itertools
from collections.abc import Callable
from typing import Any

import jsonschema
import pytest
from pydantic import ValidationError

from personagraph import prompts
from personagraph.expand.t2p import InferredPersona
from personagraph.synth.tasks import TASKS, ToolSample

Assignment = dict[str, Any]


def ferries(a: Assignment) -> bool:
    return a["Brim"] != 7 and a["Cole"] > a["Brim"] and a["Ada"] != 8


def vault(a: Assignment) -> bool:
    # "Every manuscript in the vault is vellum or paper"; "all vellum manuscripts are older than 1400";
    # the Book of Hours is in the vault and not older than 1400.
    in_vault, older, material = a["in_vault"], a["older"], a["material"]
    return (
        (not in_vault or material in ("vellum", "paper")) and (material != "vellum" or older) and in_vault and not older
    )


def boards(a: Assignment) -> bool:
    return a["Mia"] < a["Tom"] and a["Lea"] == 3 and a["Sam"] != 1 and a["Tom"] != 4


def permutations(names: tuple[str, ...], values: tuple[Any, ...]) -> list[Assignment]:
    return [dict(zip(names, p, strict=True)) for p in itertools.permutations(values)]


def product(**domains: tuple[Any, ...]) -> list[Assignment]:
    return [dict(zip(domains, v, strict=True)) for v in itertools.product(*domains.values())]


# persona of the example → (every assignment, constraints, what the answer must start with)
LOGIC: dict[str, tuple[list[Assignment], Callable[[Assignment], bool], Callable[[Assignment], str]]] = {
    "A ferry captain who runs three crossings a day between small islands": (
        permutations(("Ada", "Brim", "Cole"), (7, 8, 9)),
        ferries,
        lambda a: next(k for k, v in a.items() if v == 9),
    ),
    "A librarian who catalogues rare manuscripts": (
        product(in_vault=(True, False), older=(True, False), material=("vellum", "paper", "parchment", "palm leaf")),
        vault,
        lambda a: a["material"].capitalize(),
    ),
    "A chess coach preparing students for a school tournament": (
        permutations(("Mia", "Tom", "Lea", "Sam"), (1, 2, 3, 4)),
        boards,
        lambda a: next(k for k, v in a.items() if v == 4),
    ),
}


def test_every_logic_example_has_exactly_one_solution_and_states_it() -> None:
    examples = prompts.load("synth_logic").examples
    assert {e["vars"]["persona"] for e in examples} == set(LOGIC)
    for example in examples:
        assignments, constraints, answer_of = LOGIC[example["vars"]["persona"]]
        solutions = [a for a in assignments if constraints(a)]
        assert len(solutions) == 1, (example["vars"]["persona"], solutions)
        assert example["reply"]["answer"].startswith(answer_of(solutions[0])), example["reply"]["answer"]


def test_the_solver_sees_a_puzzle_with_two_solutions() -> None:
    # The ferry puzzle as first written ("Cole leaves later than Ada"): Brim at 9 and Cole at 8 also fits.
    def before(a: Assignment) -> bool:
        return a["Brim"] != 7 and a["Cole"] > a["Ada"] and a["Ada"] != 8

    assert sum(before(a) for a in permutations(("Ada", "Brim", "Cole"), (7, 8, 9))) == 2


@pytest.mark.parametrize("task", ["math", "logic", "tool", "npc", "knowledge", "instruction"])
def test_few_shot_examples_fit_their_task_schema(task: str) -> None:
    for example in prompts.load(f"synth_{task}").examples:
        TASKS[task].schema.model_validate(example["reply"])


def test_math_asks_for_a_worked_solution_and_the_final_answer() -> None:
    messages = prompts.load("synth_math").render(persona="A beekeeper", difficulty="easy", domain="any", few_shot="")
    text = "\n".join(m["content"] for m in messages)
    assert "worked solution" in text and '"solution"' in text
    assert TASKS["math"].schema.model_json_schema()["required"] == ["problem", "solution", "answer"]


def _tool(**changes: Any) -> dict[str, Any]:
    tool = {
        "name": "log_hive_inspection",
        "description": "Records one hive inspection.",
        "parameters": [
            {"name": "hive_id", "type": "string", "description": "Hive label"},
            {"name": "frames", "type": "array", "items": "integer", "description": "Frame numbers with brood"},
            {"name": "notes", "type": "object", "description": "Free notes", "required": False},
        ],
        "returns": "the stored record and any warnings",
    }
    return {**tool, **changes}


def test_a_tool_keeps_returns_and_emits_valid_json_schema_parameters() -> None:
    tool = ToolSample.model_validate(_tool())
    stored = TASKS["tool"].data(tool)
    assert stored["returns"] == "the stored record and any warnings"
    assert {k: v for k, v in stored.items() if k != "returns"} == tool.function()
    parameters = tool.function()["parameters"]
    validator = jsonschema.Draft202012Validator
    validator.check_schema(parameters)  # a valid JSON Schema (Draft 2020-12 meta-schema)
    assert parameters["properties"]["frames"]["items"] == {"type": "integer"}  # OpenAI refuses arrays without items
    assert parameters["required"] == ["hive_id", "frames"]
    instance = {"hive_id": "H3", "frames": [2, 3]}
    validator(parameters).validate(instance)
    with pytest.raises(jsonschema.ValidationError):
        validator(parameters).validate({"frames": ["two"]})
    for example in prompts.load("synth_tool").examples:
        validator.check_schema(ToolSample.model_validate(example["reply"]).function()["parameters"])


@pytest.mark.parametrize(
    "changes",
    [
        {"name": "Tomas 219"},
        {"name": "x" * 65},
        {"name": ""},
        {"name": "log.hive"},
        {"parameters": [{"name": "hive id", "type": "string"}]},
        {"parameters": [{"name": "hive_id"}, {"name": "hive_id"}]},
    ],
)
def test_names_openai_refuses_make_the_reply_invalid(changes: dict[str, Any]) -> None:
    with pytest.raises(ValidationError):
        ToolSample.model_validate(_tool(**changes))


def test_names_openai_accepts() -> None:
    for name in ("get_marine_forecast", "getForecast2", "log-hive", "x" * 64):
        assert ToolSample.model_validate(_tool(name=name)).name == name
    # The pattern is in the schema sent to the server, too.
    assert ToolSample.model_json_schema()["properties"]["name"]["pattern"] == "^[a-zA-Z0-9_-]{1,64}$"


def test_the_tool_text_for_diversity_is_its_prose() -> None:
    tool = ToolSample.model_validate(_tool())
    text = TASKS["tool"].text(tool)
    assert text == "Records one hive inspection.\nHive label\nFrame numbers with brood\nFree notes"
    assert "{" not in text and "properties" not in text


def test_every_t2p_stance_in_the_schema_is_explained_in_the_prompt() -> None:
    stances = InferredPersona.model_json_schema()["properties"]["stance"]["enum"]
    text = prompts.load("t2p").render(text="x", granularity="", count=3)[1]["content"]
    for stance in stances:
        assert f'"{stance}"' in text, stance
