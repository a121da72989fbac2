"""One Persona-to-Persona question, asked again once when no answer's relation type was usable.

A model that answers only with types outside the vocabulary would otherwise leave its persona
expanded with no edge (8 of 30 personas in one run against an OpenAI-compatible server); a
follow-up turn naming the rejected types and the allowed ones gets most of them an edge.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from pydantic import BaseModel

from personagraph.expand.plan import plan_expansion, rejection_follow_up
from personagraph.expand.report import ExpandReport
from personagraph.llm import LLMClient, LLMResult
from personagraph.vocabulary import Vocabulary


async def ask_related(
    client: LLMClient,
    messages: list[dict[str, str]],
    schema: type[BaseModel],
    vocabulary: Vocabulary,
    source: Mapping[str, Any],
    report: ExpandReport,
    *,
    limit: int | None = None,
    temperature: float = 0.7,
    tag: str | None = None,
) -> LLMResult:
    """The reply to ``messages``; if every answer in it had a rejected relation type, the reply to
    one follow-up turn instead (the first reply's rejections counted in ``report``)."""
    result = await client.generate(messages, schema=schema, temperature=temperature, tag=tag)
    if result.parsed is None:
        return result
    plan = plan_expansion(source, result.parsed, vocabulary, {}, limit)
    follow_up = rejection_follow_up(plan, result.text, vocabulary)
    if follow_up is None:
        return result
    report.retried += 1
    report.rejected.update(plan.rejected)
    return await client.generate(
        [*messages, *follow_up], schema=schema, temperature=temperature, tag=f"{tag} (types rejected, asked again)"
    )
