"""Hostile input files and parameters (issue 15, probe points 7, 10, 12): one line naming file:line
or the parameter, the documented exit code, nothing of the failing batch written, no traceback.

Everything runs the real CLI in process (Click's runner) on a real embedded store; the Bolt cases
run against the session's ArcadeDB Bolt server.
"""

from __future__ import annotations

import functools
import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from click.testing import CliRunner, Result

from personagraph.cli import main
from personagraph.errors import VocabularyError
from personagraph.ids import persona_id
from personagraph.store import GraphStore
from tests.conftest import BoltServer

# The exit codes errors.py documents: 0 done, 2 bad option or environment, 3 bad input, 4 store.
DOCUMENTED = {0, 2, 3, 4}


def run(store: Path | str, *args: str, env: dict[str, str] | None = None) -> Result:
    return CliRunner(env=env).invoke(main, ["--store", str(store), *args])


def one_error_line(result: Result) -> str:
    """The single ``error:`` line a refused command prints (no traceback, nothing else on stderr)."""
    assert result.exception is None or isinstance(result.exception, SystemExit), repr(result.exception)
    lines = [line for line in result.stderr.splitlines() if line.strip()]
    assert len(lines) == 1 and lines[0].startswith("error: "), result.stderr
    return lines[0]


def count(store: Path | str, env: dict[str, str] | None = None) -> tuple[int, int]:
    """(nodes, relationships) in the store, read through the CLI like a user would."""
    result = run(
        store,
        "query",
        "MATCH (n) OPTIONAL MATCH (n)-[r]->() RETURN count(DISTINCT n) AS nodes, count(r) AS edges",
        "--format",
        "json",
        env=env,
    )
    assert result.exit_code == 0, result.output
    row = json.loads(result.stdout)[0]
    return int(row["nodes"]), int(row["edges"])


def _parquet(path: Path) -> None:
    table = pa.table({"persona": [f"A lighthouse keeper number {i} who counts ships" for i in range(6000)]})
    pq.write_table(table, path, row_group_size=1000)
    data = bytearray(path.read_bytes())
    middle = len(data) // 2
    data[middle : middle + 1500] = bytes((i * 37 + 11) % 256 for i in range(1500))  # a corrupt page, fixed bytes
    path.write_bytes(bytes(data))


# name, content (bytes, or a function that writes the file), exit code, words of the message
CASES: list[tuple[str, Any, int, str]] = [
    ("huge_hop.jsonl", b'{"persona": "A ferryman", "hop": 123456789012345678901234567890}\n', 3, ":1: hop:"),
    ("huge_uses.csv", b"persona,uses\nA ferryman,99999999999999999999999\n", 3, ":2: uses:"),
    ("huge_cluster.jsonl", b'{"persona": "A ferryman", "cluster": -1e30}\n', 3, "cluster:"),
    ("latin1.csv", "persona\nA caf\xe9 owner\n".encode("latin-1"), 3, ":2: not UTF-8 text"),
    ("latin1_header.csv", "p\xe9rsona\nA baker\n".encode("latin-1"), 3, ":1: not UTF-8 text"),
    ("long_cell.csv", b"persona\n" + b"x" * 140_000 + b"\n", 3, ":2: a field is longer than 131,072 characters"),
    ("deep.jsonl", b'{"persona": ' + b"[" * 3000 + b"]" * 3000 + b"}\n", 3, ":1: persona: expected a string"),
    ("deep_array.json", b"[" * 3000 + b"]" * 3000, 3, ":1: invalid JSON (nested too deep)"),
    ("corrupt.parquet", _parquet, 3, "corrupt Parquet data in row group"),
    (
        "at_key.jsonl",
        b'{"src": "A cook", "dst": "A baker", "type": "RIVAL", "@rid": "#9:9"}\n',
        3,
        ":1: property name '@rid'",
    ),
    ("zero_width.jsonl", '{"persona": "\u200b"}\n'.encode(), 3, ":1: persona: text is blank"),
    ("unterminated.csv", b'persona\n"A chef\nA baker\nA smith\n', 3, "unterminated quote"),
    ("stray_quote.csv", b'persona\nA "quoted" chef\n"A" baker\n', 3, ":3: CSV quoting"),
    ("duplicate_header.csv", b"persona,persona\nA chef,A baker\n", 3, ":1: duplicate column 'persona'"),
    (
        "self_loop.jsonl",
        b'{"src": "A cook", "dst": "A cook", "type": "RIVAL"}\n',
        3,
        ":1: src and dst are the same persona",
    ),
    ("not_an_object.json", b"[1, 2]\n", 3, ":1: expected a JSON object"),
    ("broken_array.json", b'[\n  {"persona": "A chef"},\n  {"persona": \n', 3, "invalid JSON"),
]


