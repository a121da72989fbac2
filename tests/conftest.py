"""Shared fixtures: real stores on disk, a real Bolt server in a subprocess.

``store`` runs each test on both executors: embedded ArcadeDB in a temp folder, and the neo4j
driver against ArcadeDB's Bolt server (``personagraph serve`` started once per session). Set
PERSONAGRAPH_TEST_BOLT_URL (and _USER, _PASSWORD) to run the Bolt half against a real Neo4j 5.
"""

from __future__ import annotations

import os
import shlex
import shutil
import subprocess
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import TypeVar

import pytest
from threadpoolctl import threadpool_limits

from personagraph.config import Secret, Settings
from personagraph.store import GraphStore, open_store
from tests.cpu_profile import register as register_cpu_profile
from tests.jvm_aot import aot_cache
from tests.llm_fixtures import *  # noqa
from tests.serve_process import free_port, serve_process, wait_for_port

ROOT = Path(__file__).resolve().parent.parent
T = TypeVar("T")
# Every JVM of the tests (this process's and the CLI children's) runs C1 only unless the caller chose:
# C2 spends the test-sized runs compiling code it barely uses again (measured: five embedded
# integration files in one process, 54.6 s of CPU with C2, 35.4 s C1 only, at load 30).
# tests/integration/test_jvm_workload.py still checks the product's own choice per workload.
TEST_JVM_JIT = os.environ.setdefault("PERSONAGRAPH_JVM_JIT", "quick")
# and the serial collector (read by arcadedb_embedded's start_jvm; cli_env passes it on): G1's
# concurrent threads cost more than they save on test-sized heaps (same files: 35.4 s -> 31.4 s),
# with the machine's AOT cache of ArcadeDB's classes (tests/jvm_aot.py: ~1.2 s of CPU a JVM start).
if "ARCADEDB_JVM_ARGS" not in os.environ:
    _cache = aot_cache("-XX:+UseSerialGC", TEST_JVM_JIT)
    os.environ["ARCADEDB_JVM_ARGS"] = "-XX:+UseSerialGC" + (
        f" -XX:AOTCache={shlex.quote(str(_cache))}" if _cache else ""
    )


def pytest_configure(config: pytest.Config) -> None:
    register_cpu_profile(config)  # PERSONAGRAPH_TEST_CPU=path.jsonl: per-test CPU (tests/cpu_profile.py)


# One BLAS/OpenMP thread a test process, this one and (through cli_env) its CLI children: two pytest-xdist
# workers take one core each, and a worker's second thread only spins on the other's core. Measured on the
# numeric files (tests/unit/test_dedup_algorithms.py, test_diversity.py, test_communities.py,
# test_sampling_strategies.py, tests/integration/test_dedup.py, test_sampling_store.py; one process, load 5-6):
# 37.3 -> 30.3 and 40.4 -> 33.0 s of CPU, the same tests passing. The variables reach the libraries loaded from
# now on (faiss's OpenMP, torch) and the children; numpy's OpenBLAS is loaded already (by a pytest plugin),
# so threadpoolctl limits it in place.
for _variable in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ.setdefault(_variable, "1")
threadpool_limits(limits=int(os.environ["OMP_NUM_THREADS"]))


@pytest.hookimpl(tryfirst=True)  # before xdist reads the groups
def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Everything under tests/e2e is marked ``e2e`` (the CLI end to end), so `make test-fast` can leave it out;
    the tests marked ``minilm`` share one pytest-xdist worker (its process imports torch once).

    Under pytest-xdist each worker starts its own Bolt server (``bolt_server`` is per session, and a
    worker is a session). A server given by PERSONAGRAPH_TEST_BOLT_URL is one database for all
    workers, and ``bolt_store`` wipes it: its tests then share one worker (``--dist loadgroup``).
    """
    e2e = ROOT / "tests" / "e2e"
    shared_server = bool(os.environ.get("PERSONAGRAPH_TEST_BOLT_URL"))
    for item in items:
        if Path(str(item.path)).is_relative_to(e2e):
            item.add_marker(pytest.mark.e2e)
        if item.get_closest_marker("minilm"):  # torch and sentence-transformers imported by one worker, not two
            item.add_marker(pytest.mark.xdist_group("minilm"))
        if shared_server and item.get_closest_marker("bolt"):
            item.add_marker(pytest.mark.xdist_group("bolt"))


def cli_env(**extra: str) -> dict[str, str]:
    """Environment for a `python -m personagraph` subprocess using this checkout."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("PERSONAGRAPH_", "OPENAI_"))}
    env["PYTHONPATH"] = str(ROOT) + os.pathsep + env.get("PYTHONPATH", "")
    env["PERSONAGRAPH_JVM_JIT"] = TEST_JVM_JIT
    env.update(extra)
    return env


