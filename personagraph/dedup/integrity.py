"""``personagraph check``: what an interrupted run can leave in the graph, found and repaired.

- the engine's own integrity check (embedded ArcadeDB: ``CHECK DATABASE``; orphan edge records of
  an import killed mid-batch, see store/integrity.py);
- personas still present under an id that another persona lists as an alias (a merge cut short);
- expansion claims left by a worker that stopped;
- dedup runs recorded as started and never finished;
- sampled batches cut short while their usage ledger was written (marked ``recording``).

``fix`` repairs each: orphan edge records deleted, unfinished dedup runs finished with their own
groups, remaining alias nodes merged into the persona that lists them, claims released and
batches cut short undone (on a store other processes may use, only claims and batches whose lease
has ended).
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from personagraph.dedup.merge import Group, merge_groups
from personagraph.dedup.run import finish_unfinished_runs, unfinished_runs
from personagraph.store.graph import GraphStore

Echo = Callable[[str], None]
LEDGER_CHUNK = 10_000  # USED_IN edges undone per transaction


@dataclass
class Finding:
    check: str
    found: int
    detail: str = ""
    repaired: int = 0

    def row(self) -> dict[str, Any]:
        return {"check": self.check, "found": self.found, "repaired": self.repaired, "detail": self.detail}


@dataclass
class CheckReport:
    findings: list[Finding] = field(default_factory=list)

    @property
    def problems(self) -> int:
        """Findings still wrong after any repair."""
        return sum(1 for f in self.findings if f.found > f.repaired)

    def rows(self) -> list[dict[str, Any]]:
        return [f.row() for f in self.findings]


def _alias_groups(store: GraphStore) -> list[Group]:
    by_canonical: dict[str, list[str]] = {}
    claimed: set[str] = set()
    for row in store.run("check_alias_nodes"):
        if row["alias"] in claimed or row["alias"] in by_canonical:
            continue  # one persona merges once; a second pass of check finds what is left
        claimed.add(row["alias"])
        by_canonical.setdefault(row["canonical"], []).append(row["alias"])
    groups = [Group(c, tuple(d), "check") for c, d in by_canonical.items() if c not in claimed]
    return groups


def check_graph(store: GraphStore, fix: bool = False, echo: Echo | None = None) -> CheckReport:
    """Run every check (see the module docstring); with ``fix``, repair what can be repaired."""
    report = CheckReport()
    engine = store.engine_check(fix=False)
    if engine is not None:
        finding = Finding("engine: unreachable edge records", engine.unreachable_edges, "; ".join(engine.warnings[:3]))
        errors = Finding("engine: errors", engine.errors)
        if fix and not engine.clean:
            fixed = store.engine_check(fix=True)
            assert fixed is not None
            finding.repaired = engine.unreachable_edges - fixed.unreachable_edges
            errors.repaired = engine.errors - fixed.errors
        report.findings += [finding, errors]

    runs = unfinished_runs(store)
    finding = Finding("dedup runs left unfinished", len(runs), ", ".join(str(r["id"]) for r in runs))
    if fix and runs:
        finding.repaired = len(finish_unfinished_runs(store, echo))
    report.findings.append(finding)

    groups = _alias_groups(store)
    found = sum(len(g.duplicates) for g in groups)
    finding = Finding("aliases still present as personas", found, ", ".join(g.canonical for g in groups[:3]))
    if fix and groups:
        finding.repaired = merge_groups(store, groups).personas_merged
    report.findings.append(finding)

    # Leases (claims, batches being recorded): embedded, this process is the only one, so every one is
    # stale (now = None); elsewhere only those whose lease has ended.
    now = None if store.capabilities.single_process else time.time()
    claims = store.run("check_claims")
    held = sum(int(row["n"]) for row in claims)
    finding = Finding("expansion claims held", held, ", ".join(str(row["worker"]) for row in claims[:3]))
    if fix and held:
        finding.repaired = int(store.run("check_release_claims", now=now)[0]["n"])
    report.findings.append(finding)

    # The ledger of a batch too large for one transaction is written in chunks (sampling/batches.py).
    cut = store.run("sampling/recording_batches", now=now)
    finding = Finding("batches cut short while recorded", len(cut), ", ".join(str(row["id"]) for row in cut[:3]))
    if fix:
        for row in cut:
            store.drain("sampling/undo_uses", limit=LEDGER_CHUNK, id=row["id"])
            finding.repaired += int(store.run("sampling/drop_recording_batch", id=row["id"])[0]["n"])
    report.findings.append(finding)
    return report
