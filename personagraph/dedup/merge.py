"""Merge duplicate groups in the graph: the canonical persona absorbs its duplicates.

For each group, in batches of whole groups (``UNWIND`` over rows):

1. every relation type on the duplicates' edges is checked against the vocabulary (persona
   relations plus the structural ``DERIVED_FROM``, ``GENERATED_BY``, ``USED_IN``,
   ``MERGED_INTO``): only those are ever written into Cypher text, and an unknown one stops the
   merge before anything changes;
2. the canonical gets the duplicates' ids and texts (and their own aliases) as ``aliases`` and
   ``alias_texts``, and their ``uses`` added — absolute values computed here, so a re-run after
   a crash sets the same;
3. edges between members of one group are dropped (they would be self-loops);
4. every other edge of a duplicate, in and out, moves to the canonical, one statement per type
   and direction; an edge that lands where one of the same type already runs is folded into it,
   its ``count`` property carrying how many edges it stands for (1 when absent);
5. the duplicates, now without edges, are deleted.

Each batch of whole groups is one transaction, so a run cut short leaves every group merged whole
or untouched (never an alias beside a persona still there), and running the merge again finishes
the job. Works the same embedded and over Bolt.

On the embedded store a large merge drops the persona property indexes first and re-creates them
at the end (``schema.cypher``; also at the next open if the run is cut short): ArcadeDB's index on
a value most personas share (``origin``, ``uses``, ``hop``) makes each deletion cost time in
proportion to the graph size (measured ~9 ms a persona at 200k personas, ~3 ms without them).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from functools import partial
from typing import Any

from personagraph.errors import VocabularyError
from personagraph.models import now_iso
from personagraph.runtime import checkpoint
from personagraph.store.graph import GraphStore, Transaction
from personagraph.vocabulary import STRUCTURAL

Progress = Callable[[int], None]
BATCH_DUPLICATES = 2000
LARGE_MERGE = 2000  # duplicates from which the embedded store merges without its property indexes


@dataclass(frozen=True)
class Group:
    """One duplicate group: ``canonical`` keeps, ``duplicates`` merge into it."""

    canonical: str
    duplicates: tuple[str, ...]
    stage: str = ""


@dataclass
class MergeCounts:
    personas_merged: int = 0
    edges_moved: int = 0
    internal_edges_dropped: int = 0
    parallel_edges_merged: int = 0
    kept_with_edges: list[str] = field(default_factory=list)

    def as_dict(self) -> dict[str, Any]:
        return {
            "personas_merged": self.personas_merged,
            "edges_moved": self.edges_moved,
            "internal_edges_dropped": self.internal_edges_dropped,
            "parallel_edges_merged": self.parallel_edges_merged,
        }


def allowed_types(store: GraphStore) -> frozenset[str]:
    """Edge types a merge may write into Cypher: the store's vocabulary and the structural types."""
    return frozenset(store.vocabulary.types) | STRUCTURAL


def _n(rows: list[dict[str, Any]]) -> int:
    return int(rows[0]["n"]) if rows else 0


def batches(groups: Sequence[Group], size: int = BATCH_DUPLICATES) -> Iterator[list[Group]]:
    """Whole groups, about ``size`` duplicates a batch (a group is never split)."""
    batch: list[Group] = []
    count = 0
    for group in groups:
        batch.append(group)
        count += len(group.duplicates)
        if count >= size:
            yield batch
            batch, count = [], 0
    if batch:
        yield batch


def alias_rows(groups: Sequence[Group], members: dict[str, dict[str, Any]]) -> list[dict[str, Any]]:
    """The canonical's new alias lists and uses; duplicates already absorbed (or gone) add nothing."""
    rows = []
    for group in groups:
        canon = members.get(group.canonical)
        if canon is None:
            continue
        aliases = list(canon.get("aliases") or [])
        texts = list(canon.get("alias_texts") or [])
        uses = int(canon.get("uses") or 0)
        known = set(aliases)
        for dup_id in group.duplicates:
            dup = members.get(dup_id)
            if dup is None or dup_id in known:
                continue  # deleted by an earlier run, or absorbed before a crash
            for alias, text in [
                (dup_id, dup.get("text")),
                *zip(dup.get("aliases") or [], dup.get("alias_texts") or [], strict=False),
            ]:
                if alias not in known:
                    known.add(alias)
                    aliases.append(alias)
                    texts.append(text or "")
            uses += int(dup.get("uses") or 0)
        rows.append({"canon": group.canonical, "aliases": aliases, "alias_texts": texts, "uses": uses})
    return rows


def check_edge_types(store: GraphStore, groups: Sequence[Group]) -> None:
    """Refuse, before anything changes, groups whose duplicates have edges of types outside the vocabulary."""
    allowed = allowed_types(store)
    for batch in batches(groups, BATCH_DUPLICATES * 5):
        present = store.run("dedup_edge_types", ids=[d for g in batch for d in g.duplicates])
        unknown = sorted({row["type"] for row in present} - allowed)
        if unknown:
            raise VocabularyError(
                f"duplicates have edges of types outside the vocabulary: {', '.join(unknown)}; nothing was merged",
                hint="add them to relations",
                param="relations",
            )


