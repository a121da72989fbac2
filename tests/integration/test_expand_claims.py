"""The claim protocol's kept candidates (claims.py reads the frontier once per many claims) on both stores."""

from __future__ import annotations

import time

from personagraph.expand.claims import Claims
from personagraph.expand.report import ExpandOptions
from personagraph.models import Persona
from personagraph.store import GraphStore


def seeded(store: GraphStore, n: int) -> list[str]:
    people = [Persona(text=f"A lighthouse keeper number {i} on a windy cape") for i in range(n)]
    store.upsert_personas(people)
    return [p.id for p in people]


def test_kept_candidates_taken_elsewhere_or_failed_are_never_claimed(store: GraphStore) -> None:
    ids = seeded(store, 12)
    options = ExpandOptions(hops=1)
    mine, other = Claims(store, options, "w-mine"), Claims(store, options, "w-other")
    first, seen = mine.claim(3, set())
    assert len(first) == 3 and seen
    held = {str(r["id"]) for r in first}
    # Meanwhile another worker takes six of the rest, and one more persona fails in our run.
    now = time.time()
    rest = [i for i in ids if i not in held]
    taken = {str(r["id"]) for r in store.run("expand_claim", ids=rest[:6], worker="w-other", now=now, until=now + 60)}
    failed = {rest[6]}
    got: set[str] = set()
    for _ in range(6):  # more attempts than rows left: stale candidates must come back empty, never stolen
        rows, _ = mine.claim(3, failed)
        got |= {str(r["id"]) for r in rows}
    assert got == set(rest[7:])  # exactly the ones nobody else holds and that did not fail
    assert mine.claim(3, failed) == ([], False)  # nothing left: the frontier is read again and is empty
    owners = {r["id"]: r["w"] for r in store.cypher("MATCH (p:Persona) RETURN p.id AS id, p.claimed_by AS w")}
    assert {i for i, w in owners.items() if w == "w-other"} == taken
    assert {i for i, w in owners.items() if w == "w-mine"} == held | got
    # What failed in our run is still there for another worker.
    assert [r["id"] for r in other.claim(3, set())[0]] == [rest[6]]
