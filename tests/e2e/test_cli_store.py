"""`personagraph import / export graph / query / stats` through Click's runner and a real process."""

from __future__ import annotations

import csv
import io
import json
import signal
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from personagraph.cli import main
from personagraph.ids import persona_id
from personagraph.store import GraphStore
from tests.cli_in_process import run_cli
from tests.conftest import BoltServer, cli_env, free_port

PEOPLE = [
    "A harbour master who keeps bees",
    "A ferry engineer with a fear of heights",
    "A lighthouse keeper who paints",
    "A diver",
]
RELS = [
    {"src": PEOPLE[0], "dst": PEOPLE[1], "type": "COLLEAGUE", "evidence": "same quay"},
    {"src": PEOPLE[1], "dst": PEOPLE[2], "type": "rival"},
    {"src": PEOPLE[2], "dst": PEOPLE[0], "type": "FRIEND_OF"},
]


def files(tmp_path: Path) -> tuple[Path, Path]:
    people, rels = tmp_path / "people.jsonl", tmp_path / "rels.csv"
    people.write_text("".join(json.dumps({"persona": p}) + "\n" for p in PEOPLE))
    with rels.open("w", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=["src", "dst", "type", "evidence"])
        writer.writeheader()
        writer.writerows(RELS)
    return people, rels


def cli(*args: str, **env: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "personagraph", *args],
        env=cli_env(PERSONAGRAPH_JVM_HEAP="1g", **env),
        capture_output=True,
        text=True,
        timeout=300,
    )


def one_error_line(stderr: str) -> str:
    lines = stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("error: "), stderr
    return lines[0]


