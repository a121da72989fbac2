"""The synthesis tasks: prompt file, output model, options, and (for multi-persona tasks) the
relation type that joins the personas of one sample.

The six single-persona tasks follow the Persona Hub paper (math problems, logical reasoning
problems, user instructions, knowledge-rich texts, game NPCs, tools); the three multi-persona
tasks are grounded in the graph's relations.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator

from personagraph.errors import ConfigError

MODES = ("zero-shot", "few-shot", "persona-few-shot")


class _Out(BaseModel):
    model_config = ConfigDict(extra="ignore")


class MathSample(_Out):
    problem: str = Field(min_length=1, description="A math problem this persona would write or meet, self-contained")
    solution: str = Field(min_length=1, description="The worked solution, step by step")
    answer: str = Field(description="The final answer, short")


class LogicSample(_Out):
    problem: str = Field(min_length=1, description="A logical reasoning problem set in this persona's world")
    answer: str = Field(description="The answer with a one-line justification")


class InstructionSample(_Out):
    instruction: str = Field(min_length=1, description="A request this persona would type to an AI assistant")


class KnowledgeSample(_Out):
    title: str = Field(min_length=1)
    text: str = Field(min_length=1, description="A knowledge-rich passage this persona would write, 1-3 paragraphs")


class NpcSample(_Out):
    name: str = Field(min_length=1)
    description: str = Field(min_length=1, description="Who the character is, in the game world")
    motivation: str = Field(description="What the character wants")
    greeting: str = Field(description="The first line the character says to the player")


ParamType = Literal["string", "number", "integer", "boolean", "array", "object"]
ItemType = Literal["string", "number", "integer", "boolean", "object"]

# What OpenAI accepts as a function or parameter name (it refuses "Tomas 219"); snake_case is asked for.
IDENTIFIER = r"^[a-zA-Z0-9_-]{1,64}$"


class ToolParameter(_Out):
    name: str = Field(pattern=IDENTIFIER, description="snake_case parameter name")
    type: ParamType = "string"
    items: ItemType = Field(default="string", description="for an array: the type of its elements")
    description: str = ""
    required: bool = True

    def json_schema(self) -> dict[str, Any]:
        """This parameter as a JSON Schema property (an array names its items: OpenAI requires it)."""
        out: dict[str, Any] = {"type": self.type, "description": self.description}
        if self.type == "array":
            out["items"] = {"type": self.items}
        return out


class ToolSample(_Out):
    name: str = Field(pattern=IDENTIFIER, description="snake_case function name")
    description: str = Field(min_length=1, description="What the tool does, for whom")
    parameters: list[ToolParameter] = Field(default_factory=list)
    returns: str = Field(default="", description="What the tool returns")

    @field_validator("parameters")
    @classmethod
    def _unique_names(cls, parameters: list[ToolParameter]) -> list[ToolParameter]:
        names = [p.name for p in parameters]
        if len(set(names)) != len(names):
            raise ValueError("parameter names must be unique")
        return parameters

    def function(self) -> dict[str, Any]:
        """The tool as an OpenAI-style function definition (JSON-schema parameters)."""
        props = {p.name: p.json_schema() for p in self.parameters}
        required = [p.name for p in self.parameters if p.required]
        return {
            "name": self.name,
            "description": self.description,
            "parameters": {"type": "object", "properties": props, "required": required},
        }

    def stored(self) -> dict[str, Any]:
        """What a sample keeps: the function definition, and what it returns (which OpenAI's
        function format has no field for; drop ``returns`` to pass the rest as a tool)."""
        return {**self.function(), "returns": self.returns}

    def descriptions(self) -> str:
        """The prose of the tool, for diversity: its description and its parameters' (the JSON
        around them is the same boilerplate in every sample)."""
        return _join(self.description, *(p.description for p in self.parameters))


class Turn(_Out):
    speaker: Literal["A", "B"]
    text: str = Field(min_length=1)


class DialogueSample(_Out):
    setting: str = Field(min_length=1, description="Where and why the two meet")
    turns: list[Turn] = Field(min_length=2)


class HandoffSample(_Out):
    task: str = Field(min_length=1, description="The piece of work A hands to B")
    context: str = Field(description="What B needs to know")
    handoff_note: str = Field(min_length=1, description="The note A writes to B")


def _join(*parts: str) -> str:
    return "\n".join(p for p in parts if p)


@dataclass(frozen=True)
class Task:
    """One kind of sample."""

    name: str
    title: str
    schema: type[BaseModel]
    text: Callable[[Any], str]  # the sample's main text (export, diversity)
    data: Callable[[Any], dict[str, Any]] = lambda s: s.model_dump(mode="json")  # what the sample stores
    relation: str | None = None  # multi-persona: the relation joining persona A to persona B
    options: dict[str, tuple[str, ...]] = field(default_factory=dict)
    defaults: dict[str, str] = field(default_factory=dict)

    @property
    def prompt(self) -> str:
        return f"synth_{self.name}"

    @property
    def personas(self) -> int:
        return 2 if self.relation else 1

    def resolve_options(self, given: dict[str, str | None]) -> dict[str, str]:
        """Defaults filled in; unknown options or values refused."""
        out = dict(self.defaults)
        for key, value in given.items():
            if value is None:
                continue
            if key not in self.options:
                raise ConfigError(
                    f"task {self.name} has no option {key!r}", hint=f"options: {', '.join(self.options) or 'none'}"
                )
            allowed = self.options[key]
            if allowed and value not in allowed:
                raise ConfigError(f"task {self.name}: {key} must be one of {', '.join(allowed)}")
            out[key] = value
        return out


def _dialogue_text(s: DialogueSample) -> str:
    return _join(s.setting, *(f"{t.speaker}: {t.text}" for t in s.turns))


TASKS: dict[str, Task] = {
    t.name: t
    for t in (
        Task(
            "math",
            "math problem",
            MathSample,
            lambda s: s.problem,
            options={"difficulty": ("easy", "medium", "hard", "olympiad"), "domain": ()},
            defaults={"difficulty": "medium", "domain": "any area of mathematics"},
        ),
        Task(
            "logic",
            "logical reasoning problem",
            LogicSample,
            lambda s: s.problem,
            options={"difficulty": ("easy", "medium", "hard")},
            defaults={"difficulty": "medium"},
        ),
        Task("instruction", "user instruction", InstructionSample, lambda s: s.instruction),
        Task("knowledge", "knowledge-rich text", KnowledgeSample, lambda s: _join(s.title, s.text)),
        Task(
            "npc",
            "game NPC",
            NpcSample,
            lambda s: _join(s.name, s.description, s.motivation, s.greeting),
            options={"setting": ()},
            defaults={"setting": "a fantasy role-playing game"},
        ),
        Task("tool", "tool (function) definition", ToolSample, ToolSample.descriptions, data=ToolSample.stored),
        Task("rivals", "dialogue between two rivals", DialogueSample, _dialogue_text, relation="RIVAL"),
        Task(
            "consultation",
            "consultation between a patient and their carer",
            DialogueSample,
            _dialogue_text,
            relation="PATIENT_OF",
        ),
        Task(
            "handoff",
            "task two colleagues hand each other",
            HandoffSample,
            lambda s: _join(s.task, s.context, s.handoff_note),
            relation="COLLEAGUE",
        ),
    )
}


def get_task(name: str) -> Task:
    if name not in TASKS:
        raise ConfigError(f"unknown task {name!r}", hint=f"choose one of {', '.join(TASKS)}")
    return TASKS[name]


def check_mode(mode: str) -> str:
    if mode not in MODES:
        raise ConfigError(f"unknown mode {mode!r}", hint=f"choose one of {', '.join(MODES)}")
    return mode
