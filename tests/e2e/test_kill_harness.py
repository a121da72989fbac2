"""Crash safety, proven: each command is killed with SIGKILL at a deterministic point, then reopened
and run again; the graph must equal a never-killed run's, with a clean engine check.

Kill points are named checkpoints in the code (personagraph/runtime.py ``checkpoint``), reached
through ``PERSONAGRAPH_KILL_AT=<stage>:<n>``. Each case copies a store template built once
(the example world plus planted near-duplicates), so a case costs two CLI runs and one reopen.
Only the killed run needs a process of its own; the templates, the never-killed references and the
re-run after the kill run the CLI in this process (tests/cli_in_process.py), which reopens the
killed store exactly as a new process would (recovery happens on open), without a JVM start and the
package imports per run.
After the re-run, on top of the equality: ``CHECK DATABASE`` reports nothing (embedded), no
persona lists an alias that is still a node, and no dedup run is left unfinished.
"""

from __future__ import annotations

import json
import shutil
import signal
import subprocess
import sys
from collections import Counter
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from personagraph.config import Settings
from personagraph.store import GraphStore, open_store
from tests.cli_in_process import run_cli
from tests.conftest import ROOT, BoltServer, cli_env, wipe
from tests.dedup_support import settings_with_cache
from tests.llm_fixtures import TEST_API_KEY
from tests.llm_server import LLMTestServer

pytestmark = pytest.mark.slow
WORLD = ROOT / "examples" / "world"
PLANTED = 15  # near-duplicates of world personas (one word added: word Jaccard ~0.96)


@dataclass(frozen=True)
class Case:
    template: str  # empty | personas | imported | clustered
    args: tuple[str, ...]
    kill: str  # PERSONAGRAPH_KILL_AT
    rerun: tuple[str, ...] | None = None  # another command line for the re-run (default: args)
    llm: bool = False

    @property
    def id(self) -> str:
        return f"{self.args[0]}-{self.template}-{self.kill}" + ("-other-options" if self.rerun else "")


IMPORT_PERSONAS = ("import", "{personas}", "--batch-size", "40")
IMPORT_RELATIONS = ("import", "{relations}", "--batch-size", "100")
IMPORT_BOTH = ("import", "{personas}", "{relations}", "--batch-size", "60")
DEDUP = ("dedup", "--stage", "minhash")
# The static embedder (the shared distilled model, tests/dedup_support.py): what is proved here is the
# crash safety of the commands, not the model, and MiniLM cost each worker that ran these cases torch's
# and sentence-transformers' imports (~13-18 s of CPU) plus encoding the world and the samples.
STATIC = ("--embedder", "static")
CLUSTER = ("cluster", "--clusters", "6", "--seed", "1", *STATIC)
SAMPLE = ("sample", "-n", "12", "--strategy", "kcenter", "--seed", "1", *STATIC)
SAMPLE_CHUNKED = (*SAMPLE, "--ledger-chunk", "5")  # the ledger in three transactions
SYNTH = ("synth", "--task", "math", "-n", "12", "--strategy", "random", "--seed", "3", "--concurrency", "2", *STATIC)
EXPORT = ("export", "graph", "{out}")

