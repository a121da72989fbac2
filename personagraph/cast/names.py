"""Names for a cast without a language model: fitting the persona, stable, unique, family-aware.

- The given name fits what the text shows: its gender (``persona_cues.gender_of``; a name given to
  either gender when the text shows none) and its language or stated origin
  (``persona_cues.culture_of``), drawn from that culture's pool (``name_pools``).
- Every choice is a hash of the persona id, so a persona gets the same given name in every cast,
  and the same surname unless another member already holds it (then the next candidate in its own
  deterministic sequence; the same for a given name another member holds). Members are named in id order, so of two colliding personas the same one
  keeps its name in every cast that holds both.
- Surnames mark families: the members joined by FAMILY_OF edges share one surname (the family
  member with the smallest id chooses it), and nobody outside that family holds it. When a
  culture's single surnames are used up, two are combined (a second surname in Spanish and
  Portuguese, double-barrelled elsewhere), which gives each culture well over a thousand.
- Full names are unique within the cast, and given names too while the pool allows (in large casts
  they repeat, as in any town); the lorebooks key an entry by the given name only when it is
  unique in the cast (``unique_given_names``). So a name changes from one cast to another only when
  it collides with a member with a smaller id, or the persona's family differs.
"""

from __future__ import annotations

import functools
import hashlib
import math
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass

from personagraph.cast import name_pools, persona_cues
from personagraph.errors import ConfigError

FAMILY_TYPE = "FAMILY_OF"


@dataclass(frozen=True)
class NameCues:
    """What the persona text says that a name should fit."""

    gender: str | None
    culture: str


@functools.lru_cache(maxsize=4096)  # a pure function of the text; casts are named again and again
def cues(text: str) -> NameCues:
    language = persona_cues.language_of(text)
    return NameCues(persona_cues.gender_of(text, language), persona_cues.culture_of(text, language))


def _hash(persona_id: str, salt: str) -> int:
    return int.from_bytes(hashlib.blake2b(f"{salt}:{persona_id}".encode(), digest_size=8).digest(), "big")


def given_pool(gender: str | None, culture: str) -> tuple[str, ...]:
    pools = name_pools.GIVEN.get(culture) or name_pools.GIVEN["en"]
    if gender in ("f", "m"):
        return pools[gender]
    return pools["n"] if len(pools["n"]) >= 8 else pools["n"] + name_pools.GIVEN["en"]["n"]


def given_name(persona_id: str, found: NameCues) -> str:
    pool = given_pool(found.gender, found.culture)
    return pool[_hash(persona_id, "given") % len(pool)]


def gendered_surname(surname: str, gender: str | None, culture: str) -> str:
    """Kowalski -> Kowalska, Ivanov -> Ivanova for a woman; other surnames are the same for all."""
    if gender != "f":
        return surname
    for masculine, feminine in name_pools.FEMININE_SURNAME_ENDINGS.get(culture, ()):
        if surname.endswith(masculine):
            return surname[: -len(masculine)] + feminine
    return surname


def surname_candidates(persona_id: str, culture: str) -> Iterable[str]:
    """The persona's family names in preference order: single surnames, then combined ones.

    Infinite in practice (n + n*(n-1) names), always the same order for the same id."""
    pool = name_pools.SURNAMES.get(culture) or name_pools.SURNAMES["en"]
    n = len(pool)
    start, step = _hash(persona_id, "surname") % n, 1 + _hash(persona_id, "step") % (n - 1)
    # A step coprime with n visits every surname once (n - 1 >= step >= 1; retry with 1 if not coprime).
    if math.gcd(step, n) != 1:
        step = 1
    singles: list[str] = []  # most callers take the first one or two: the combined names only if it comes to that
    for i in range(n):
        singles.append(pool[(start + i * step) % n])
        yield singles[-1]
    pattern = name_pools.COMBINE.get(culture, "{a}-{b}")
    for i, first in enumerate(singles):
        for second in singles[i + 1 :] + singles[:i]:
            yield pattern.format(a=first, b=second)


def families(ids: Sequence[str], relations: Iterable[tuple[str, str, str]]) -> dict[str, str]:
    """persona id -> the id that heads its family (smallest id among those joined by FAMILY_OF)."""
    parent = {pid: pid for pid in ids}

    def root(pid: str) -> str:
        while parent[pid] != pid:
            parent[pid] = parent[parent[pid]]
            pid = parent[pid]
        return pid

    for src, rel_type, dst in relations:
        if rel_type == FAMILY_TYPE and src in parent and dst in parent and src != dst:
            a, b = root(src), root(dst)
            if a != b:
                parent[max(a, b)] = min(a, b)
    return {pid: root(pid) for pid in ids}


def assign_names(
    members: Sequence[tuple[str, str]],
    relations: Iterable[tuple[str, str, str]] = (),
    taken: Iterable[str] = (),
) -> dict[str, str]:
    """persona id -> full name for ``members`` [(id, text)], with ``relations`` [(src, type, dst)].

    ``taken`` are full names already used (an LLM's names for the other members) and surnames in
    them are not reused outside their holders."""
    texts = dict(members)
    found = {pid: cues(text) for pid, text in members}
    head_of = families(list(texts), relations)
    used_surnames: set[str] = set()
    used_names: set[str] = set(taken)
    for name in taken:
        used_surnames.add(name.split(" ", 1)[-1])
    family_surname: dict[str, str] = {}
    names: dict[str, str] = {}
    # Family heads choose first (in id order), so a family's surname does not depend on who else is cast.
    for head in sorted(set(head_of.values())):
        for candidate in surname_candidates(head, found[head].culture):
            if candidate not in used_surnames:
                family_surname[head] = candidate
                used_surnames.add(candidate)
                break
    used_given: set[str] = {name.split()[0] for name in taken}
    for pid in sorted(texts):
        surname = gendered_surname(family_surname[head_of[pid]], found[pid].gender, found[head_of[pid]].culture)
        pool = given_pool(found[pid].gender, found[pid].culture)
        start = pool.index(given_name(pid, found[pid]))
        # The persona's own given name, unless someone in the cast has it already (two Oakleys in a
        # scene are one too many): then the next free one in its pool; repeats only once the pool is used up.
        given = next(
            (g for g in _rotation(pool, start) if g not in used_given and f"{g} {surname}" not in used_names), None
        )
        if given is None:
            given = next((g for g in _rotation(pool, start) if f"{g} {surname}" not in used_names), None)
        if given is None:  # pragma: no cover - a family larger than a given-name pool
            raise ConfigError(f"cannot name {pid}: its family is larger than the name pool")
        full = f"{given} {surname}"
        used_names.add(full)
        used_given.add(given)
        names[pid] = full
    return {pid: names[pid] for pid, _ in members}


def _rotation(pool: Sequence[str], start: int) -> Iterator[str]:
    """The pool from ``start`` on, wrapping round: a persona's given names in preference order."""
    return (pool[(start + offset) % len(pool)] for offset in range(len(pool)))


def unique_given_names(names: Iterable[str]) -> set[str]:
    """The given names that only one member of the cast has (safe as lorebook keys)."""
    counts: dict[str, int] = {}
    for name in names:
        given = name.split()[0]
        counts[given] = counts.get(given, 0) + 1
    return {given for given, count in counts.items() if count == 1}
