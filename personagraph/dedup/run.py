"""``personagraph dedup``: find near-duplicate personas in the whole graph and merge them.

Stage 1 (MinHash): word 1-gram sets, 128 permutations, LSH banded for recall at the Jaccard
threshold, every candidate verified exactly. Stage 2 (embeddings): the personas that survive
stage 1 are embedded (once; kept beside the graph) and pairs with cosine ≥ the threshold are
found by brute force or a faiss IVF index. Groups are joined across stages, each keeps its
canonical persona (lowest hop, then earliest ``created_at``, then smallest id), and the others
are merged into it (``personagraph.dedup.merge``). A ``:DedupRun`` node records the run.
"""

from __future__ import annotations

import secrets
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import numpy as np

from personagraph.dedup import groups as grouping
from personagraph.dedup.merge import Group, check_edge_types, merge_groups
from personagraph.errors import ConfigError
from personagraph.models import now_iso
from personagraph.runtime import StepClock, checkpoint
from personagraph.store.graph import GraphStore

if TYPE_CHECKING:
    from personagraph.embeddings.embeddings import Embeddings

STAGES = ("minhash", "embedding", "both")
Echo = Callable[[str], None]
Progress = Callable[[int], None]
MERGE_LINE_SECONDS = 60.0  # between two "merged … of … duplicates" lines (the merge of 10M ran ~40 min)


@dataclass
class DedupOptions:
    stage: str = "both"
    jaccard: float = 0.9
    cosine: float = 0.9
    embedder: str = "minilm"
    linkage: str = "components"  # or "leaders" (no chaining; use for low cosine thresholds)
    # Embedding pairs must also share this much surface text (character 3-gram Jaccard): the
    # English models put distinct non-English personas (and bland, generic ones) above 0.9.
    min_overlap: float = 0.3
    num_perm: int = 128
    search: str = "auto"  # exact | ivf | auto

    def check(self) -> DedupOptions:
        if self.stage not in STAGES:
            raise ConfigError(f"unknown stage {self.stage!r}", hint=f"choose one of: {', '.join(STAGES)}")
        for name in ("jaccard", "cosine"):
            value = getattr(self, name)
            if not 0.0 < value <= 1.0:
                raise ConfigError(f"{name} must be in (0, 1], got {value}", param=name)
        if not 0.0 <= self.min_overlap <= 1.0:
            raise ConfigError(f"min_overlap must be in [0, 1], got {self.min_overlap}", param="min_overlap")
        if self.linkage not in grouping.LINKAGES:
            raise ConfigError(
                f"unknown linkage {self.linkage!r}", hint=f"choose one of: {', '.join(grouping.LINKAGES)}"
            )
        return self

    @property
    def uses_minhash(self) -> bool:
        return self.stage in ("minhash", "both")

    @property
    def uses_embeddings(self) -> bool:
        return self.stage in ("embedding", "both")


@dataclass
class PersonaTable:
    """The personas dedup looks at, as parallel lists (index = position)."""

    ids: list[str]
    texts: list[str]
    hops: list[Any]
    created: list[Any]

    def __len__(self) -> int:
        return len(self.ids)