# `make test` runs a representative case per command and kind of checkpoint (DEFAULT); `make test-all`
# runs every case (the rest carry the `exhaustive` mark). A case costs a CLI process and an in-process
# run (8-80 s of a worker at idle, measured in the suite's durations): all 31 were 1,076 s of 2,804.
CASES = [
    *(Case("empty", IMPORT_PERSONAS, k) for k in ("import_batch:1", "import_batch:3", "bulk_nodes:1", "bulk_nodes:2")),
    *(Case("empty", IMPORT_PERSONAS, k) for k in ("bulk_nodes:4",)),
    *(Case("personas", IMPORT_RELATIONS, k) for k in ("bulk_edges:1", "bulk_edges:2", "bulk_edges:4", "bulk_edges:7")),
    Case("personas", IMPORT_RELATIONS, "import_batch:2"),
    *(Case("empty", IMPORT_BOTH, k) for k in ("bulk_edges:3", "import_batch:6")),
    *(Case("imported", DEDUP, k) for k in ("dedup_started:1", "dedup_merge:1", "dedup_batch:1", "dedup_finished:1")),
    Case("imported", DEDUP, "dedup_merge:1", rerun=("dedup", "--stage", "minhash", "--jaccard", "0.99")),
    *(Case("imported", CLUSTER, k) for k in ("strata_set:1", "clusters_cleared:1", "read_page:1")),
    *(Case("clustered", SAMPLE, k) for k in ("read_page:1", "sample_record:1")),
    Case("clustered", SAMPLE_CHUNKED, "sample_record_chunk:2"),
    *(Case("clustered", SYNTH, k, llm=True) for k in ("sample_record:1", "synth_flush:1", "synth_flush:2")),
    *(Case("clustered", EXPORT, k) for k in ("read_page:1", "read_page:2")),
]
BOLT_KILLS = ("cypher_chunk:2", "cypher_chunk:5", "import_batch:3")
DEFAULT = {
    "import-empty-import_batch:3",  # the Cypher write path
    "import-empty-bulk_nodes:2",  # the batch API, nodes
    "import-personas-bulk_edges:2",  # the batch API, edges
    "import-empty-import_batch:6",  # personas and relations in one command
    "dedup-imported-dedup_merge:1",  # mid-merge: the re-run finishes the cut-short run
    "dedup-imported-dedup_started:1",  # the run recorded, nothing merged yet
    "cluster-imported-clusters_cleared:1",
    "sample-clustered-sample_record:1",
    "sample-clustered-sample_record_chunk:2",  # the re-run undoes the batch cut short, then samples again
    "synth-clustered-synth_flush:1",
    "export-clustered-read_page:2",
    "cypher_chunk:2",  # over Bolt
}


def _param(value: Any, name: str) -> Any:
    marks = [] if name in DEFAULT else [pytest.mark.exhaustive]
    if isinstance(value, Case):
        # Cases on the same templates share a pytest-xdist worker: the module's templates and clean
        # references are made once per worker, and the embedded, clustered templates (embed, then
        # cluster's imports) are the costly ones. Two groups, so both workers still share the matrix.
        marks.append(
            pytest.mark.xdist_group("kill-" + ("import" if value.template in ("empty", "personas") else "world"))
        )
    return pytest.param(value, id=name, marks=marks)


def test_the_table_has_thirty_kill_points() -> None:
    assert len(CASES) + len(BOLT_KILLS) >= 30
    names = {c.id for c in CASES} | set(BOLT_KILLS)
    assert names >= DEFAULT  # no default case is a typo
    # Every command and both stores stay in the default set.
    assert {c.args[0] for c in CASES if c.id in DEFAULT} == {c.args[0] for c in CASES}
    assert DEFAULT & set(BOLT_KILLS)


def _files(tmp: Path) -> dict[str, Path]:
    """The world's personas with PLANTED near-duplicates, and its relations plus edges of the plants."""
    personas = [json.loads(line) for line in (WORLD / "personas.jsonl").read_text().splitlines() if line.strip()]
    relations = [json.loads(line) for line in (WORLD / "relations.jsonl").read_text().splitlines() if line.strip()]
    plants = [dict(p, persona=p["persona"] + " Truly.") for p in personas[:PLANTED]]
    relations += [
        {"src": plant["persona"], "dst": personas[-1 - i]["persona"], "type": "RIVAL"} for i, plant in enumerate(plants)
    ]
    files = {"personas": tmp / "personas.jsonl", "relations": tmp / "relations.jsonl"}
    files["personas"].write_text("".join(json.dumps(p) + "\n" for p in personas + plants))
    files["relations"].write_text("".join(json.dumps(r) + "\n" for r in relations))
    return files