def test_runner_import_export_query_stats(tmp_path: Path) -> None:
    runner = CliRunner()
    store = ["--store", str(tmp_path / "store")]
    people, rels = files(tmp_path)

    def run(*args: str) -> tuple[int, str, str]:
        result = runner.invoke(main, [*store, *args])
        return result.exit_code, result.stdout, result.stderr

    code, out, _ = run("import", str(people), str(rels))
    assert code == 0
    assert (
        f"{people}: 4 personas records, 4 new personas" in out and f"{rels}: 3 relations records, 0 new personas" in out
    )
    assert "3 new relations" in out
    code, out, _ = run("import", str(people), str(rels), "--format", "jsonl")
    assert code == 0 and [
        json.loads(line)["personas_new"] + json.loads(line)["relations_new"] for line in out.splitlines()
    ] == [0, 0]
    code, out, _ = run("import", str(people), str(rels), "--format", "json")
    assert code == 0 and [(r["path"], r["records"]) for r in json.loads(out)] == [(str(people), 4), (str(rels), 3)]
    code, out, _ = run("import", str(people), "--format", "csv")
    assert code == 0 and [(r["kind"], r["records"], r["personas_new"]) for r in csv.DictReader(io.StringIO(out))] == [
        ("personas", "4", "0")
    ]

    code, out, _ = run("stats", "--format", "json")
    stats = json.loads(out)
    assert stats["labels"]["Persona"] == 4 and stats["relations"] == {"COLLEAGUE": 1, "FRIEND_OF": 1, "RIVAL": 1}
    assert stats["degree"] == {"0": 1, "2": 3} and stats["origins"] == {"import": 4} and stats["hops"] == {"0": 4}
    code, out, _ = run("stats", "--format", "jsonl")
    assert code == 0 and len(out.splitlines()) == 1 and json.loads(out) == stats
    code, out, _ = run("stats", "--format", "csv")  # one row, nested keys joined with "."
    (flat,) = list(csv.DictReader(io.StringIO(out)))
    assert flat["labels.Persona"] == "4" and flat["relations.RIVAL"] == "1" and flat["degree.2"] == "3"
    code, out, _ = run("stats")
    assert code == 0 and "COLLEAGUE" in out and "{" not in out

    # Typed parameters: int, float, string, JSON list.
    query = (
        "MATCH (p:Persona) WHERE p.hop = $hop AND $ratio > 0.25 AND p.id IN $ids AND p.text STARTS WITH $prefix "
        "RETURN p.text AS text, $hop + 1 AS next, $ratio * 2 AS twice ORDER BY text"
    )
    params = [
        "-p",
        "hop=0",
        "-p",
        "ratio=0.5",
        "-p",
        "prefix=A ",
        "-p",
        f"ids={json.dumps([persona_id(PEOPLE[0]), persona_id(PEOPLE[3])])}",
    ]
    code, out, _ = run("query", query, *params, "--format", "json")
    assert code == 0 and json.loads(out) == [
        {"text": PEOPLE[3], "next": 1, "twice": 1.0},
        {"text": PEOPLE[0], "next": 1, "twice": 1.0},
    ]
    code, out, _ = run("query", query, *params, "--format", "csv")
    assert list(csv.DictReader(io.StringIO(out))) == [
        {"text": PEOPLE[3], "next": "1", "twice": "1.0"},
        {"text": PEOPLE[0], "next": "1", "twice": "1.0"},
    ]
    code, out, _ = run("query", query, *params, "--format", "jsonl")
    assert [json.loads(line)["text"] for line in out.splitlines()] == [PEOPLE[3], PEOPLE[0]]
    code, out, _ = run("query", query, *params)
    assert code == 0 and "diver" in out and "(2 rows)" in out
    query_file = tmp_path / "rivals.cypher"
    query_file.write_text("// rivals of someone\nMATCH (a:Persona {text: $who})-[:RIVAL]-(b) RETURN b.text AS rival\n")
    code, out, _ = run("query", "--file", str(query_file), "-p", f"who={PEOPLE[1]}", "--format", "json")
    assert code == 0 and json.loads(out) == [{"rival": PEOPLE[2]}]

    # A write is refused without --write and changes nothing; with --write it writes.
    code, _, err = run("query", "MATCH (p:Persona) DETACH DELETE p")
    assert code == 4 and "--write" in err and "DELETE" in err
    code, out, _ = run("query", "MATCH (p:Persona) RETURN count(p) AS n", "--format", "json")
    assert json.loads(out) == [{"n": 4}]
    code, out, _ = run(
        "query",
        "MATCH (p:Persona {text: $t}) SET p.cluster = 7 RETURN p.cluster AS c",
        "-p",
        f"t={PEOPLE[3]}",
        "--write",
        "--format",
        "json",
    )
    assert code == 0 and json.loads(out) == [{"c": 7}]
    assert json.loads(run("stats", "--format", "json")[1])["clusters"] == {"7": 1}
    code, _, err = run("query", "MATCH (p:Persona RETURN p")
    assert code == 4 and "MATCH (p:Persona RETURN p" in err and len(err.strip().splitlines()) == 1

    for fmt, names in (
        ("jsonl", ["personas.jsonl", "relations.jsonl"]),
        ("parquet", ["personas.parquet", "relations.parquet"]),
        ("graphml", ["graph.graphml"]),
    ):
        code, out, _ = run("export", "graph", str(tmp_path / fmt), "--format", fmt)
        assert code == 0 and "wrote 4 personas and 3 relations" in out
        assert sorted(p.name for p in (tmp_path / fmt).iterdir()) == sorted([*names, "export.json"])


