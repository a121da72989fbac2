"""retry_conflicts: a write that lost a race is run again; anything else, or the last conflict, is raised."""

from __future__ import annotations

import pytest

from personagraph.errors import QueryError, StoreConflictError
from personagraph.expand import conflicts
from personagraph.expand.conflicts import retry_conflicts


@pytest.fixture(autouse=True)
def no_wait(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(conflicts, "FIRST_WAIT", 0.0)


def test_a_conflict_is_run_again_until_it_passes() -> None:
    calls: list[int] = []
    seen: list[str] = []

    def write(n: int) -> int:
        calls.append(n)
        if len(calls) < 3:
            raise StoreConflictError("expand_write", "Duplicated key [p_1] found on index 'Persona[id]'")
        return n * 2

    assert retry_conflicts(write, 21, on_conflict=lambda exc: seen.append(exc.reason)) == 42
    assert calls == [21, 21, 21] and len(seen) == 2 and "Duplicated key" in seen[0]


def test_the_last_conflict_is_raised() -> None:
    calls: list[int] = []

    def write() -> None:
        calls.append(1)
        raise StoreConflictError("expand_write", "concurrent change to the same record")

    with pytest.raises(StoreConflictError):
        retry_conflicts(write, attempts=4)
    assert len(calls) == 4


def test_other_errors_are_not_retried() -> None:
    calls: list[int] = []

    def write() -> None:
        calls.append(1)
        raise QueryError("expand_write", "syntax error")

    with pytest.raises(QueryError):
        retry_conflicts(write)
    assert calls == [1]