@dataclass
class DedupReport:
    options: DedupOptions
    dry_run: bool
    personas_before: int = 0
    personas_after: int = 0
    groups: list[Group] = field(default_factory=list)
    groups_by_stage: dict[str, int] = field(default_factory=dict)
    pairs_by_stage: dict[str, int] = field(default_factory=dict)
    merge: dict[str, Any] = field(default_factory=dict)
    seconds: dict[str, float] = field(default_factory=dict)
    texts: dict[str, str] = field(default_factory=dict)  # texts of group members, for listings
    run_id: str | None = None
    finished_runs: list[str] = field(default_factory=list)  # runs cut short earlier, finished first

    @property
    def duplicates(self) -> int:
        return sum(len(g.duplicates) for g in self.groups)

    def record(self) -> dict[str, Any]:
        """The figures stored on the ``:DedupRun`` node (flat, property-friendly)."""
        options = self.options
        return {
            "id": self.run_id,
            "created_at": now_iso(),
            "stage": options.stage,
            "jaccard": options.jaccard if options.uses_minhash else None,
            "cosine": options.cosine if options.uses_embeddings else None,
            "embedder": options.embedder if options.uses_embeddings else None,
            "linkage": options.linkage,
            "min_overlap": options.min_overlap if options.uses_embeddings else None,
            "num_perm": options.num_perm,
            "personas_before": self.personas_before,
            "personas_after": self.personas_after,
            "groups": len(self.groups),
            "groups_minhash": self.groups_by_stage.get("minhash", 0),
            "groups_embedding": self.groups_by_stage.get("embedding", 0),
            **{k: v for k, v in self.merge.items() if isinstance(v, int)},
            "seconds": round(sum(self.seconds.values()), 3),
        }

    def table(self) -> list[dict[str, Any]]:
        """The end-of-run report as rows of (figure, value)."""
        rows: list[tuple[str, Any]] = [("personas before", self.personas_before)]
        if self.options.uses_minhash:
            rows += [
                ("minhash: Jaccard threshold", self.options.jaccard),
                ("minhash: pairs ≥ threshold", self.pairs_by_stage.get("minhash", 0)),
                ("minhash: groups", self.groups_by_stage.get("minhash", 0)),
            ]
        if self.options.uses_embeddings:
            rows += [
                ("embedding: model", self.options.embedder),
                ("embedding: cosine threshold", self.options.cosine),
                ("embedding: min. character 3-gram overlap", self.options.min_overlap),
                ("embedding: pairs ≥ threshold", self.pairs_by_stage.get("embedding", 0)),
                ("embedding: groups", self.groups_by_stage.get("embedding", 0)),
            ]
        rows += [("groups (both stages joined)", len(self.groups)), ("duplicates to merge", self.duplicates)]
        rows += [(key.replace("_", " "), value) for key, value in self.merge.items() if isinstance(value, int)]
        rows += [
            (
                "personas after",
                self.personas_after if not self.dry_run else f"{self.personas_before - self.duplicates} (dry run)",
            )
        ]
        rows += [(f"seconds: {k}", round(v, 2)) for k, v in self.seconds.items()]
        if self.run_id:
            rows.append(("recorded as :DedupRun", self.run_id))
        return [{"figure": k, "value": v} for k, v in rows]

    def group_rows(self, limit: int | None = None) -> list[dict[str, Any]]:
        """One row per member of each group: the canonical first (keep), then its duplicates (merge)."""
        rows = []
        for number, group in enumerate(self.groups[:limit] if limit else self.groups, start=1):
            rows.append(
                {
                    "group": number,
                    "stage": group.stage,
                    "action": "keep",
                    "id": group.canonical,
                    "text": self.texts.get(group.canonical, ""),
                }
            )
            rows.extend(
                {"group": number, "stage": group.stage, "action": "merge", "id": d, "text": self.texts.get(d, "")}
                for d in group.duplicates
            )
        return rows


def load_personas(store: GraphStore) -> PersonaTable:
    """Every persona's id, text, hop and creation time, in one read (columnar where the store can)."""
    columns = store.run_columns("dedup_personas")
    ids = [str(i) for i in columns.get("id", [])]
    n = len(ids)
    return PersonaTable(
        ids,
        [t if isinstance(t, str) else "" for t in columns.get("text", [""] * n)],
        list(columns.get("hop", [None] * n)),
        list(columns.get("created_at", [None] * n)),
    )


def minhash_groups(
    texts: Sequence[str],
    rank: np.ndarray,
    threshold: float,
    num_perm: int = 128,
    seconds: dict[str, float] | None = None,
) -> tuple[grouping.Groups, int]:
    """Stage 1 on all texts: (groups, number of verified pairs)."""
    from personagraph.dedup import lsh
    from personagraph.dedup.minhash import Vocabulary, signatures, tokenise

    clock = StepClock(seconds)
    tokens = tokenise(texts, Vocabulary(num_perm))
    clock.lap("tokenise")
    sigs = signatures(tokens)
    clock.lap("minhash")
    bands, rows = lsh.choose_bands(threshold, num_perm)
    candidates = lsh.candidate_pairs(lsh.band_keys(sigs, bands, rows))
    del sigs
    found = lsh.verify(tokens, candidates, threshold)
    clock.lap("lsh + verify")
    return grouping.components(len(texts), found.pairs, rank), len(found)


def embedding_groups(
    vectors: np.ndarray,
    texts: Sequence[str],
    rank: np.ndarray,
    options: DedupOptions,
    seconds: dict[str, float] | None = None,
) -> tuple[grouping.Groups, int]:
    """Stage 2 on the given vectors (rows aligned with ``texts``): (groups, number of pairs kept)."""
    from personagraph.dedup import ann
    from personagraph.dedup.minhash import char_ngram_jaccard

    clock = StepClock(seconds)
    found = ann.cosine_pairs(vectors, options.cosine, method=options.search)
    pairs = found.pairs
    if options.min_overlap > 0 and len(pairs):
        pairs = pairs[char_ngram_jaccard(texts, pairs) >= options.min_overlap]
    clock.lap("similarity search")
    return grouping.group(len(vectors), pairs, rank, options.linkage), len(pairs)


