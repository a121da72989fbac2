"""Relation lines read as columns give exactly what the line-by-line reader gives, or decline."""

from __future__ import annotations

import json
import random
from typing import Any

import numpy as np
import pyarrow as pa
import pytest

from personagraph.errors import VocabularyError
from personagraph.formats import jsonl_records
from personagraph.ids import persona_codes, persona_id
from personagraph.ingest.records import relation_row
from personagraph.ingest.relation_columns import relation_columns
from personagraph.store.bulk import EdgeGroups
from personagraph.store.rid_pairs import RidPairs, rid_codes
from personagraph.vocabulary import Vocabulary

VOCABULARY = Vocabulary()
IDS = [persona_id(f"persona {i}") for i in range(200)]


def _line_by_line(data: bytes, self_loops: bool = False) -> EdgeGroups | str:
    """What the importer's line-by-line path makes of ``data``: its groups, or its first error."""
    groups = EdgeGroups()
    for line, record in jsonl_records(data.splitlines(keepends=True)):
        try:
            if "__error__" in record:
                raise ValueError(record["__error__"])
            relation, new = relation_row(record, VOCABULARY, self_loops=self_loops)
        except (ValueError, VocabularyError) as exc:
            return f"{line}: {exc}"
        if new:
            return f"{line}: a persona text"
        groups.add(*relation)
    return groups


def _as_sets(groups: EdgeGroups) -> dict[str, dict[tuple[str, str], dict[str, Any]]]:
    return {t: dict(pairs) for t, pairs in groups.by_type.items()}


def _block(rows: list[dict[str, Any]]) -> bytes:
    return b"".join(json.dumps(row, ensure_ascii=random.random() < 0.5).encode() + b"\n" for row in rows)


def _random_rows(rng: random.Random, count: int) -> list[dict[str, Any]]:
    types = ["COLLEAGUE", "PATIENT_OF", "CARES_FOR", "rival", "  Mentor of ", "MENTOR_OF", "FRIEND"]
    notes = ["plain", 'a "quoted" word', "back\\slash", "é accent", "emoji 🧑\u200d⚕️", "tab\there", "\u2028line"]
    rows, seen = [], set()
    while len(rows) < count:
        a, b = rng.sample(IDS, 2)
        kind = rng.choice(types)
        if (a, b, kind) in seen or (b, a, kind) in seen:
            continue
        seen.add((a, b, kind))
        row: dict[str, Any] = {"src": a, "dst": b, "type": kind}
        if rng.random() < 0.8:
            row["run"] = "bench"
        row["note"] = rng.choice(notes)
        rows.append(row)
    return rows


def test_columns_match_the_line_by_line_rows_on_random_blocks() -> None:
    rng = random.Random(11)
    taken = 0
    for _ in range(60):
        rows = _random_rows(rng, rng.randint(1, 120))
        if rng.random() < 0.5:  # every line with a run, or none: a key some lines lack declines
            for row in rows:
                row["run"] = "bench"
        data = _block(rows)
        columns = relation_columns(data, len(rows), VOCABULARY.read)
        expected = _line_by_line(data)
        if columns is None:
            continue
        taken += 1
        assert isinstance(expected, EdgeGroups)
        assert columns.rows == expected.rows
        assert _as_sets(columns.groups()) == _as_sets(expected)
        for part in columns.by_type.values():  # the numbers are the ids' hex digits
            assert [int(c) for c in part.src_codes] == [int(s[2:], 16) for s in part.src.to_pylist()]
    assert taken >= 25  # the usual file takes the column path


def test_a_plain_block_keeps_the_default_run_and_swaps_inverse_names() -> None:
    a, b = IDS[0], IDS[1]
    data = _block([{"src": a, "dst": b, "type": "CARES_FOR"}, {"src": a, "dst": b, "type": "colleague"}])
    columns = relation_columns(data, 2, VOCABULARY.read)
    assert columns is not None
    assert _as_sets(columns.groups()) == {
        "PATIENT_OF": {(b, a): {"run": "import"}},
        "COLLEAGUE": {(a, b): {"run": "import"}},
    }


