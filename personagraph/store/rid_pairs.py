"""A set of (source RID, target RID) pairs kept as 16-byte numbers in a few sorted arrays.

The bulk loader remembers every edge an import has written, to skip an edge the file names twice.
As a Python set of string tuples that costs ~90 bytes a pair (the tuple and the set's slot; the
RID strings themselves are shared with the node map): ~2.7 GB for the 30M relations of the 10M
benchmark, beside a JVM that needs most of the 16 GB. Here a RID ``#bucket:position`` is the
integer ``bucket << 40 | position`` (parsed for a whole batch at once with numpy), and a pair is
one ``complex128`` (source, target): exact for codes below 2**53, ordered lexicographically and
searched with ``searchsorted`` at native speed. New pairs wait in a small Python set; a full run is
sorted into an array of its own, and arrays of about the same size are merged (a binary counter,
up to ``MAX_RUN``), so a lookup searches a handful of arrays and no merge copies them all. Lookups
are exact: no hashing, no false positives. A RID outside that range (a bucket id of 8192 or more)
turns the set into a plain Python set of the pairs, as before. ``benchmarks/rid_pairs.py`` measures
it against the plain set.

Pure data structure: numpy only, no store.
"""

from __future__ import annotations

import itertools
from collections.abc import Iterable
from typing import Any

import numpy as np

Pair = tuple[str, str]
MAX_RUN = 16_000_000  # arrays are not merged past this many pairs: no merge copies more than ~256 MB
_WIDTH = 20  # bytes of a RID's text at most: "#" + 4 bucket digits + ":" + 13 position digits
_POSITION_BITS = 40
_LIMIT = 1 << 53  # complex128's parts are float64: integers below this are exact


class OutOfRange(ValueError):
    """A RID this set cannot hold as a number."""


def rid_codes(rids: list[str]) -> Any:
    """``bucket << 40 | position`` of each RID, as int64, parsed for the whole list at once (a
    column of characters at a time: ~10 numpy passes over the list, not a Python call per RID)."""
    try:
        text = np.array(rids, dtype="S")  # as wide as the longest
    except UnicodeEncodeError:
        raise OutOfRange("a RID that is not ASCII") from None
    width = text.dtype.itemsize
    if not len(rids) or width > _WIDTH:
        if len(rids):
            raise OutOfRange("a RID longer than any this set holds")
        return np.empty(0, dtype=np.int64)
    chars = text.view(np.uint8).reshape(len(rids), width)
    ok = chars[:, 0] == 35  # "#"
    bucket = np.zeros(len(rids), dtype=np.int64)
    position = np.zeros(len(rids), dtype=np.int64)
    bucket_digits = np.zeros(len(rids), dtype=np.int64)
    position_digits = np.zeros(len(rids), dtype=np.int64)
    seen_colon = np.zeros(len(rids), dtype=bool)
    for j in range(1, width):
        c = chars[:, j]
        digit = c.astype(np.int64) - 48
        is_digit = (digit >= 0) & (digit <= 9)
        is_colon = c == 58
        ok &= is_digit | (c == 0) | (is_colon & ~seen_colon)
        in_bucket = is_digit & ~seen_colon
        in_position = is_digit & seen_colon
        bucket = np.where(in_bucket, bucket * 10 + digit, bucket)
        position = np.where(in_position, position * 10 + digit, position)
        bucket_digits += in_bucket
        position_digits += in_position
        seen_colon |= is_colon
        if j + 1 < width:
            ok &= ~((c == 0) & (chars[:, j + 1] != 0))  # no text after the end
    ok &= seen_colon & (bucket_digits > 0) & (position_digits > 0) & (bucket_digits <= 4) & (position_digits <= 13)
    ok &= (position < 1 << _POSITION_BITS) & (bucket < _LIMIT >> _POSITION_BITS)
    if not ok.all():
        raise OutOfRange(f"not a RID this set holds: {rids[int(np.argmin(ok))]!r}")
    return bucket << _POSITION_BITS | position