def test_runner_input_errors(tmp_path: Path) -> None:
    runner = CliRunner()
    store = ["--store", str(tmp_path / "store")]
    bad = tmp_path / "bad.jsonl"
    bad.write_text("".join(json.dumps({"persona": f"A welder number {i}"}) + "\n" for i in range(9)) + "{oops\n")
    result = runner.invoke(main, [*store, "import", str(bad), "--batch-size", "4"])
    assert result.exit_code == 3 and result.stderr.startswith(f"error: {bad}:10: invalid JSON")
    assert json.loads(runner.invoke(main, [*store, "stats", "--format", "json"]).stdout)["labels"]["Persona"] == 8
    result = runner.invoke(main, [*store, "import", str(bad), "--skip-bad"])
    assert (
        result.exit_code == 0
        and "1 lines skipped" in result.stdout
        and f"skipped {bad}:10: invalid JSON" in result.stderr
    )
    result = runner.invoke(main, [*store, "import", str(tmp_path / "absent.csv")])
    assert result.exit_code == 3 and "absent.csv: no such file" in result.stderr
    (tmp_path / "people.txt").write_text("A welder\n")
    result = runner.invoke(main, [*store, "import", str(tmp_path / "people.txt")])
    assert result.exit_code == 3 and "unsupported format '.txt'" in result.stderr
    rels = tmp_path / "rels.jsonl"
    rels.write_text(json.dumps({"src": "a", "dst": "b", "type": "ARCH_NEMESIS"}) + "\n")
    result = runner.invoke(main, [*store, "import", str(rels)])
    assert result.exit_code == 3 and f"{rels}:1: unknown relation type 'ARCH_NEMESIS'" in result.stderr


def test_process_import_query_stats_and_a_malformed_line(tmp_path: Path) -> None:
    """In real processes the runs whose output a process could change: a run that succeeds, and the two
    errors that must be one line of stderr (a JVM or a logger writing there would show only in a process).
    The reads after them (stats, a query file, an export) run in this process (tests/cli_in_process.py),
    which reopens the store the processes left as a new process would (the test: 18.0 -> 13.3 s of CPU)."""
    people, rels = files(tmp_path)
    store = str(tmp_path / "store")
    result = cli("--store", store, "import", str(people), str(rels))
    assert result.returncode == 0, result.stderr
    assert "4 new personas" in result.stdout and "3 new relations" in result.stdout
    bad = tmp_path / "more.jsonl"
    bad.write_text(
        "".join(json.dumps({"persona": f"A welder number {i}"}) + "\n" for i in range(5)) + '{"persona": 3}\n'
    )
    result = cli("--store", store, "import", str(bad), "--batch-size", "2")
    assert result.returncode == 3
    assert one_error_line(result.stderr) == f"error: {bad}:6: persona: expected a string, got int"
    result = run_cli(["--store", store, "stats", "--format", "json"], env=cli_env(PERSONAGRAPH_JVM_HEAP="1g"))
    assert result.returncode == 0 and json.loads(result.stdout)["labels"]["Persona"] == 8  # 4 + two batches of 2
    query = tmp_path / "q.cypher"
    query.write_text(
        "MATCH (a:Persona)-[r]->(b:Persona) WHERE type(r) IN $types RETURN type(r) AS t, r.evidence AS e ORDER BY t"
    )
    result = run_cli(
        ["--store", store, "query", "--file", str(query), "-p", 'types=["COLLEAGUE", "RIVAL"]', "--format", "json"],
        env=cli_env(PERSONAGRAPH_JVM_HEAP="1g"),
    )
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout) == [{"t": "COLLEAGUE", "e": "same quay"}, {"t": "RIVAL", "e": None}]
    result = cli("--store", store, "query", "RETURN 1 +", "--format", "json")
    assert result.returncode == 4 and "RETURN 1 +" in one_error_line(result.stderr)
    result = run_cli(
        ["--store", store, "export", "graph", str(tmp_path / "out"), "--format", "parquet"],
        env=cli_env(PERSONAGRAPH_JVM_HEAP="1g"),
    )
    assert result.returncode == 0 and "wrote 8 personas and 3 relations" in result.stdout


def test_store_held_by_another_process(tmp_path: Path) -> None:
    store = str(tmp_path / "store")
    holder = subprocess.Popen(
        [
            sys.executable,
            "-c",
            "import sys, time; from personagraph.config import Settings; from personagraph.store import open_store; "
            f"s = open_store({store!r}, Settings(store={store!r})); print('ready', flush=True); sys.stdin.read()",
        ],
        env=cli_env(PERSONAGRAPH_JVM_HEAP="1g"),
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        text=True,
    )
    try:
        assert holder.stdout is not None and holder.stdout.readline().strip() == "ready"
        people, _ = files(tmp_path)
        result = cli("--store", store, "import", str(people))
        assert result.returncode == 4
        assert "open in another process" in one_error_line(result.stderr)
    finally:
        holder.communicate(input="", timeout=60)
    assert cli("--store", store, "import", str(tmp_path / "people.jsonl")).returncode == 0