@dataclass
class BoltServer:
    url: str
    user: str
    password: str
    database: str
    folder: Path | None = None

    def settings(self) -> Settings:
        return Settings(store=self.url, user=self.user, password=Secret(self.password), database=self.database)


@pytest.fixture(scope="session")
def bolt_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[BoltServer]:
    url = os.environ.get("PERSONAGRAPH_TEST_BOLT_URL")
    if url:
        yield BoltServer(
            url,
            os.environ.get("PERSONAGRAPH_TEST_BOLT_USER", "neo4j"),
            os.environ.get("PERSONAGRAPH_TEST_BOLT_PASSWORD", ""),
            os.environ.get("PERSONAGRAPH_TEST_BOLT_DATABASE", "neo4j"),
        )
        return
    folder = tmp_path_factory.mktemp("bolt-store")
    port = free_port()
    password = "test-password-1"
    log = (folder / "serve.log").open("wb")
    env = cli_env(PERSONAGRAPH_PASSWORD=password, PERSONAGRAPH_JVM_HEAP="2g")
    proc = serve_process(folder, port, env, stdout=log, cwd=folder)
    try:
        wait_for_port(port, proc)
        yield BoltServer(f"bolt://127.0.0.1:{port}", "root", password, "personas", folder)
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=30)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait(timeout=10)
        log.close()


def wipe(store: GraphStore) -> None:
    store.cypher("MATCH (n) DETACH DELETE n", write=True)


@pytest.fixture(scope="session")
def empty_store_folder(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A closed embedded store with the schema and nothing else, made once per session (worker)."""
    folder = tmp_path_factory.mktemp("empty-store") / "store"
    open_store(str(folder), Settings(store=str(folder))).close()
    return folder


@pytest.fixture
def embedded_store(tmp_path: Path, empty_store_folder: Path) -> Iterator[GraphStore]:
    # A copy of the session's empty store, not a new one: creating the types, indexes and constraints
    # took 1.5 s wall and 0.20 s CPU a store, the copy and the open 0.84 s and 0.08 s (measured in one
    # process, JVM warm, five of each, on the loaded shared machine); ~400 tests take this fixture.
    shutil.copytree(empty_store_folder, tmp_path / "store")
    store = open_store(str(tmp_path / "store"), Settings(store=str(tmp_path / "store")))
    yield store
    store.close()


@pytest.fixture
def bolt_store(bolt_server: BoltServer) -> Iterator[GraphStore]:
    store = open_store(bolt_server.url, bolt_server.settings())
    wipe(store)
    yield store
    wipe(store)
    store.close()


@pytest.fixture(params=["embedded", pytest.param("bolt", marks=pytest.mark.bolt)])
def store(request: pytest.FixtureRequest) -> GraphStore:
    """The same test on both executors."""
    name = "embedded_store" if request.param == "embedded" else "bolt_store"
    return request.getfixturevalue(name)  # type: ignore[no-any-return]


@dataclass
class CliTarget:
    """A store for the CLI in a subprocess, on either executor: its ``--store`` arguments and environment."""

    args: list[str]
    env: dict[str, str]
    request: pytest.FixtureRequest
    folder: Path | None = None  # the embedded store's folder (None: the Bolt server)

    def prepare(self, world: Callable[[GraphStore], T]) -> T:
        """``world(store)`` on the target's store; an embedded store is closed again so the CLI can open it."""
        if self.folder is None:
            return world(self.request.getfixturevalue("bolt_store"))
        with open_store(str(self.folder), Settings(store=str(self.folder))) as opened:
            return world(opened)


@pytest.fixture(params=["embedded", pytest.param("bolt", marks=pytest.mark.bolt)])
def cli_target(request: pytest.FixtureRequest, tmp_path: Path) -> CliTarget:
    """The same CLI test on both stores: an embedded store in a temp folder, and the session's Bolt server."""
    if request.param == "embedded":
        folder = tmp_path / "store"
        return CliTarget(["--store", str(folder)], cli_env(PERSONAGRAPH_JVM_HEAP="2g"), request, folder)
    server: BoltServer = request.getfixturevalue("bolt_server")
    env = cli_env(
        PERSONAGRAPH_USER=server.user, PERSONAGRAPH_PASSWORD=server.password, PERSONAGRAPH_DATABASE=server.database
    )
    return CliTarget(["--store", server.url], env, request)