def _write(folder: Path, name: str, content: Any) -> Path:
    path = folder / name
    if callable(content):
        content(path)
    else:
        path.write_bytes(content)
    return path


@pytest.fixture(scope="module")
def seeded(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    """A store with two personas, so "nothing written" is a count that did not move."""
    folder = tmp_path_factory.mktemp("hostile")
    seed = folder / "seed.jsonl"
    seed.write_text('{"persona": "A harbour master"}\n{"persona": "A net mender"}\n')
    store = folder / "store"
    assert run(store, "import", str(seed)).exit_code == 0
    yield store


@pytest.mark.parametrize(("name", "content", "code", "words"), CASES, ids=[c[0] for c in CASES])
def test_a_hostile_file_is_one_line_and_writes_nothing(
    seeded: Path, tmp_path: Path, name: str, content: Any, code: int, words: str
) -> None:
    path = _write(tmp_path, name, content)
    before = count(seeded)
    result = run(seeded, "import", str(path))
    assert result.exit_code == code, result.output
    line = one_error_line(result)
    assert str(path) in line and words in line, line
    assert count(seeded) == before


def test_skip_bad_skips_what_it_can(seeded: Path, tmp_path: Path) -> None:
    mixed = tmp_path / "mixed.csv"
    mixed.write_bytes(
        b"persona,hop\n"
        b"A ferry captain,1\n"
        + "A caf\xe9 owner,0\n".encode("latin-1")
        + b"A tide watcher,123456789012345678901234567890\n"
        + b"\xe2\x80\x8b,0\n"  # a zero-width space only
        + b"A lock keeper,2\n"
    )
    corrupt = tmp_path / "corrupt.parquet"
    _parquet(corrupt)
    before = count(seeded)
    result = run(seeded, "import", "--skip-bad", str(mixed), str(corrupt))
    assert result.exit_code == 0, result.output
    assert f"skipped {mixed}:3: not UTF-8 text" in result.stderr
    assert f"skipped {mixed}:4: hop:" in result.stderr and f"skipped {mixed}:5: persona:" in result.stderr
    assert f"skipped {corrupt}:" in result.stderr and "corrupt Parquet data in row group" in result.stderr
    # 2 good CSV lines, and the Parquet rows outside the corrupt row group(s)
    added = count(seeded)[0] - before[0]
    assert 2 + 1000 <= added <= 2 + 5000, added


def test_csv_with_a_bom_and_a_pretty_json_array_are_read(tmp_path: Path) -> None:
    store = tmp_path / "store"
    bom = tmp_path / "excel.csv"
    bom.write_bytes(b"\xef\xbb\xbfpersona\nA night porter\n")
    array = tmp_path / "personas.json"
    array.write_text(json.dumps([{"persona": "A tram driver"}, {"persona": "A florist", "hop": 1}], indent=2))
    result = run(store, "import", str(bom), str(array), "--format", "json")
    assert result.exit_code == 0, result.output
    reports = json.loads(result.stdout)
    assert [r["personas_new"] for r in reports] == [1, 2]
    listed = run(store, "query", "MATCH (p:Persona) RETURN p.id AS id ORDER BY id", "--format", "json")
    ids = {row["id"] for row in json.loads(listed.stdout)}
    assert ids == {persona_id("A night porter"), persona_id("A tram driver"), persona_id("A florist")}


def test_a_bad_element_of_a_json_array_is_named_by_its_line(tmp_path: Path) -> None:
    array = tmp_path / "personas.json"
    array.write_text('[\n  {"persona": "A tram driver"},\n  {\n    "persona": "\\u200b"\n  }\n]\n')
    result = run(tmp_path / "store", "import", str(array))
    assert result.exit_code == 3
    assert one_error_line(result).startswith(f"error: {array}:3: persona: text is blank")


def test_a_folder_given_as_a_file_is_named(tmp_path: Path) -> None:
    folder = tmp_path / "personas.jsonl"
    folder.mkdir()
    result = run(tmp_path / "store", "import", str(folder))
    assert result.exit_code == 3
    assert one_error_line(result) == f"error: {folder}: is a folder, not a file (give the files in it)"
    assert not (tmp_path / "store").exists()  # refused before the store was opened


def test_self_loops_are_kept_when_asked_for(tmp_path: Path) -> None:
    loops = tmp_path / "loops.jsonl"
    loops.write_text('{"src": "A cook", "dst": "A cook", "type": "RIVAL"}\n')
    result = run(tmp_path / "store", "import", "--allow-self-loops", str(loops))
    assert result.exit_code == 0, result.output
    assert count(tmp_path / "store") == (1, 1)


def test_a_relation_type_that_is_an_sql_keyword_imports(tmp_path: Path) -> None:
    relations = tmp_path / "rels.jsonl"
    relations.write_text(
        '{"src": "A cook", "dst": "A baker", "type": "SELECT"}\n{"src": "A baker", "dst": "A cook", "type": "ORDER"}\n'
    )
    store = tmp_path / "store"
    result = run(store, "--relations", "SELECT,ORDER,RIVAL", "import", str(relations))
    assert result.exit_code == 0, result.output
    typed = run(
        store,
        "--relations",
        "SELECT,ORDER,RIVAL",
        "query",
        "MATCH ()-[r:SELECT]->() RETURN count(r) AS n",
        "--format",
        "json",
    )
    assert json.loads(typed.stdout) == [{"n": 1}]


@pytest.mark.parametrize(
    "command",
    [
        ["query", "RETURN $deep AS x"],
        ["explore", "neighbourhood"],
        ["cast", "--query", "MATCH (p:Persona) WHERE p.id IN $deep RETURN p"],
        ["view", "MATCH (p:Persona) WHERE p.id IN $deep RETURN p"],
    ],
    ids=["query", "explore", "cast", "view"],
)
def test_a_3000_deep_parameter_is_one_line(tmp_path: Path, command: list[str]) -> None:
    deep = "deep=" + "[" * 3000 + "]" * 3000
    result = run(tmp_path / "store", *command, "-p", deep)
    assert result.exit_code == 2, result.output
    assert "nested deeper than 64 levels" in one_error_line(result)


def test_an_endpoint_url_with_credentials_is_refused_and_not_shown(tmp_path: Path) -> None:
    texts = tmp_path / "texts.jsonl"
    texts.write_text('{"text": "The tide tables for March are out."}\n')
    env = {"OPENAI_BASE_URL": "http://user:Hunter2Hunter2@127.0.0.1:9/v1", "PERSONAGRAPH_MODEL": "m"}
    result = run(tmp_path / "store", "t2p", str(texts), env=env)
    assert result.exit_code == 2, result.output
    line = one_error_line(result)
    assert "carries credentials" in line and "Hunter2Hunter2" not in result.output


def test_the_clusters_clamp_and_the_sample_shortfall_are_said(tmp_path: Path) -> None:
    people = tmp_path / "people.jsonl"
    people.write_text("".join(json.dumps({"persona": f"A {job} on the east quay"}) + "\n" for job in JOBS))
    store = tmp_path / "store"
    assert run(store, "import", str(people)).exit_code == 0
    clustered = run(store, "cluster", "--clusters", "100000", "--embedder", "static")
    assert clustered.exit_code == 0, clustered.output
    assert "note: --clusters 100,000 is more than the 11 personas; made at most 11 clusters" in clustered.stderr
    sampled = run(store, "sample", "-n", "50", "--strategy", "random", "--embedder", "static", "--format", "json")
    assert sampled.exit_code == 0, sampled.output
    assert "note: asked for 50 personas, only 11 could be drawn from the candidates" in sampled.stderr
    assert json.loads(sampled.stdout)["size"] == 11


JOBS = [
    "welder",
    "net mender",
    "crane driver",
    "pilot",
    "diver",
    "clerk",
    "cook",
    "nurse",
    "tug skipper",
    "rigger",
    "guard",
]


def test_json_output_is_strict(tmp_path: Path) -> None:
    result = run(tmp_path / "store", "query", "RETURN 0.0 / 0.0 AS nan, 1.0 / 0.0 AS inf, 1.5 AS x", "--format", "json")
    assert result.exit_code == 0, result.output
    assert "NaN" not in result.stdout and "Infinity" not in result.stdout
    assert json.loads(result.stdout, parse_constant=lambda name: pytest.fail(f"{name} in strict JSON")) == [
        {"nan": None, "inf": None, "x": 1.5}
    ]


# -- over Bolt ------------------------------------------------------------------------------------


def _bolt_env(server: BoltServer) -> dict[str, str]:
    return {"PERSONAGRAPH_USER": server.user, "PERSONAGRAPH_PASSWORD": server.password}


@pytest.mark.bolt
def test_over_bolt_a_bad_relation_key_or_number_is_file_line_and_nothing_is_written(
    bolt_server: BoltServer, bolt_store: GraphStore, tmp_path: Path
) -> None:
    env = _bolt_env(bolt_server)
    mixed = tmp_path / "mixed.jsonl"
    lines = [{"persona": f"A bolt-side porter number {i}"} for i in range(5)]
    lines.append(
        {"src": "A bolt-side porter number 0", "dst": "A bolt-side porter number 1", "type": "RIVAL", "@type": "x"}
    )
    mixed.write_text("".join(json.dumps(line) + "\n" for line in lines))
    before = count(bolt_server.url, env)
    result = run(bolt_server.url, "--database", bolt_server.database, "import", str(mixed), env=env)
    assert result.exit_code == 3, result.output
    line = one_error_line(result)
    assert line.startswith(f"error: {mixed}:6: property name '@type'") and "MERGE" not in line
    assert count(bolt_server.url, env) == before

    huge = tmp_path / "huge.jsonl"
    huge.write_text('{"persona": "A bolt-side porter", "uses": 123456789012345678901234567890}\n')
    result = run(bolt_server.url, "--database", bolt_server.database, "import", str(huge), env=env)
    assert result.exit_code == 3
    assert one_error_line(result).startswith(f"error: {huge}:1: uses: ")
    assert count(bolt_server.url, env) == before


@pytest.mark.bolt
def test_over_bolt_a_batch_that_fails_in_its_relations_writes_none_of_its_personas(bolt_store: GraphStore) -> None:
    from personagraph.ingest.importer import _Batch, _write_in
    from personagraph.ingest.records import persona_row
    from personagraph.store.bulk import EdgeGroups

    batch = _Batch(records=3)
    batch.personas = [persona_row({"persona": f"A rollback witness number {i}"}) for i in range(2)]
    ids = [row["id"] for row in batch.personas]
    # A type outside the vocabulary fails inside the write, after the personas' MERGE ran in the
    # same transaction: the transaction must take them back.
    batch.relations = EdgeGroups.of([(ids[0], ids[1], "NOT_A_TYPE", {"run": "import"})])
    before = bolt_store.count("Persona")
    with pytest.raises(VocabularyError):
        bolt_store.transaction(functools.partial(_write_in, bolt_store, batch), name="import batch")
    assert bolt_store.count("Persona") == before
    assert all(bolt_store.persona(i) is None for i in ids)