@pytest.mark.bolt
def test_process_import_over_bolt_and_its_errors(
    bolt_server: BoltServer, bolt_store: GraphStore, tmp_path: Path
) -> None:
    people, rels = files(tmp_path)
    auth = {"PERSONAGRAPH_USER": bolt_server.user, "PERSONAGRAPH_DATABASE": bolt_server.database}
    result = cli(
        "--store",
        bolt_server.url,
        "import",
        str(people),
        str(rels),
        "--format",
        "jsonl",
        PERSONAGRAPH_PASSWORD=bolt_server.password,
        **auth,
    )
    assert result.returncode == 0, result.stderr
    reports = [json.loads(line) for line in result.stdout.splitlines()]
    assert [(r["write_path"], r["personas_new"], r["relations_new"]) for r in reports] == [
        ("cypher", 4, 0),
        ("cypher", 0, 3),
    ]
    assert bolt_store.count("Persona") == 4
    wrong = cli("--store", bolt_server.url, "import", str(people), PERSONAGRAPH_PASSWORD="not-the-password", **auth)
    assert wrong.returncode == 4 and "authentication failed" in one_error_line(wrong.stderr)
    closed = cli("--store", f"bolt://127.0.0.1:{free_port()}", "import", str(people), PERSONAGRAPH_PASSWORD="whatever1")
    assert closed.returncode == 4 and "unreachable" in one_error_line(closed.stderr)


@pytest.mark.slow
def test_import_killed_midway_then_run_again_gives_the_whole_graph(tmp_path: Path) -> None:
    people, rels = tmp_path / "people.jsonl", tmp_path / "rels.jsonl"
    texts = [f"A dock worker number {i} on the {('early', 'late', 'night')[i % 3]} shift" for i in range(4000)]
    people.write_text("".join(json.dumps({"persona": t}) + "\n" for t in texts))
    pairs = {
        (persona_id(texts[i]), persona_id(texts[(i * 7919 + k) % len(texts)]), ("COLLEAGUE", "RIVAL")[k % 2])
        for i in range(len(texts))
        for k in (1, 2, 3)
    }
    rels.write_text("".join(json.dumps({"src": a, "dst": b, "type": t}) + "\n" for a, b, t in sorted(pairs)))
    store = str(tmp_path / "store")
    # SIGKILL (no clean-up of any kind) after the 6th batch of 1,000: the four of personas are in, two of
    # the twelve of relations too (the crash harness's kill point, so it lands there every run).
    args = ["--store", store, "import", str(people), str(rels), "--batch-size", "1000", "--allow-self-loops"]
    killed = subprocess.run(  # --allow-self-loops: the generated pairs include a few
        [sys.executable, "-m", "personagraph", *args],
        env=cli_env(PERSONAGRAPH_JVM_HEAP="1g", PERSONAGRAPH_KILL_AT="import_batch:6"),
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert killed.returncode == -signal.SIGKILL, killed.stderr
    assert "4000 new personas" in killed.stdout
    result = cli("--store", store, "import", str(people), str(rels), "--allow-self-loops", "--format", "jsonl")
    assert result.returncode == 0, result.stderr
    reports = [json.loads(line) for line in result.stdout.splitlines()]
    assert reports[0]["personas_new"] == 0
    assert reports[1]["relations_new"] == len(pairs) - 2000  # the first run's two batches were kept
    counts = cli(
        "--store",
        store,
        "query",
        "MATCH (p:Persona) RETURN count(p) AS people, sum(COUNT { (p)-[]->(:Persona) }) AS out, "
        "sum(COUNT { (p)<-[]-(:Persona) }) AS incoming",
        "--format",
        "json",
    )
    assert counts.returncode == 0, counts.stderr
    assert json.loads(counts.stdout) == [{"people": len(texts), "out": len(pairs), "incoming": len(pairs)}]