@pytest.mark.parametrize(
    "lines",
    [
        [{"src": IDS[0], "dst": IDS[1], "type": "RIVAL"}, "", {"src": IDS[2], "dst": IDS[3], "type": "RIVAL"}],
        [{"src": IDS[0], "dst": "a nurse on nights", "type": "RIVAL"}],
        [{"src": IDS[0], "dst": IDS[1], "type": "RIVAL", "weight": 2}],
        [{"src": IDS[0], "dst": IDS[1], "type": "RIVAL", "since": "2024-01-01"}],  # pyarrow reads a date
        [{"src": IDS[0], "dst": IDS[1], "type": "NOT_A_TYPE"}],
        [{"src": IDS[0], "dst": IDS[1], "type": " "}],
        [{"src": IDS[0], "dst": IDS[0], "type": "RIVAL"}],
        [{"src": IDS[0], "dst": IDS[1], "type": "RIVAL"}, {"src": IDS[0], "dst": IDS[1], "type": "rival"}],
        [{"src": IDS[0], "dst": IDS[1], "type": "PATIENT_OF"}, {"src": IDS[1], "dst": IDS[0], "type": "CARES_FOR"}],
        [{"src": IDS[0], "dst": IDS[1], "type": "RIVAL", "run": "x"}, {"src": IDS[2], "dst": IDS[3], "type": "RIVAL"}],
        [{"src": IDS[0], "dst": IDS[1], "type": "RIVAL", "_src": "#1:1"}],
        [{"src": IDS[0], "dst": IDS[1], "type": "RIVAL", "@rid": "x"}],
        [{"src": IDS[0].upper(), "dst": IDS[1], "type": "RIVAL"}],
        [{"src": IDS[0], "dst": IDS[1], "type": "RIVAL", "note": None}],
        [{"src": IDS[0], "dst": IDS[1], "type": "RIVAL", "tags": ["a"]}],
    ],
)
def test_blocks_the_columns_cannot_carry_are_declined(lines: list[Any]) -> None:
    data = b"".join((json.dumps(line).encode() if line != "" else b"   ") + b"\n" for line in lines)
    assert relation_columns(data, len(lines), VOCABULARY.read) is None


@pytest.mark.parametrize(
    "data",
    [
        b'{"src": "%s", "dst": "%s", "type": "RIVAL"} {"src": "%s", "dst": "%s", "type": "RIVAL"}\n\n',
        b'\xef\xbb\xbf{"src": "%s", "dst": "%s", "type": "RIVAL"}\n{"src": "%s", "dst": "%s", "type": "RIVAL"}\n',
        b'{"src": "%s", "dst": "%s", "type": "RIVAL", "note": "\xff"}\n{"src": "%s", "dst": "%s", "type": "RIVAL"}\n',
        b'{"src": "%s", "src": "%s", "dst": "%s", "type": "RIVAL"}\n{"dst": "%s", "type": "RIVAL"}\n',
    ],
)
def test_raw_lines_the_columns_cannot_carry_are_declined(data: bytes) -> None:
    data = data % tuple(i.encode() for i in IDS[:4])
    assert relation_columns(data, 2, VOCABULARY.read) is None


def test_self_loops_are_taken_when_allowed() -> None:
    data = _block([{"src": IDS[0], "dst": IDS[0], "type": "RIVAL"}])
    assert relation_columns(data, 1, VOCABULARY.read) is None
    columns = relation_columns(data, 1, VOCABULARY.read, self_loops=True)
    assert columns is not None and _as_sets(columns.groups()) == _as_sets(_line_by_line(data, self_loops=True))  # type: ignore[arg-type]


def test_persona_codes_read_only_persona_ids() -> None:
    odd = [
        "p_ABCDEF0123456789",
        "q_0123456789abcdef",
        "p_12",
        None,
        "p_0123456789abcdeg",
        "x" * 18,
        "p_0123 56789abcdef",
    ]
    values = [*IDS[:50], *odd]
    codes, ok = persona_codes(pa.array(values, type=pa.string()))
    assert ok.tolist() == [True] * 50 + [False] * len(odd)
    for one in odd[:1] + odd[4:]:  # all 18 long: each alone among ids takes the per-digit table
        mixed, mixed_ok = persona_codes(pa.array([*IDS[:5], one], type=pa.string()))
        assert mixed_ok.tolist() == [True] * 5 + [False] and (mixed[:5] == codes[:5]).all() and mixed[5] == 0
    assert [int(c) for c in codes[:50]] == [int(i[2:], 16) for i in IDS[:50]]
    assert not codes[50:].any()
    sliced, sliced_ok = persona_codes(pa.array(values, type=pa.string()).slice(7, 40))
    assert (sliced == codes[7:47]).all() and sliced_ok.all()


def test_rid_pairs_by_code_agree_with_a_set() -> None:
    rng = random.Random(5)
    rids = [f"#{rng.randint(1, 40)}:{rng.randint(0, 10**6)}" for _ in range(400)]
    truth: set[tuple[str, str]] = set()
    pairs = RidPairs(run=64, compact_at=128)
    for step in range(12):
        batch = [(rng.choice(rids), rng.choice(rids)) for _ in range(100)]
        if step % 3 == 0:
            pairs.update(batch)  # the string path, between the numeric one
        else:
            assert pairs.numeric()
            codes = rid_codes([r for pair in batch for r in pair]).reshape(-1, 2)
            found = pairs.found_codes(codes[:, 0], codes[:, 1])
            assert found.tolist() == [pair in truth for pair in batch]
            pairs.update_codes(codes[:, 0], codes[:, 1])
        truth.update(batch)
        assert len(pairs) == len(truth)
    probe = [(rng.choice(rids), rng.choice(rids)) for _ in range(300)] + sorted(truth)[:50]
    assert pairs.intersection(probe) == truth.intersection(probe)
    assert np.all(pairs.found_codes(*rid_codes([r for p in sorted(truth) for r in p]).reshape(-1, 2).T))
