"""Embedded ArcadeDB: a folder on disk, the JVM in this process, no server.

The folder is laid out as an ArcadeDB server root (``<folder>/databases/<name>``), so
``personagraph serve`` can serve the same folder over Bolt. Only one process may open it.
"""

from __future__ import annotations

import json
import os
import re
import threading
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

from personagraph.errors import (
    ConfigError,
    PersonaGraphError,
    QueryError,
    StoreConflictError,
    StoreError,
    StoreLockedError,
)
from personagraph.runtime import reinstall_interrupt_handlers
from personagraph.store.arcade_bulk import ArcadeBulkLoader
from personagraph.store.arcade_bulk import forget as forget_bulk_index
from personagraph.store.base import Capabilities, Row, Run
from personagraph.store.convert import java_value
from personagraph.store.integrity import EngineCheck, check_engine, repair_after_crash

SERVE_MARKER = "serve.json"
_LOGGING = Path(__file__).with_name("jvm-logging.properties")
_lock = threading.RLock()
_open: dict[str, tuple[Any, int]] = {}  # database path -> (Database, reference count)


# JIT choice by workload. C2 keeps compiling ArcadeDB's query code for tens of seconds; on a
# 2-core machine that takes a core from an LLM-bound run whose store work is small (measured:
# expand at 64 calls in flight, 5.3 ms of CPU per call with C2, 3.3 ms with C1 only). Bulk loads
# run the same code millions of times and need C2 (edges load at half the rate with C1 only).
WORKLOADS = ("bulk", "llm")
JIT_FLAGS = {"full": [], "quick": ["-XX:TieredStopAtLevel=1"]}


def jit_for(workload: str) -> str:
    """``full`` or ``quick``: PERSONAGRAPH_JVM_JIT when set, else by workload (llm: quick)."""
    chosen = os.environ.get("PERSONAGRAPH_JVM_JIT", "").strip().lower()
    if chosen in JIT_FLAGS:
        return chosen
    if chosen:
        raise StoreError(f"PERSONAGRAPH_JVM_JIT={chosen!r}: expected one of {', '.join(JIT_FLAGS)}")
    return "quick" if workload == "llm" else "full"


def _start_jvm(workload: str = "bulk") -> None:
    """Start the JVM of this process (once: later calls find it running, whatever the workload)."""
    from arcadedb_embedded import jvm

    if jvm.jpype.isJVMStarted():
        return
    cache = Path.home() / ".cache" / "personagraph"
    cache.mkdir(parents=True, exist_ok=True)
    os.environ.setdefault("ARCADEDB_JVM_ERROR_FILE", str(cache / "jvm-crash-%p.log"))
    args = [
        # -Xrs: the JVM leaves SIGINT and SIGTERM to Python (runtime.py ends the process within
        # seconds); its own handlers ran shutdown hooks, and once crashed in JPype's handler.
        "-Xrs",
        f"-Djava.util.logging.config.file={_LOGGING}",
        "-Darcadedb.server.logging.enabled=false",
        *JIT_FLAGS[jit_for(workload)],
    ]
    heap = os.environ.get("PERSONAGRAPH_JVM_HEAP")
    # The JVM prints an "incubator modules" warning on stderr at start: hide that one moment only.
    saved = os.dup(2)
    try:
        with open(os.devnull, "w") as devnull:
            os.dup2(devnull.fileno(), 2)
            jvm.start_jvm(heap_size=heap or "4g", jvm_args=args)
    finally:
        os.dup2(saved, 2)
        os.close(saved)
    reinstall_interrupt_handlers()


def served_by(folder: str | os.PathLike[str]) -> dict[str, Any] | None:
    """The marker a running ``personagraph serve`` leaves in the folder, if its process lives and is
    that server: a marker left by a killed server names a pid the system may have given to any
    other process since, so the pid alone proves nothing."""
    marker = Path(folder) / SERVE_MARKER
    try:
        info = json.loads(marker.read_text())
        pid = int(info["pid"])
        os.kill(pid, 0)
    except (OSError, ValueError, KeyError, TypeError):
        return None
    if not isinstance(info, dict) or not serving_process(pid, Path(folder), info.get("folder")):
        return None
    return dict(info)


def serving_process(pid: int, folder: Path, recorded: Any) -> bool:
    """Whether ``pid`` is a ``personagraph serve`` of ``folder`` (Linux: its /proc/PID/cmdline).

    ``recorded`` is the folder the marker names (markers since this check was added carry it); a
    marker copied along with its folder names the other one. Where /proc is missing (not Linux)
    a live pid is trusted as before. This process is trusted (``serve`` called from Python)."""
    if recorded is not None and str(recorded) != str(folder.expanduser().resolve()):
        return False
    if pid == os.getpid():
        return True
    try:
        argv = Path(f"/proc/{pid}/cmdline").read_bytes().split(b"\0")
    except FileNotFoundError:
        return not Path("/proc/self").exists()
    except OSError:
        return False
    words = [os.path.basename(arg.decode("utf-8", "replace")) for arg in argv]
    return "serve" in words and any("personagraph" in word for word in words)