def find_groups(
    table: PersonaTable,
    options: DedupOptions,
    embed: Callable[[list[str], list[str]], np.ndarray] | None = None,
    seconds: dict[str, float] | None = None,
) -> tuple[list[Group], dict[str, int], dict[str, int]]:
    """Both stages on a table of personas; returns (joined groups, groups per stage, pairs per stage).

    ``embed(ids, texts)`` returns the unit vectors of those personas (needed for stage 2).
    """
    options.check()
    n = len(table)
    rank = grouping.canonical_rank(table.hops, table.created, table.ids)
    by_stage: dict[str, int] = {}
    pairs: dict[str, int] = {}
    followers: dict[int, list[int]] = {}  # canonical index -> merged indexes
    stage_of: dict[int, str] = {}
    alive = np.ones(n, dtype=bool)
    if options.uses_minhash and n > 1:
        found, pairs["minhash"] = minhash_groups(table.texts, rank, options.jaccard, options.num_perm, seconds)
        by_stage["minhash"] = len(found)
        for canon, members in zip(found.canonical, found.members, strict=True):
            followers[canon] = list(members)
            stage_of[canon] = "minhash"
            alive[members] = False
    if options.uses_embeddings and alive.sum() > 1:
        if embed is None:
            raise ConfigError("the embedding stage needs an embedder")
        survivors = np.flatnonzero(alive)
        clock = StepClock(seconds)
        texts = [table.texts[i] for i in survivors]
        vectors = embed([table.ids[i] for i in survivors], texts)
        clock.lap("embedding")
        found, pairs["embedding"] = embedding_groups(vectors, texts, rank[survivors], options, seconds)
        del vectors
        by_stage["embedding"] = len(found)
        for canon_local, members_local in zip(found.canonical, found.members, strict=True):
            canon = int(survivors[canon_local])
            merged = followers.pop(canon, [])
            stages = {stage_of.pop(canon, "")}
            for local in members_local:
                member = int(survivors[local])
                merged.append(member)
                merged.extend(followers.pop(member, []))
                stages.add(stage_of.pop(member, ""))
            followers[canon] = merged
            stage_of[canon] = "+".join(s for s in ("minhash", "embedding") if s in stages or s == "embedding")
    result = [
        Group(table.ids[c], tuple(table.ids[m] for m in sorted(ms, key=lambda i: rank[i])), stage_of[c])
        for c, ms in sorted(followers.items(), key=lambda item: rank[item[0]])
    ]
    return result, by_stage, pairs


def dedup_graph(
    store: GraphStore,
    embeddings: Embeddings | None,
    options: DedupOptions | None = None,
    dry_run: bool = False,
    progress: Progress | None = None,
    echo: Echo | None = None,
    *,
    engine: str | None = None,
    scheduler: str | None = None,
    work_dir: str | None = None,
) -> DedupReport:
    """Find near-duplicate personas in the whole graph and (unless ``dry_run``) merge them.

    ``engine`` (``local`` or ``dask``) finds the groups on Parquet shards of the graph, out of core
    (``sharded_run``); ``scheduler`` is a Dask scheduler's address (none: a LocalCluster on 127.0.0.1).
    Without it, every persona is read into memory at once (the default, fastest below a few million).
    """
    options = (options or DedupOptions()).check()
    if embeddings is not None:
        options.embedder = embeddings.name  # recorded with the run
    elif options.uses_embeddings:
        raise ConfigError("the embedding stage needs embeddings", hint="pass Embeddings.for_store(store, name)")
    report = DedupReport(options, dry_run)
    clock = StepClock(report.seconds)
    if dry_run:
        for run in store.run("dedup_unfinished_runs"):
            if echo:
                echo(f"note: dedup run {run['id']} was cut short; a dedup without --dry-run finishes it first")
    else:
        report.finished_runs = finish_unfinished_runs(store, echo)
    if engine is not None:
        from personagraph.dedup.sharded_run import graph_groups

        report.groups, report.groups_by_stage, report.pairs_by_stage, report.personas_before = graph_groups(
            store, embeddings, options, engine, scheduler, work_dir, progress, report.seconds
        )
        clock = StepClock(report.seconds)  # from here: graph_groups timed its own steps
        member_ids = [m for g in report.groups for m in (g.canonical, *g.duplicates)]
        report.texts = {row["id"]: row["text"] for row in _member_texts(store, member_ids)}
        clock.lap("member texts")
        return _merge(store, report, dry_run, clock, echo)
    table = load_personas(store)
    report.personas_before = len(table)
    clock.lap("load personas")

    def embed(ids: list[str], texts: list[str]) -> np.ndarray:
        assert embeddings is not None
        got, vectors = embeddings.vectors(ids, texts=texts, progress=progress)
        if got != ids:  # a persona deleted meanwhile: keep rows aligned with the table
            raise ConfigError("the graph changed while dedup ran; run it again")
        return vectors

    report.groups, report.groups_by_stage, report.pairs_by_stage = find_groups(table, options, embed, report.seconds)
    clock.last = time.perf_counter()
    members = {m for g in report.groups for m in (g.canonical, *g.duplicates)}
    report.texts = {i: t for i, t in zip(table.ids, table.texts, strict=True) if i in members}
    del table
    return _merge(store, report, dry_run, clock, echo)


