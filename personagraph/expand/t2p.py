"""Text-to-Persona: who is likely to read, write, like or dislike each text (Persona Hub, 2.1).

Texts come from ``:Text`` nodes not yet processed with this prompt version and granularity (a
mark on the text, written in the same transaction as its personas), or from files, imported as
``:Text`` nodes first. Each persona is stored with origin ``text`` and hop 0, with a
``DERIVED_FROM`` edge to its text carrying model, prompt version, run, stance and granularity.
"""

from __future__ import annotations

import asyncio
from collections import Counter
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from typing import Any, Literal

from pydantic import BaseModel, Field, field_validator

from personagraph import prompts
from personagraph.expand.conflicts import retry_conflicts
from personagraph.expand.plan import clean_text
from personagraph.expand.report import new_run_id
from personagraph.expand.store_thread import StoreThread
from personagraph.llm import LLMClient, LLMResult
from personagraph.llm.lifecycle import DryRunReport, dry_run_report, run_stage
from personagraph.llm.tokens import cut_to_budget
from personagraph.models import Persona, now_iso
from personagraph.resolve import Resolver
from personagraph.store import GraphStore
from personagraph.store.base import Row

Granularity = Literal["coarse", "fine"]
STANCES = ("read", "write", "like", "dislike")
PAGE = 256  # texts per page read, generated and written together


def normalise_stance(raw: str) -> str:
    """``reader`` → ``read``, ``fan`` → ``like``; anything else unknown → ``other``."""
    word = raw.strip().lower()
    for stance, forms in (
        ("read", ("read", "reader")),
        ("write", ("write", "writer", "author")),
        ("like", ("like", "fan", "enjoy", "love")),
        ("dislike", ("dislike", "critic", "hate")),
    ):
        if any(word.startswith(f) for f in forms):
            return stance
    return "other"


class InferredPersona(BaseModel):
    persona: str = Field(min_length=3, description="the persona, one or two sentences in English")
    stance: Literal["read", "write", "like", "dislike", "other"] = "read"

    @field_validator("stance", mode="before")
    @classmethod
    def _stance(cls, value: Any) -> str:
        # Models say "reader", "fan", "critic": map those instead of asking again.
        return normalise_stance(str(value)) if value is not None else "read"


class T2PReply(BaseModel):
    personas: list[InferredPersona] = Field(min_length=1, max_length=10)


@dataclass
class T2POptions:
    granularity: Granularity = "fine"
    per_text: int = 3
    max_text_tokens: int = 1024
    concurrency: int = 16
    max_texts: int | None = None
    redo: bool = False
    temperature: float = 0.7
    run_id: str | None = None


@dataclass
class T2PReport:
    run: str
    model: str
    prompt: str
    granularity: str
    texts: int = 0
    texts_cut: int = 0
    personas_new: int = 0
    personas_existing: int = 0
    resolved: int = 0
    stances: Counter[str] = field(default_factory=Counter)
    failures: int = 0
    failures_path: str = ""
    llm: dict[str, Any] = field(default_factory=dict)

    def as_dict(self) -> dict[str, Any]:
        return {
            "run": self.run,
            "model": self.model,
            "prompt": self.prompt,
            "granularity": self.granularity,
            "texts": self.texts,
            "texts_cut": self.texts_cut,
            "personas_new": self.personas_new,
            "personas_existing": self.personas_existing,
            "resolved": self.resolved,
            "stances": dict(self.stances),
            "failures": self.failures,
            "failures_path": self.failures_path,
            "llm": self.llm,
        }