_NOISE = re.compile(
    r"^(Query|Command) failed: |^Failed to commit transaction: |com\.arcadedb\.[\w.]+?(Exception|Error): | \(caused by [^)]*\)"
)


def _locked(exc: BaseException | None) -> bool:
    """Whether the engine's exception chain says another process holds the database."""
    seen = 0
    while exc is not None and seen < 10:
        if "locked by another process" in str(exc):
            return True
        exc, seen = exc.__cause__ or exc.__context__, seen + 1
    return False


def _java_chain(exc: BaseException | None) -> Iterator[Any]:
    """The Java exceptions behind ``exc``: down its Python cause chain, then the Java ``getCause()`` chain."""
    seen = 0
    while exc is not None and seen < 32:
        seen += 1
        if hasattr(exc, "getCause") and hasattr(exc, "getClass"):
            java: Any = exc
            while java is not None and seen < 64:
                yield java
                java, seen = java.getCause(), seen + 1
            return
        exc = exc.__cause__ or exc.__context__


def is_conflict(exc: BaseException) -> bool:
    """Whether the engine refused a write because another transaction got there first.

    By Java type, as ArcadeDB's own retry loop decides: ``NeedRetryException`` (concurrent
    modification, lock timeout) or ``DuplicatedKeyException`` (a unique id taken). Reached only
    once ``run_in_transaction`` has spent its retries on it.
    """
    import jpype

    if not jpype.isJVMStarted():
        return False
    conflicts = (
        jpype.JClass("com.arcadedb.exception.NeedRetryException"),
        jpype.JClass("com.arcadedb.exception.DuplicatedKeyException"),
    )
    return any(isinstance(java, conflicts) for java in _java_chain(exc))


def clean_message(exc: BaseException) -> str:
    text = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
    return _NOISE.sub("", text).strip()


