"""One lifecycle for the LLM stages (Text-to-Persona, expansion, synthesis, NPC flesh-out).

Every stage gets the same things from here, so they cannot drift apart:

- ``LLMRunOptions``: what ``--model --concurrency --temperature --timeout --max-retries --no-cache
  --dry-run`` ask for, and ``client_for`` to build the client from them (the CLI does; library code
  takes a client and never builds one);
- ``DryRunReport``: the prompts a run would send, how many requests, and the estimated prompt and
  completion tokens (no calls, no writes);
- ``run_stage``: runs a stage's coroutine inside ``async with client``, so the HTTP session and the
  response cache are closed in a ``finally``, also when the run fails or is interrupted;
- ``end_report`` / ``end_line``: calls, cache hits, retries, invalid replies, failures (and where they
  are logged), tokens and cost, worded the same for every stage.

This module knows nothing of the store: stages hand it callables.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, Iterable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, TypeVar

from personagraph.llm.tokens import messages_tokens

if TYPE_CHECKING:
    from personagraph.config import Settings
    from personagraph.llm.client import LLMClient

T = TypeVar("T")
Messages = list[dict[str, str]]


@dataclass
class LLMRunOptions:
    """The options every LLM command shares (``cli.options.llm_options``)."""

    model: str | None = None
    concurrency: int = 16
    temperature: float = 0.7
    timeout: float = 60.0
    max_retries: int = 5
    no_cache: bool = False
    dry_run: bool = False


def client_for(settings: Settings, options: LLMRunOptions) -> LLMClient:
    """A client for the endpoint in ``settings`` with ``options``; LLMUnavailableError if none is set."""
    from personagraph.llm.client import LLMClient

    return LLMClient.from_settings(
        settings.with_overrides(model=options.model),
        concurrency=options.concurrency,
        timeout=options.timeout,
        max_retries=options.max_retries,
        cache=not options.no_cache,
    )


@dataclass
class DryRunReport:
    """What a run would send: no calls made, nothing written."""

    stage: str
    requests: int
    prompts: list[Messages]
    prompt_tokens: int
    completion_tokens: int
    notes: list[str] = field(default_factory=list)

    def as_dict(self) -> dict[str, Any]:
        return {
            "stage": self.stage,
            "dry_run": True,
            "requests": self.requests,
            "prompt_tokens": self.prompt_tokens,
            "completion_tokens": self.completion_tokens,
            "prompts": self.prompts,
            "notes": self.notes,
        }

    def lines(self) -> list[str]:
        out: list[str] = []
        for number, messages in enumerate(self.prompts, 1):
            out.append(f"--- prompt {number} of {self.requests:,} ---")
            out.extend(f"[{m['role']}]\n{m['content']}\n" for m in messages)
        out.extend(self.notes)
        out.append(
            f"dry run ({self.stage}): {self.requests:,} requests, about {self.prompt_tokens:,} prompt tokens and "
            f"{self.completion_tokens:,} completion tokens; no calls made, nothing written"
        )
        return out


def dry_run_report(
    stage: str,
    messages: Iterable[Messages],
    completion_tokens_each: int,
    show: int = 2,
    notes: list[str] | None = None,
) -> DryRunReport:
    """A dry-run report from every request's messages (the first ``show`` are printed in full)."""
    shown: list[Messages] = []
    requests = prompt_tokens = 0
    for item in messages:
        if len(shown) < show:
            shown.append(item)
        requests += 1
        prompt_tokens += messages_tokens(item)
    return DryRunReport(stage, requests, shown, prompt_tokens, completion_tokens_each * requests, notes or [])


async def within(client: LLMClient, work: Callable[[LLMClient], Awaitable[T]]) -> T:
    """``await work(client)`` inside ``async with client`` (closed on success, error or cancel)."""
    async with client:
        return await work(client)


def run_stage(client: LLMClient, work: Callable[[LLMClient], Awaitable[T]]) -> T:
    """Run a stage's coroutine to completion on a new event loop; the client is closed afterwards."""
    return asyncio.run(within(client, work))


def end_report(client: LLMClient) -> dict[str, Any]:
    """The client's counters plus where failed requests are logged."""
    return {**client.stats.as_dict(), "failures_path": str(client.failures_path)}


def end_line(report: dict[str, Any]) -> str:
    """One line (two with failures) for the end of every LLM command."""
    cost = "n/a" if report.get("cost_usd") is None else f"${report['cost_usd']:.4f}"
    tokens = int(report.get("prompt_tokens", 0)) + int(report.get("completion_tokens", 0))
    line = (
        f"LLM: {report['calls']:,} calls, {report['cached']:,} cached, {report['retries']:,} retries, "
        f"{report['invalid']:,} invalid replies, {report['failures']:,} failures, {tokens:,} tokens, cost {cost}"
    )
    if report.get("failures"):
        line += (
            f"\nfailures: {report['failures']:,} requests never gave a valid reply; "
            f"read them in {report.get('failures_path', '')}"
        )
    return line