def _merge_lines(echo: Echo, total: int, every: float | None = None) -> Progress:
    """A progress callback that says how many duplicates are merged, at most once every ``every``
    seconds (``MERGE_LINE_SECONDS``), and when the last one is."""
    every = MERGE_LINE_SECONDS if every is None else every
    state = {"done": 0, "said": time.monotonic()}

    def advance(n: int) -> None:
        state["done"] += n
        now = time.monotonic()
        if now - state["said"] >= every or state["done"] >= total:
            echo(f"merged {state['done']:,} of {total:,} duplicates")
            state["said"] = now

    return advance


def _member_texts(store: GraphStore, ids: list[str]) -> list[dict[str, Any]]:
    return [
        row for start in range(0, len(ids), 5000) for row in store.run("persona_texts", ids=ids[start : start + 5000])
    ]


def _merge(store: GraphStore, report: DedupReport, dry_run: bool, clock: StepClock, echo: Echo | None) -> DedupReport:
    """Record the run, merge its groups, finish the record (unless a dry run or nothing to merge)."""
    if dry_run or not report.groups:
        report.personas_after = report.personas_before  # nothing changed
        return report
    if echo:
        echo(f"merging {report.duplicates} duplicates into {len(report.groups)} personas…")
    # The run is recorded, with the groups it will merge, before anything merges: a run cut short
    # is found by the next dedup (or `check --fix`) and finished with its own groups.
    check_edge_types(store, report.groups)
    report.run_id = "dedup_" + time.strftime("%Y%m%dT%H%M%SZ", time.gmtime()) + "_" + secrets.token_hex(3)
    started = {k: v for k, v in report.record().items() if v is not None}
    store.run("dedup_start_run", props=started | {"pending_groups": [encode_group(g) for g in report.groups]})
    checkpoint("dedup_started")
    counts = merge_groups(store, report.groups, progress=_merge_lines(echo, report.duplicates) if echo else None)
    clock.lap("graph merge")
    report.merge = counts.as_dict()
    report.personas_after = store.count("Persona")
    final = {k: v for k, v in report.record().items() if v is not None and k not in ("id", "created_at")}
    store.run("dedup_finish_run", id=report.run_id, props=final)
    checkpoint("dedup_finished")
    if counts.kept_with_edges and echo:
        echo(f"warning: {len(counts.kept_with_edges)} duplicates kept edges that could not be moved; run dedup again")
    return report


def encode_group(group: Group) -> str:
    """A group as one string property value: canonical and duplicate ids joined by tabs (ids never hold one)."""
    return "\t".join((group.canonical, *group.duplicates))


def decode_group(text: str) -> Group:
    canonical, *duplicates = text.split("\t")
    return Group(canonical, tuple(duplicates), "resumed")


def unfinished_runs(store: GraphStore) -> list[dict[str, Any]]:
    """Dedup runs recorded as started and never finished: {id, created_at, groups}."""
    return store.run("dedup_unfinished_runs")


def finish_unfinished_runs(store: GraphStore, echo: Echo | None = None) -> list[str]:
    """Merge the groups of every dedup run cut short (merging is idempotent), mark them finished."""
    finished = []
    for run in unfinished_runs(store):
        groups = [decode_group(g) for g in run.get("groups") or []]
        if echo:
            echo(f"dedup run {run['id']} was cut short; finishing its {len(groups)} groups first")
        counts = merge_groups(
            store, groups, progress=_merge_lines(echo, sum(len(g.duplicates) for g in groups)) if echo else None
        )
        props = {"personas_after": store.count("Persona"), "resumed_merged": counts.personas_merged}
        store.run("dedup_finish_run", id=run["id"], props=props)
        finished.append(str(run["id"]))
    return finished