class World:
    def __init__(self, root: Path, llm: LLMTestServer) -> None:
        self.root = root
        self.llm = llm
        self.files = _files(root)
        self.templates: dict[str, Path] = {}
        self.references: dict[tuple[str, tuple[str, ...]], dict[str, Any]] = {}

    def env(self, case_dir: Path, kill: str | None = None, llm: bool = False) -> dict[str, str]:
        extra = {"PERSONAGRAPH_CACHE_DIR": str(self.root / "cache"), "PERSONAGRAPH_JVM_HEAP": "1g", "CI": "1"}
        if kill:
            extra["PERSONAGRAPH_KILL_AT"] = kill
        if llm:
            extra |= {
                "OPENAI_BASE_URL": self.llm.base_url,
                "OPENAI_API_KEY": TEST_API_KEY,
                "PERSONAGRAPH_MODEL": "test-model",
            }
            # A private reply cache per run: a killed run's cache must not make the re-run cheaper
            # than a clean one in ways the comparison could miss.
            extra["PERSONAGRAPH_CACHE_DIR"] = str(case_dir / "cache")
        settings_with_cache(Path(extra["PERSONAGRAPH_CACHE_DIR"]))  # the shared static model in each cache
        return cli_env(**extra)

    def argv(self, args: tuple[str, ...], case_dir: Path) -> list[str]:
        names = {"personas": str(self.files["personas"]), "relations": str(self.files["relations"])}
        return [a.format(out=str(case_dir / "out"), **names) for a in args]

    def cli(
        self, store: str, args: tuple[str, ...], case_dir: Path, kill: str | None = None, llm: bool = False
    ) -> subprocess.CompletedProcess[str]:
        """A run to kill is a process of its own; any other runs in this process."""
        argv = ["--store", store, *self.argv(args, case_dir)]
        if kill is None:
            return run_cli(argv, env=self.env(case_dir, llm=llm), cwd=case_dir)
        return subprocess.run(
            [sys.executable, "-m", "personagraph", *argv],
            env=self.env(case_dir, kill, llm),
            capture_output=True,
            text=True,
            timeout=600,
            cwd=case_dir,
        )

    def template(self, name: str) -> Path:
        if name in self.templates:
            return self.templates[name]
        folder = self.root / "templates" / name
        folder.parent.mkdir(exist_ok=True)
        if name == "empty":
            folder.mkdir()
        else:
            base = {"personas": "empty", "imported": "empty", "clustered": "imported"}[name]
            shutil.copytree(self.template(base), folder)
            steps: list[tuple[str, ...]] = {
                "personas": [("import", "{personas}")],
                "imported": [("import", "{personas}", "{relations}"), ("embed", *STATIC)],
                "clustered": [CLUSTER],
            }[name]
            for step in steps:
                done = self.cli(str(folder), step, self.root)
                assert done.returncode == 0, done.stderr
        self.templates[name] = folder
        return folder

    def copy(self, template: str, case_dir: Path) -> str:
        store = case_dir / "store"
        shutil.copytree(self.template(template), store)
        return str(store)

    def reference(self, case: Case, tmp: Path) -> dict[str, Any]:
        key = (case.template, case.args)
        if key not in self.references:
            case_dir = tmp / "reference"
            case_dir.mkdir()
            store = self.copy(case.template, case_dir)
            done = self.cli(store, case.args, case_dir, llm=case.llm)
            assert done.returncode == 0, done.stderr
            self.references[key] = snapshot_folder(store) | {"files": output_files(case_dir / "out")}
        return self.references[key]


@pytest.fixture(scope="module")
def world(tmp_path_factory: pytest.TempPathFactory) -> Any:
    with LLMTestServer(api_key=TEST_API_KEY) as server:
        server.brain.latency = 0.3  # two calls at a time: synth writes its samples in several flushes
        yield World(tmp_path_factory.mktemp("kill-world"), server)


def _plain(props: dict[str, Any]) -> dict[str, Any]:
    """Properties without times (a re-run writes its own) and without run ids made of times."""
    return {k: v for k, v in props.items() if not k.endswith("_at") and k not in ("batch", "claim_checked")}


def snapshot(store: GraphStore) -> dict[str, Any]:
    personas = {
        row["id"]: _plain(row["props"])
        for row in store.cypher("MATCH (p:Persona) RETURN p.id AS id, properties(p) AS props")
    }
    triples = sorted(
        (row["src"], row["type"], row["dst"], json.dumps(_plain(row["props"] or {}), sort_keys=True))
        for row in store.cypher(
            "MATCH (a:Persona)-[r]->(b:Persona) RETURN a.id AS src, type(r) AS type, b.id AS dst, properties(r) AS props"
        )
    )
    others = Counter(
        (row["a"], row["type"], row["b"])
        for row in store.cypher(
            "MATCH (a)-[r]->(b) WHERE NOT (a:Persona AND b:Persona) "
            "RETURN labels(a)[0] AS a, type(r) AS type, labels(b)[0] AS b"
        )
    )
    labels = Counter(row["label"] for row in store.cypher("MATCH (n) RETURN labels(n)[0] AS label"))
    return {"personas": personas, "triples": triples, "other_edges": dict(others), "labels": dict(labels)}