class EmbeddedExecutor:
    kind = "embedded"
    # One process holds the folder (the engine locks it); ArcadeDB's index on a value most personas
    # share slows every deletion (dedup/merge.py), so a large merge may drop and re-make them.
    capabilities = Capabilities(
        single_process=True,
        bulk_load=True,
        droppable_indexes=True,
        side_folder=True,
        columnar_reads=True,
        engine_check=True,
    )

    def __init__(self, folder: str | os.PathLike[str], database: str = "personas", workload: str = "bulk") -> None:
        if workload not in WORKLOADS:
            raise ConfigError(f"workload {workload!r}: expected one of {', '.join(WORKLOADS)}")
        self.workload = workload
        self.folder = Path(folder).expanduser().resolve()
        self.database = database
        self.path = str(self.folder / "databases" / database)
        self.location = str(self.folder)
        self._closed = False
        with _lock:
            if self.path in _open:
                db, count = _open[self.path]
                _open[self.path] = (db, count + 1)
            else:
                db = self._open_database()
                _open[self.path] = (db, 1)
        self.db = db

    def _open_database(self) -> Any:
        served = served_by(self.folder)
        if served:
            raise StoreLockedError(
                f"store {self.folder} is open in `personagraph serve` (pid {served['pid']})",
                hint=f"open store {served['url']} while it runs",
                param="store",
            )
        try:
            self.folder.joinpath("databases").mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise StoreError(f"cannot create store folder {self.folder}: {exc.strerror}") from exc
        _start_jvm(self.workload)
        import arcadedb_embedded as adb

        try:
            if adb.database_exists(self.path):
                db = adb.open_database(self.path)
                repair_after_crash(db, self.path)
                return db
            return adb.create_database(self.path)
        except Exception as exc:  # the engine raises Java exceptions wrapped in several ways
            message = clean_message(exc)
            if _locked(exc):
                raise StoreLockedError(
                    f"store {self.folder} is open in another process",
                    hint="close it, or serve it with `personagraph serve` and use the Bolt URL",
                ) from exc
            raise StoreError(f"cannot open store {self.folder}: {message}") from exc

    def read(self, cypher: str, params: dict[str, Any], *, name: str) -> list[Row]:
        with _lock:
            try:
                result = self.db.query("opencypher", cypher, params) if params else self.db.query("opencypher", cypher)
                return [{k: java_value(v) for k, v in row.to_dict().items()} for row in result]
            except Exception as exc:
                raise QueryError(name, clean_message(exc)) from exc

    def plan(self, cypher: str, params: dict[str, Any], *, write: bool, name: str) -> str:
        """The plan of an ``EXPLAIN`` or ``PROFILE`` statement as text: EXPLAIN returns it as a row
        (``executionPlanAsString``), PROFILE runs the query and keeps it on the Java result set."""

        def run() -> str:
            if write:
                result = (
                    self.db.command("opencypher", cypher, params) if params else self.db.command("opencypher", cypher)
                )
            else:
                result = self.db.query("opencypher", cypher, params) if params else self.db.query("opencypher", cypher)
            rows = [] if result is None else list(result)
            for row in rows[:1]:
                if row.has_property("executionPlanAsString"):
                    return str(row.get("executionPlanAsString"))
            java = getattr(result, "_java_result_set", None)
            plan = java.getExecutionPlan() if java is not None else None
            if plan is not None and plan.isPresent():
                return str(plan.get().prettyPrint(0, 2))
            return "(the engine returned no plan)"

        if write:
            return str(self.in_transaction(run, name=name))
        with _lock:
            try:
                return run()
            except Exception as exc:
                raise QueryError(name, clean_message(exc)) from exc

    def stream(self, cypher: str, params: dict[str, Any], *, name: str) -> Iterator[Row]:
        """A read query's rows one at a time, converted as they are taken (the caller's memory stays flat)."""
        with _lock:
            try:
                result = self.db.query("opencypher", cypher, params) if params else self.db.query("opencypher", cypher)
                for row in result:
                    yield {k: java_value(v) for k, v in row.to_dict().items()}
            except Exception as exc:
                raise QueryError(name, clean_message(exc)) from exc

    def read_columns(self, cypher: str, params: dict[str, Any], *, name: str) -> dict[str, Any] | None:
        """A read query's result as columns (numpy arrays or lists), serialised in bulk on the Java
        side: ~3x faster than rows for large results. None where the engine cannot (caller uses rows)."""
        with _lock:
            try:
                result = self.db.query("opencypher", cypher, params) if params else self.db.query("opencypher", cypher)
                return result.to_columns()  # type: ignore[no-any-return]
            except Exception as exc:
                raise QueryError(name, clean_message(exc)) from exc

    def write(self, cypher: str, params: dict[str, Any], *, name: str) -> list[Row]:
        def run() -> list[Row]:
            result = self.db.command("opencypher", cypher, params) if params else self.db.command("opencypher", cypher)
            return [] if result is None else [{k: java_value(v) for k, v in row.to_dict().items()} for row in result]

        return self.in_transaction(run, name=name)

    def transaction(self, work: Callable[[Run], Any], *, name: str) -> Any:
        """Run ``work(run)`` in one write transaction; ``run(cypher, params)`` returns rows."""

        def run(cypher: str, params: dict[str, Any]) -> list[Row]:
            result = self.db.command("opencypher", cypher, params) if params else self.db.command("opencypher", cypher)
            return [] if result is None else [{k: java_value(v) for k, v in row.to_dict().items()} for row in result]

        return self.in_transaction(lambda: work(run), name=name)

    def in_transaction(self, fn: Callable[[], Any], *, name: str) -> Any:
        """Run ``fn`` in one transaction, retried on conflicts; a conflict that outlasts the retries
        raises ``StoreConflictError``."""
        with _lock:
            # What the bulk loader knows of ids and edges may not hold after an arbitrary write.
            forget_bulk_index(self.path)
            try:
                return self.db.run_in_transaction(fn)
            except PersonaGraphError:
                raise
            except Exception as exc:
                if is_conflict(exc):
                    raise StoreConflictError(name, clean_message(exc)) from exc
                raise QueryError(name, clean_message(exc)) from exc

    def bulk_loader(self) -> ArcadeBulkLoader:
        """The ``bulk_load`` capability: node and edge batches through ArcadeDB's batch API."""
        return ArcadeBulkLoader(self.db, self.path, _lock)

    def engine_check(self, fix: bool = False) -> EngineCheck:
        """The ``engine_check`` capability: ArcadeDB's ``CHECK DATABASE`` (integrity.py)."""
        with _lock:
            forget_bulk_index(self.path)
            return check_engine(self.db, fix=fix)

    def side_folder(self) -> Path:
        """The ``side_folder`` capability: side files (embeddings) live inside the store's folder."""
        return self.folder

    def close(self) -> None:
        if self._closed:
            return
        self._closed = True
        with _lock:
            db, count = _open.get(self.path, (None, 0))
            if db is None:
                return
            if count <= 1:
                del _open[self.path]
                forget_bulk_index(self.path)
                try:
                    db.close()
                except Exception as exc:  # seen after a Java OutOfMemoryError inside a query (a lock left held)
                    raise StoreError(f"closing the store {self.path} failed: {clean_message(exc)}") from exc
            else:
                _open[self.path] = (db, count - 1)
