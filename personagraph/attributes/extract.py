"""``personagraph attributes``: extract typed attributes (``attribute_schema``) for personas that lack them.

Pending personas are read a page at a time (keyset on id); each persona is one request whose reply
is validated against ``PersonaAttributes``; a page's valid answers are written in one transaction
with their provenance (``attrs_source='llm'``, model, prompt version, time), while the next page is
asked. A persona whose reply never validated keeps no attributes, so killing a run and starting it
again asks only for the rest (and the response cache answers the requests already made). Imported
attributes (``attrs_source='import'``) are never overwritten; ``redo`` asks again for personas whose
attributes came from another prompt version.
"""

from __future__ import annotations

import asyncio
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any

from personagraph import isco, prompts
from personagraph.attribute_schema import PROVENANCE, AttributesReply, PersonaAttributes, unset_props
from personagraph.expand.store_thread import StoreThread
from personagraph.llm import LLMClient, LLMResult
from personagraph.llm.lifecycle import DryRunReport, dry_run_report, run_stage
from personagraph.llm.tokens import cut_to_budget
from personagraph.models import now_iso
from personagraph.store import GraphStore
from personagraph.store.base import Row

PAGE = 256  # personas per page read, asked and written together
MAX_PERSONA_TOKENS = 400  # persona texts are a sentence or two; a long one is cut


@dataclass
class AttributeOptions:
    max_personas: int | None = None
    redo: bool = False
    temperature: float = 0.0  # extraction, not invention: the most likely reading
    page: int = PAGE


@dataclass
class AttributeReport:
    model: str
    prompt: str
    personas: int = 0
    extracted: int = 0
    failures: int = 0
    fields: Counter[str] = field(default_factory=Counter)
    failures_path: str = ""
    llm: dict[str, Any] = field(default_factory=dict)

    def coverage(self) -> dict[str, float]:
        """Share of the extracted personas that got each field."""
        names = [n for n in PersonaAttributes.model_fields]
        return {n: round(self.fields[n] / self.extracted, 4) if self.extracted else 0.0 for n in names}

    def as_dict(self) -> dict[str, Any]:
        return {
            "model": self.model,
            "prompt": self.prompt,
            "personas": self.personas,
            "extracted": self.extracted,
            "failures": self.failures,
            "coverage": self.coverage(),
            "failures_path": self.failures_path,
            "llm": self.llm,
        }


def isco_groups() -> str:
    """The ISCO-08 groups as the prompt lists them: one major group per line with its sub-majors."""
    lines = []
    for major, title in isco.MAJOR.items():
        subs = "; ".join(f"{code} {entry[0]}" for code, entry in isco.SUB_MAJOR.items() if code.startswith(major))
        lines.append(f"  {major} {title}: {subs}")
    return "\n".join(lines)


class AttributeExtraction:
    """One extraction run over the store; ``await AttributeExtraction(...).run()``."""

    def __init__(
        self,
        store: GraphStore,
        client: LLMClient | None,
        options: AttributeOptions,
        on_progress: Callable[[int], None] | None = None,
    ) -> None:
        """``client`` may be None for a dry run (prompts only)."""
        self.store = store
        self.client = client
        self.options = options
        self.on_progress = on_progress
        self.prompt = prompts.load("attributes")
        self.groups = isco_groups()
        self.report = AttributeReport(
            model=client.model if client else "",
            prompt=self.prompt.ref,
            failures_path=str(client.failures_path) if client else "",
        )

    def messages(self, text: str) -> list[dict[str, str]]:
        body, _ = cut_to_budget(text, MAX_PERSONA_TOKENS)
        return self.prompt.render(persona=body, isco_groups=self.groups)

    def pages(self) -> Iterator[list[Row]]:
        """Pending personas, a page at a time, at most ``max_personas`` in all."""
        redo = self.prompt.ref if self.options.redo else None
        left = self.options.max_personas
        after = ""
        while left is None or left > 0:
            limit = self.options.page if left is None else min(self.options.page, left)
            rows = self.store.run("attributes/pending", after=after, limit=limit, redo=redo)
            if not rows:
                return
            if left is not None:
                left -= len(rows)
            yield rows
            after = str(rows[-1]["id"])

    def _write(self, done: list[tuple[Row, PersonaAttributes]]) -> int:
        assert self.client is not None
        provenance = dict(
            zip(PROVENANCE, ("llm", self.client.model, self.prompt.ref, now_iso()), strict=True),
        )
        rows = [{**unset_props(), **attrs.props(), **provenance, "id": str(row["id"])} for row, attrs in done]
        written = self.store.run("attributes/write", rows=rows)
        return int(written[0]["n"]) if written else 0

    async def run(self) -> AttributeReport:
        """Extract for every pending persona, page by page."""
        assert self.client is not None, "a run needs a client"
        thread = StoreThread()
        writes: list[asyncio.Future[int]] = []
        try:
            self.client.prepare()
            await thread(self.store.ensure_schema)
            pages = self.pages()
            while True:
                rows = await thread(next, pages, None)
                if rows is None:
                    break
                results = await asyncio.gather(*(self._one(row) for row in rows))
                done = [(row, r.parsed) for row, r in zip(rows, results, strict=True) if r.parsed is not None]
                self.report.personas += len(rows)
                self.report.failures += len(rows) - len(done)
                for _, attrs in done:
                    self.report.fields.update(attrs.props().keys())
                if done:  # written while the next page is asked
                    writes.append(asyncio.ensure_future(thread(self._write, done)))
            self.report.extracted = sum(await asyncio.gather(*writes))
        finally:
            thread.close()
            self.report.llm = self.client.stats.as_dict()
        return self.report

    async def _one(self, row: Row) -> LLMResult:
        assert self.client is not None
        result = await self.client.generate(
            self.messages(str(row["text"])),
            schema=AttributesReply,
            temperature=self.options.temperature,
            tag=f"attributes {row['id']}",
        )
        if self.on_progress:
            self.on_progress(1)
        return result


def extract_attributes(
    store: GraphStore,
    client: LLMClient,
    options: AttributeOptions | None = None,
    on_progress: Callable[[int], None] | None = None,
) -> AttributeReport:
    """Extract attributes for the pending personas, blocking; the client is closed at the end."""
    runner = AttributeExtraction(store, client, options or AttributeOptions(), on_progress)
    return run_stage(client, lambda _: runner.run())


def attributes_dry_run(store: GraphStore, options: AttributeOptions, show: int = 2) -> DryRunReport:
    """The prompts the run would send and their estimated tokens; no calls, no writes."""
    runner = AttributeExtraction(store, None, options)

    def messages() -> Iterator[list[dict[str, str]]]:
        for rows in runner.pages():
            yield from (runner.messages(str(row["text"])) for row in rows)

    return dry_run_report("attributes", messages(), 180, show=show)


def attribute_coverage(store: GraphStore) -> dict[str, Any]:
    """Personas in the store, how many have attributes (by source), and how many have each field."""
    rows = store.run("attributes/coverage")
    return dict(rows[0]) if rows else {}
