"""The store's own integrity: what a crash can leave behind, found and repaired.

Embedded ArcadeDB links an edge at both ends only when a ``graph_batch`` closes (arcade_bulk.py).
A process killed between the batch's flush and its close leaves edge records no vertex points at:
``CHECK DATABASE`` reports them as ``unreachableEdgeRecords``, queries never see them, and a
re-import makes the edges again beside them. Plain ``CHECK DATABASE FIX`` leaves them (engine
26.10: 14,834 such records before and after); ``CHECK DATABASE FIX DELETE ORPHANS`` deletes them
(15 s for those 14,834 here, as long as deleting them by RID from Python).

The bulk loader leaves a marker file beside the database while an edge batch is open; opening a
store that has one repairs it first, so only a store that crashed pays for the check (``CHECK
DATABASE`` reads every page: ~1 s for 3k personas and 15k edges here).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from personagraph.store.convert import java_value


def in_flight_marker(database_path: str) -> Path:
    """The file that says an edge batch of the database at ``database_path`` is open."""
    path = Path(database_path)
    return path.parent.parent / f".{path.name}.edges-in-flight"


@dataclass
class EngineCheck:
    """What ArcadeDB's ``CHECK DATABASE`` found (and, with ``fix``, repaired)."""

    unreachable_edges: int = 0
    errors: int = 0
    warnings: list[str] = field(default_factory=list)
    repaired_edges: int = 0

    @property
    def clean(self) -> bool:
        return self.unreachable_edges == 0 and self.errors == 0


def _check_row(db: Any, fix: bool) -> dict[str, Any]:
    row = next(iter(db.command("sql", "CHECK DATABASE FIX DELETE ORPHANS" if fix else "CHECK DATABASE")))
    return dict(row.to_dict())


def check_engine(db: Any, fix: bool = False) -> EngineCheck:
    """Run ``CHECK DATABASE`` on an embedded ArcadeDB database; with ``fix``, let the engine repair
    what it can (orphan edge records deleted), then check again."""
    row = _check_row(db, fix=False)
    found = EngineCheck(
        unreachable_edges=int(java_value(row.get("unreachableEdgeRecords")) or 0),
        errors=int(java_value(row.get("totalErrors")) or 0),
        warnings=[str(w) for w in (java_value(row.get("warnings")) or [])],
    )
    if not fix or found.clean:
        return found
    _check_row(db, fix=True)
    after = _check_row(db, fix=False)
    return EngineCheck(
        unreachable_edges=int(java_value(after.get("unreachableEdgeRecords")) or 0),
        errors=int(java_value(after.get("totalErrors")) or 0),
        warnings=[str(w) for w in (java_value(after.get("warnings")) or [])],
        repaired_edges=found.unreachable_edges,
    )


def repair_after_crash(db: Any, database_path: str) -> EngineCheck | None:
    """If an edge batch was open when the last process died, delete its orphan edge records."""
    marker = in_flight_marker(database_path)
    if not marker.exists():
        return None
    result = check_engine(db, fix=True)
    marker.unlink(missing_ok=True)
    return result