class TextToPersona:
    """One Text-to-Persona run over the store; ``await TextToPersona(...).run()``."""

    def __init__(
        self,
        store: GraphStore,
        client: LLMClient | None,
        options: T2POptions,
        resolver: Resolver | None = None,
        on_progress: Callable[[int], None] | None = None,
    ) -> None:
        """``client`` may be None for a dry run (prompts only)."""
        self.store = store
        self.client = client
        self.options = options
        self.resolver = resolver
        self.on_progress = on_progress
        self.prompt = prompts.load("t2p")
        self.key = f"{self.prompt.ref}/{options.granularity}"
        self.report = T2PReport(
            run=options.run_id or new_run_id("t2p"),
            model=client.model if client else "",
            prompt=self.prompt.ref,
            granularity=options.granularity,
            failures_path=str(client.failures_path) if client else "",
        )

    def messages(self, text: str) -> tuple[list[dict[str, str]], bool]:
        body, cut = cut_to_budget(text, self.options.max_text_tokens)
        granularity = self.prompt.blocks[self.options.granularity]
        return self.prompt.render(text=body, granularity=granularity, count=self.options.per_text), cut

    def pages(self, ids: list[str] | None) -> Iterator[list[Row]]:
        """Pending texts, a page at a time (by id when ``ids`` is given)."""
        key = "" if self.options.redo else self.key
        if ids is not None:
            for start in range(0, len(ids), PAGE):
                rows = self.store.run("t2p_texts_by_id", ids=ids[start : start + PAGE], key=key)
                if rows:
                    yield rows
            return
        after = ""
        while True:
            # With --redo every text is pending; otherwise texts done by an earlier run are skipped.
            rows = self.store.run("t2p_pending_texts", key=key or "\x00redo", after=after, limit=PAGE)
            if not rows:
                return
            yield rows
            after = str(rows[-1]["id"])

    def _write(self, done: list[tuple[Row, LLMResult]]) -> dict[str, Any]:
        now = now_iso()
        candidates: list[tuple[str, Persona, str]] = []
        for row, result in done:
            for item in result.parsed.personas[: self.options.per_text]:  # a model may give more than asked
                text = clean_text(item.persona, 800)
                if len(text) >= 3:
                    candidates.append((str(row["id"]), Persona(text=text, origin="text", hop=0), item.stance))
        mapping = (
            self.resolver.resolve(self.store, [p for _, p, _ in candidates]) if (self.resolver and candidates) else {}
        )
        assert self.client is not None
        props = {
            "model": self.client.model,
            "prompt": self.prompt.ref,
            "run": self.report.run,
            "granularity": self.options.granularity,
        }

        def work(tx: Any) -> dict[str, Any]:
            personas = {p.id: p for _, p, _ in candidates if p.id not in mapping}
            existing = {r["id"] for r in tx.run("existing_personas", ids=list(personas))} if personas else set()
            fresh = [p for pid, p in personas.items() if pid not in existing]
            if fresh:
                tx.run("upsert_personas", rows=[{"id": p.id, "props": p.props()} for p in fresh], now=now)
            links = {
                (mapping.get(p.id, p.id), tid): {**props, "stance": stance, "created_at": now}
                for tid, p, stance in candidates
            }
            if links:
                tx.run(
                    "link_derived_from",
                    rows=[{"persona": pid, "text": tid, "props": v} for (pid, tid), v in links.items()],
                )
            tx.run("t2p_mark_done", ids=[str(row["id"]) for row, _ in done], key=self.key)
            return {"fresh": len(fresh), "existing": len(existing)}

        # Another process may write the same persona meanwhile (workers on one Bolt server): run again, it merges.
        outcome = retry_conflicts(self.store.transaction, work, name="t2p_write")
        return {**outcome, "resolved": len(mapping), "stances": Counter(s for _, _, s in candidates)}

    async def run(self, ids: list[str] | None = None) -> T2PReport:
        """Process the pending texts (or ``ids``) page by page."""
        assert self.client is not None, "a run needs a client"
        thread = StoreThread()
        writes: list[asyncio.Future[dict[str, Any]]] = []
        try:
            self.client.prepare()  # now, so the first requests do not wait for the HTTP clients
            await thread(self.store.ensure_schema)
            pages = self.pages(ids)
            remaining = self.options.max_texts
            while remaining is None or remaining > 0:
                rows = await thread(next, pages, None)
                if rows is None:
                    break
                rows = rows if remaining is None else rows[:remaining]
                if remaining is not None:
                    remaining -= len(rows)
                results = await asyncio.gather(*(self._one(row) for row in rows))
                done = [(row, result) for row, result in zip(rows, results, strict=True) if result.parsed is not None]
                self.report.texts += len(rows)
                self.report.failures += len(rows) - len(done)
                if done:  # written while the next page is generated
                    writes.append(asyncio.ensure_future(thread(self._write, done)))
            for outcome in await asyncio.gather(*writes):
                self.report.personas_new += outcome["fresh"]
                self.report.personas_existing += outcome["existing"]
                self.report.resolved += outcome["resolved"]
                self.report.stances.update(outcome["stances"])
        finally:
            thread.close()
            self.report.llm = self.client.stats.as_dict()
        return self.report

    async def _one(self, row: Row) -> LLMResult:
        messages, cut = self.messages(str(row["text"]))
        self.report.texts_cut += cut
        assert self.client is not None
        result = await self.client.generate(
            messages, schema=T2PReply, temperature=self.options.temperature, tag=f"t2p {row['id']}"
        )
        if self.on_progress:
            self.on_progress(1)
        return result


def text_to_persona(
    store: GraphStore,
    client: LLMClient,
    options: T2POptions | None = None,
    text_ids: list[str] | None = None,
    resolver: Resolver | None = None,
    on_progress: Callable[[int], None] | None = None,
) -> T2PReport:
    """Run Text-to-Persona over pending texts (or ``text_ids``), blocking; returns the report.

    The client is closed when the run ends (``llm.lifecycle.run_stage``)."""
    runner = TextToPersona(store, client, options or T2POptions(), resolver, on_progress)
    return run_stage(client, lambda _: runner.run(text_ids))


def t2p_dry_run(
    store: GraphStore,
    options: T2POptions,
    text_ids: list[str] | None = None,
    show: int = 2,
    texts: Iterable[str] | None = None,
) -> DryRunReport:
    """The prompts the run would send and their estimated tokens; no calls, no writes.

    ``texts`` (read from files, not imported: a dry run writes nothing) replaces the pending texts."""
    runner = TextToPersona(store, None, options)

    def pending() -> Iterator[str]:
        if texts is not None:
            yield from texts
            return
        for rows in runner.pages(text_ids):
            yield from (str(row["text"]) for row in rows)

    def messages() -> Iterator[list[dict[str, str]]]:
        for count, text in enumerate(pending()):
            if options.max_texts is not None and count >= options.max_texts:
                return
            yield runner.messages(text)[0]

    return dry_run_report("t2p", messages(), 60 * options.per_text, show=show)