def merge_groups(
    store: GraphStore,
    groups: Sequence[Group],
    batch_size: int = BATCH_DUPLICATES,
    progress: Progress | None = None,
    drop_indexes: bool | None = None,
) -> MergeCounts:
    """Merge every group into its canonical persona (see the module docstring); idempotent.

    ``drop_indexes``: merge without the persona property indexes (embedded store only); by default
    when there are at least ``LARGE_MERGE`` duplicates.
    """
    counts = MergeCounts()
    if not groups:
        return counts
    seen: set[str] = set()
    for group in groups:  # a persona in two groups, or merged into itself, would lose edges
        members = (group.canonical, *group.duplicates)
        if seen.intersection(members) or len(set(members)) != len(members):
            raise ValueError(f"duplicate groups overlap or repeat a persona (group of {group.canonical})")
        seen.update(members)
    allowed = allowed_types(store)
    edges_before = _n(store.run("dedup_count_edges"))
    if drop_indexes is None:
        drop_indexes = sum(len(g.duplicates) for g in groups) >= LARGE_MERGE
    with store.indexes_dropped("dedup_drop_persona_indexes", drop_indexes):
        _merge_batches(store, groups, batch_size, allowed, counts, progress)
    edges_after = _n(store.run("dedup_count_edges"))
    counts.parallel_edges_merged = max(0, edges_before - counts.internal_edges_dropped - edges_after)
    return counts


def _merge_batches(
    store: GraphStore,
    groups: Sequence[Group],
    batch_size: int,
    allowed: frozenset[str],
    counts: MergeCounts,
    progress: Progress | None,
) -> None:
    now = now_iso()
    for batch in batches(groups, batch_size):
        # One transaction a batch: a crash leaves each group either merged whole or not at all.
        done = store.transaction(partial(_merge_batch, batch=batch, allowed=allowed, now=now), name="dedup merge")
        counts.personas_merged += done.personas_merged
        counts.edges_moved += done.edges_moved
        counts.internal_edges_dropped += done.internal_edges_dropped
        counts.kept_with_edges.extend(done.kept_with_edges)
        checkpoint("dedup_batch")
        if progress:
            progress(sum(len(g.duplicates) for g in batch))


def _merge_batch(tx: Transaction, batch: list[Group], allowed: frozenset[str], now: str) -> MergeCounts:
    """One batch of groups inside ``tx``; returns its counts (the store may run it again on a conflict)."""
    counts = MergeCounts()
    dup_ids = [d for g in batch for d in g.duplicates]
    present = tx.run("dedup_edge_types", ids=dup_ids)
    unknown = sorted({row["type"] for row in present} - allowed)
    if unknown:
        raise VocabularyError(
            f"duplicates have edges of types outside the vocabulary: {', '.join(unknown)}; nothing of this batch was merged",
            hint="add them to relations",
            param="relations",
        )
    ids = [g.canonical for g in batch] + dup_ids
    members = {row["id"]: row for row in tx.run("dedup_members", ids=ids)}
    rows = alias_rows(batch, members)
    if rows:
        tx.run("dedup_absorb", rows=rows, now=now)
    checkpoint("dedup_merge")
    canonical_of = {d: g.canonical for g in batch for d in g.duplicates if d in members}
    pairs = [{"dup": d, "canon": c} for d, c in canonical_of.items()]
    grouped = [{"dup": d, "group": [g.canonical, *g.duplicates]} for g in batch for d in g.duplicates if d in members]
    if grouped:
        counts.internal_edges_dropped += _n(tx.run("dedup_drop_internal", rows=grouped))
    # Out-edges first; moving them can give other duplicates of the batch new in-edges, so the
    # in-edges are looked up again before they move.
    for direction in ("out", "in"):
        if direction == "in":
            present = tx.run("dedup_edge_types", ids=list(canonical_of))
        moves: dict[str, list[dict[str, str]]] = {}
        for row in present:  # only the duplicates with edges of that type and direction
            if row["direction"] == direction and row["id"] in canonical_of:
                moves.setdefault(row["type"], []).append({"dup": row["id"], "canon": canonical_of[row["id"]]})
        for rel_type, move_rows in sorted(moves.items()):
            counts.edges_moved += _n(tx.run_typed(f"dedup_move_{direction}", rel_type, rows=move_rows))
    deleted = _n(tx.run("dedup_delete", ids=[p["dup"] for p in pairs]))
    counts.personas_merged += deleted
    if deleted < len(pairs):
        left = {row["id"] for row in tx.run("existing_personas", ids=[p["dup"] for p in pairs])}
        counts.kept_with_edges.extend(sorted(left))
    return counts
