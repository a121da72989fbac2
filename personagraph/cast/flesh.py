"""Flesh out a cast as NPCs with a language model, consistent with their typed relations.

Two steps, each prompt a file in ``personagraph/prompts/``:
1. ``npc_names``: one request for the whole cast gives every member a name and a role, in order, so
   that every later request can refer to the others by name.
2. ``npc_cast``: one request per member (run concurrently) gives appearance, personality,
   motivation, secret, speech style, greeting, dialogue lines, and how the member sees each related
   member, with the stance its relation type implies (``npc.RELATION_HINTS``).

Replies are validated against the pydantic models below. What does not come back valid is made
from the persona text instead (``npc`` module), and the NPC's notes say so: a failed reply never
loses a cast member.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from pydantic import BaseModel, Field, create_model, field_validator

from personagraph.cast.model import NPC, Cast, NPCView
from personagraph.cast.names import assign_names
from personagraph.cast.npc import (
    derived_role,
    member_relations,
    relation_hint,
    relation_phrase,
    template_view,
)

if TYPE_CHECKING:
    from personagraph.llm import LLMClient
    from personagraph.llm.lifecycle import DryRunReport

Echo = Callable[[str], None]
DEFAULT_SETTING = "a contemporary small town where everyone knows everyone"
TEMPERATURE = 0.8


def _clean(value: str) -> str:
    return " ".join(value.split())


class NamedCharacter(BaseModel):
    name: str = Field(min_length=2, max_length=60)
    role: str = Field(min_length=2, max_length=80)

    @field_validator("name", "role")
    @classmethod
    def _tidy(cls, value: str) -> str:
        return _clean(value)


class CastNames(BaseModel):
    characters: list[NamedCharacter]


def names_model(count: int) -> type[CastNames]:
    """``CastNames`` with exactly ``count`` characters (the schema tells the model so)."""
    return create_model(  # type: ignore[no-any-return]
        f"CastNames{count}",
        __base__=CastNames,
        characters=(list[NamedCharacter], Field(min_length=count, max_length=count)),
    )


class RelationView(BaseModel):
    name: str = Field(min_length=1)
    view: str = Field(min_length=1)


class NPCSheet(BaseModel):
    appearance: str = Field(min_length=1)
    personality: str = Field(min_length=1)
    motivation: str = Field(min_length=1)
    secret: str = Field(min_length=1)
    speech_style: str = Field(min_length=1)
    greeting: str = Field(min_length=1)
    dialogue: list[str] = Field(min_length=1, max_length=8)
    views: list[RelationView]


def sheet_model(relations: int) -> type[NPCSheet]:
    """``NPCSheet`` with exactly one view per relation."""
    return create_model(  # type: ignore[no-any-return]
        f"NPCSheet{relations}",
        __base__=NPCSheet,
        views=(list[RelationView], Field(min_length=relations, max_length=relations)),
    )


def _cast_list(cast: Cast, names: dict[str, str] | None = None, roles: dict[str, str] | None = None) -> str:
    lines = []
    for i, member in enumerate(cast.members, start=1):
        who = f"{names[member.id]}, {roles[member.id]}: " if names and roles else ""
        lines.append(f"{i}. {who}{_clean(member.text)}")
    return "\n".join(lines)


def unique_names(proposed: list[NamedCharacter] | None, cast: Cast) -> tuple[dict[str, str], dict[str, str], list[str]]:
    """Names and roles by persona id from the model's list (in cast order); a repeated name or given
    name, or a missing entry, gets a derived name instead (lorebook entries are keyed by names)."""
    names: dict[str, str] = {}
    roles: dict[str, str] = {}
    problems: list[str] = []
    taken: set[str] = set()
    unnamed: list[str] = []
    for i, member in enumerate(cast.members):
        entry = proposed[i] if proposed and i < len(proposed) else None
        if entry and entry.name not in taken and entry.name.split()[0] not in taken:
            names[member.id], roles[member.id] = entry.name, entry.role
            taken.update((entry.name, entry.name.split()[0]))
            continue
        if entry:
            problems.append(f"the model gave {entry.name!r} twice; {member.id} gets a derived name")
        unnamed.append(member.id)
        roles[member.id] = entry.role if entry else derived_role(member.text)
    if unnamed:
        derived = assign_names(
            [(m.id, m.text) for m in cast.members if m.id in unnamed],
            [(r.src, r.type, r.dst) for r in cast.relations],
            taken={n for n in taken if " " in n},
        )
        names.update(derived)
    names = {m.id: names[m.id] for m in cast.members}
    return names, roles, problems


def sheet_request(
    cast: Cast, member_id: str, names: dict[str, str], roles: dict[str, str], setting: str
) -> dict[str, Any]:
    """The messages and schema of the ``npc_cast`` request for one member."""
    from personagraph import prompts

    member = cast.member(member_id)
    me = names[member_id]
    relations = member_relations(cast, member_id)
    lines = [
        f"{i}. {rel.type}: {relation_phrase(rel.type, direction, me, names[other])} "
        f"({roles[other]}); {me} {relation_hint(rel.type, direction)}"
        for i, (rel, other, direction) in enumerate(relations, start=1)
    ]
    prompt = prompts.load("npc_cast")
    messages = prompt.render(
        name=me,
        role=roles[member_id],
        persona=_clean(member.text),
        setting=setting,
        cast=_cast_list(cast, names, roles),
        relations="\n".join(lines) or "(none)",
        relation_count=str(len(relations)),
    )
    return {"messages": messages, "schema": sheet_model(len(relations)), "prompt": prompt.ref}


async def flesh_out(
    cast: Cast,
    client: LLMClient,
    *,
    setting: str = DEFAULT_SETTING,
    echo: Echo | None = None,
    temperature: float = TEMPERATURE,
) -> list[NPC]:
    """One NPC per cast member, in cast order; members whose reply failed are made from their text."""
    from personagraph import prompts
    from personagraph.llm import LLMRequest

    names_prompt = prompts.load("npc_names")
    named = await client.generate(
        names_prompt.render(count=str(len(cast.members)), setting=setting, cast=_cast_list(cast)),
        schema=names_model(len(cast.members)),
        temperature=temperature,
        tag="npc_names",
    )
    names, roles, problems = unique_names(named.parsed.characters if named.parsed else None, cast)
    if named.error:
        problems.append(
            f"names: the model's reply failed ({named.error}); names and roles are derived from the persona texts"
        )
    requests = [sheet_request(cast, m.id, names, roles, setting) for m in cast.members]
    results = await client.generate_many(
        [
            LLMRequest(messages=r["messages"], schema=r["schema"], temperature=temperature, tag="npc_cast")
            for r in requests
        ]
    )
    npcs = []
    for member, request, result in zip(cast.members, requests, results, strict=True):
        me = names[member.id]
        relations = member_relations(cast, member.id)
        sheet: NPCSheet | None = result.parsed
        note = f"Fleshed out by {client.model} ({names_prompt.ref}, {request['prompt']}) from the persona text and its typed relations."
        if sheet is None:
            note = f"The model's reply failed ({result.error}); made from the persona text and relations instead."
            problems.append(f"{me}: {result.error}")
        views = [
            NPCView(
                persona_id=other,
                name=names[other],
                type=rel.type,
                direction=direction,
                view=_clean(sheet.views[i].view) if sheet else template_view(rel.type, direction, me, names[other]),
                evidence=rel.evidence,
            )
            for i, (rel, other, direction) in enumerate(relations)
        ]
        npcs.append(
            NPC(
                persona_id=member.id,
                persona_text=member.text,
                name=me,
                role=roles[member.id],
                appearance=_clean(sheet.appearance) if sheet else "",
                personality=_clean(sheet.personality) if sheet else "",
                motivation=_clean(sheet.motivation) if sheet else "",
                secret=_clean(sheet.secret) if sheet else "",
                speech_style=_clean(sheet.speech_style) if sheet else "",
                greeting=sheet.greeting.strip() if sheet else "",
                dialogue=[_clean(line) for line in sheet.dialogue if line.strip()] if sheet else [],
                views=views,
                cluster=member.cluster,
                community=member.community,
                source="llm" if sheet else "persona-text",
                model=client.model if sheet else None,
                notes=note,
            )
        )
    if echo:
        for problem in problems:
            echo(problem)
    return npcs


def flesh_out_sync(
    cast: Cast,
    client: LLMClient,
    *,
    setting: str = DEFAULT_SETTING,
    echo: Echo | None = None,
    temperature: float = TEMPERATURE,
) -> list[NPC]:
    """``flesh_out`` run to completion; the client is closed when it ends (``llm.lifecycle``)."""
    from personagraph.llm.lifecycle import run_stage

    return run_stage(client, lambda llm: flesh_out(cast, llm, setting=setting, echo=echo, temperature=temperature))


def flesh_dry_run(cast: Cast, *, setting: str = DEFAULT_SETTING, show: int = 2) -> DryRunReport:
    """The requests a flesh-out would send (member sheets shown with derived names, since the real
    names come from the first reply); no calls."""
    from personagraph import prompts
    from personagraph.llm.lifecycle import dry_run_report

    names, roles, _ = unique_names(None, cast)
    first = prompts.load("npc_names").render(count=str(len(cast.members)), setting=setting, cast=_cast_list(cast))
    sheets = [sheet_request(cast, m.id, names, roles, setting)["messages"] for m in cast.members]
    note = "the names request comes first; member sheets use its names (derived names shown here)"
    # About 60 tokens per name and role; a sheet is about 400 (eight fields, dialogue, views).
    report = dry_run_report("export cast --llm", [first, *sheets], 0, show=show, notes=[note])
    report.completion_tokens = 60 * len(cast.members) + 400 * len(sheets)
    return report