class RidPairs:
    """A set of RID pairs with the operations the bulk loader uses: ``in``, ``update``,
    ``intersection`` and ``len``."""

    def __init__(self, pairs: Iterable[Pair] = (), run: int = 250_000, compact_at: int = 1_000_000) -> None:
        self._runs: list[Any] = []  # sorted complex128 arrays, larger first
        self._recent: set[Pair] = set()  # pairs not in a sorted array yet ...
        self._pending: list[Any] = []  # ... and their keys
        # A plain set while small (its lookups cost no parsing), until ``compact_at`` pairs; and for
        # good once a RID fell outside the numeric range.
        self._plain: set[Pair] | None = set()
        self._numeric = True
        self._run = run
        self._compact_at = compact_at
        self.update(pairs)

    def __len__(self) -> int:
        if self._plain is not None:
            return len(self._plain)
        return sum(len(r) for r in self._runs) + len(self._recent)

    def __bool__(self) -> bool:
        return len(self) > 0

    @property
    def nbytes(self) -> int:
        """Bytes of the sorted arrays (the pairs still in the Python set not counted)."""
        return sum(int(r.nbytes) for r in self._runs)

    def _keys(self, pairs: list[Pair]) -> Any:
        codes = rid_codes([rid for pair in pairs for rid in pair]).reshape(-1, 2)
        return _keys_of(codes[:, 0], codes[:, 1])

    def _found(self, keys: Any) -> Any:
        """A bool array: which of ``keys`` are in the sorted arrays (searched in key order)."""
        order = np.argsort(keys)
        ordered = keys[order]
        hit = np.zeros(len(keys), dtype=bool)
        for run in self._runs:
            at = np.minimum(np.searchsorted(run, ordered), len(run) - 1)
            hit |= run[at] == ordered
        found = np.empty_like(hit)
        found[order] = hit
        return found

    def _to_plain(self) -> None:
        plain: set[Pair] = set(self._recent)
        for run in self._runs:
            codes = np.stack([run.real, run.imag], axis=1).astype(np.int64)
            plain.update((_rid(a), _rid(b)) for a, b in codes.tolist())
        self._plain, self._runs, self._recent, self._pending = plain, [], set(), []
        self._numeric = False

    def _compact(self) -> None:
        """From the plain set to sorted arrays (back to a plain set if a RID is out of range)."""
        plain, self._plain = self._plain or set(), None
        self.update(plain)

    def __contains__(self, pair: object) -> bool:
        if self._plain is not None:
            return pair in self._plain
        if pair in self._recent:
            return True
        if not (isinstance(pair, tuple) and len(pair) == 2 and all(isinstance(p, str) for p in pair)):
            return False
        return bool(self.intersection([pair]))  # type: ignore[list-item]

    def intersection(self, pairs: Iterable[Pair]) -> set[Pair]:
        """The pairs of ``pairs`` that are in the set (one vectorised search per sorted array)."""
        if self._plain is not None:
            return self._plain.intersection(pairs)
        asked = pairs if isinstance(pairs, list) else list(pairs)
        found = self._recent.intersection(asked)
        if self._runs:
            rest = [p for p in asked if p not in found] if found else asked
            try:
                hits = self._found(self._keys(rest)).tolist() if rest else []
            except OutOfRange:  # such a pair was never added: the others are searched
                self._to_plain()
                return self.intersection(asked)
            found.update(itertools.compress(rest, hits))
        return found

    def update(self, pairs: Iterable[Pair]) -> None:
        items = iter(pairs)  # in runs, so a scan of a whole relation type never sits in the Python set
        while chunk := list(itertools.islice(items, self._run)):
            if self._plain is not None:
                self._plain.update(chunk)
                if self._numeric and len(self._plain) >= self._compact_at:
                    self._compact()
                continue
            fresh = list(set(chunk).difference(self._recent))
            if not fresh:
                continue
            try:
                keys = self._keys(fresh)
            except OutOfRange:
                self._to_plain()
                self.update(fresh)
                continue
            if self._runs:
                new = ~self._found(keys)
                fresh = list(itertools.compress(fresh, new.tolist()))
                keys = keys[new]
            self._recent.update(fresh)
            self._pending.append(keys)
            if len(self._recent) >= self._run:
                self._flush()

    def numeric(self) -> bool:
        """Every pair held as a number now (a small plain set sorted into an array, waiting pairs
        into a run), so ``found_codes`` and ``update_codes`` may be used; False when a RID is out of
        the numeric range (the set stays a plain set)."""
        if self._plain is not None:
            if not self._numeric:
                return False
            self._compact()
            if self._plain is not None:
                return False
        if self._recent:
            self._flush()
        return True

    def found_codes(self, src: Any, dst: Any) -> Any:
        """Which pairs of RID codes (``rid_codes``, two int64 arrays) are in the set, as a bool
        array. Only after ``numeric()`` said True."""
        keys = _keys_of(src, dst)
        return self._found(keys) if self._runs else np.zeros(len(keys), dtype=bool)

    def update_codes(self, src: Any, dst: Any) -> None:
        """Add pairs of RID codes (as ``found_codes``), none of them twice in the arrays."""
        if not self.numeric():
            raise OutOfRange("update_codes on a set of pairs that are not all numeric")
        keys = np.unique(_keys_of(src, dst))
        if self._runs and len(keys):
            keys = keys[~self._found(keys)]
        if len(keys):
            self._add_run(keys)

    def _flush(self) -> None:
        run = np.sort(np.concatenate(self._pending))
        self._recent, self._pending = set(), []
        self._add_run(run)

    def _add_run(self, run: Any) -> None:
        # Merge while the last array is no bigger than the new one: sizes stay roughly halving.
        while self._runs and len(self._runs[-1]) <= len(run) and len(self._runs[-1]) + len(run) <= MAX_RUN:
            last = self._runs.pop()
            run = np.insert(last, np.searchsorted(last, run), run)
        self._runs.append(run)


def _keys_of(src: Any, dst: Any) -> Any:
    return np.asarray(src).astype(np.float64) + 1j * np.asarray(dst).astype(np.float64)


def _rid(code: int) -> str:
    return f"#{code >> _POSITION_BITS}:{code & ((1 << _POSITION_BITS) - 1)}"