def assert_sound(store: GraphStore) -> None:
    engine = store.engine_check()
    if engine is not None:
        assert engine.clean, engine
    assert store.run("check_alias_nodes") == []
    assert store.run("dedup_unfinished_runs") == []
    assert store.run("sampling/recording_batches", now=None) == []


def snapshot_folder(folder: str) -> dict[str, Any]:
    with open_store(folder, Settings(store=folder)) as store:
        assert_sound(store)
        return snapshot(store)


def output_files(folder: Path) -> dict[str, str]:
    if not folder.is_dir():
        return {}
    return {str(p.relative_to(folder)): p.read_text() for p in sorted(folder.rglob("*")) if p.is_file()}


@pytest.mark.parametrize("case", [_param(c, c.id) for c in CASES])
def test_killed_then_rerun_equals_a_clean_run(case: Case, world: World, tmp_path: Path) -> None:
    expected = world.reference(case, tmp_path)
    store = world.copy(case.template, tmp_path)
    killed = world.cli(store, case.args, tmp_path, kill=case.kill, llm=case.llm)
    assert killed.returncode == -signal.SIGKILL, f"not killed at {case.kill}: {killed.returncode} {killed.stderr}"
    again = world.cli(store, case.rerun or case.args, tmp_path, llm=case.llm)
    assert again.returncode == 0, again.stderr
    if case.kill in ("dedup_started:1", "dedup_merge:1", "dedup_batch:1"):
        assert "was cut short; finishing its" in again.stderr
    if case.kill == "sample_record_chunk:2":
        assert "was cut short while recorded: undid its 10 uses" in again.stderr
    got = snapshot_folder(store) | {"files": output_files(tmp_path / "out")}
    assert got["labels"] == expected["labels"]
    assert got["triples"] == expected["triples"]
    assert got["other_edges"] == expected["other_edges"]
    assert got["personas"] == expected["personas"]
    assert got["files"] == expected["files"]


@pytest.mark.bolt
@pytest.mark.parametrize("kill", [_param(k, k) for k in BOLT_KILLS])
def test_bolt_import_killed_then_rerun_equals_a_clean_run(
    kill: str, world: World, bolt_server: BoltServer, tmp_path: Path
) -> None:
    """Over Bolt the server survives the client's death: each Cypher chunk is its own transaction."""
    if bolt_server.folder is None:
        pytest.skip("an outside Bolt server: this test wipes the database")

    def run(kill_at: str | None = None) -> subprocess.CompletedProcess[str]:
        env = world.env(tmp_path, kill_at) | {
            "PERSONAGRAPH_PASSWORD": bolt_server.password,
            "PERSONAGRAPH_USER": bolt_server.user,
            "PERSONAGRAPH_DATABASE": bolt_server.database,
        }
        argv = ["--store", bolt_server.url, *world.argv(IMPORT_BOTH, tmp_path)]
        if kill_at is None:  # only the run to kill needs a process of its own
            return run_cli(argv, env=env, cwd=tmp_path)
        return subprocess.run(
            [sys.executable, "-m", "personagraph", *argv],
            env=env,
            capture_output=True,
            text=True,
            timeout=600,
            cwd=tmp_path,
        )

    with open_store(bolt_server.url, bolt_server.settings()) as store:
        wipe(store)
    assert run().returncode == 0
    with open_store(bolt_server.url, bolt_server.settings()) as store:
        expected = snapshot(store)
        wipe(store)
    assert run(kill).returncode == -signal.SIGKILL
    done = run()
    assert done.returncode == 0, done.stderr
    with open_store(bolt_server.url, bolt_server.settings()) as store:
        assert_sound(store)
        assert snapshot(store) == expected
