"""The personas of the graph as Parquet shards in a work folder every worker can read.

Layout of a work folder (one per run, removed when the run ends, however it ends, or by the next
run after a SIGKILL: a run is not resumed from it, and its files are as large as the graph's texts
and vectors)::

    owner.lock                     locked by the run's process while it runs (see work_folder)
    personas/shard-00000.parquet   idx (int64, position in id order), id, text, hop, created_at
    ...                            (other stages add their own sub-folders of per-shard files)

The shards are written by this process from keyset pages of the graph (``shard_personas``: each
page costs its own size, so reading every persona is O(n)), one shard in memory at a time. Every
later stage takes a shard's path and returns plain data or writes files beside it: no store, no
JVM in a worker.
"""

from __future__ import annotations

import contextlib
import logging
import os
import secrets
import shutil
import tempfile
import time
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import IO, TYPE_CHECKING, Any

import numpy as np

from personagraph.runtime import checkpoint, cleanup_on_forced_exit

try:
    import fcntl
except ImportError:  # pragma: no cover - Windows
    fcntl = None  # type: ignore[assignment]

if TYPE_CHECKING:
    from personagraph.store.graph import GraphStore

# Rows per shard: 65,536 personas are ~10 MB of text, ~32 MB of float16 vectors at 256-d, and
# ~8 MB of band keys at 16 bands; small enough for two workers in a few GB, large enough that the
# per-task overhead of Dask (a few ms) is lost in the work.
SHARD_ROWS = 65_536
PAGE_ROWS = 10_000
OWNER_NAME = "owner.lock"  # locked by the run using the folder, for as long as it runs
KEPT_NAME = "KEPT"  # a folder kept on purpose (``keep``): never swept
# A lock is taken microseconds after the folder is made: a lockless folder this old is a dead run's.
UNLOCKED_GRACE_SECONDS = 60.0
log = logging.getLogger("personagraph.engine")


@dataclass(frozen=True)
class Shard:
    """One shard file: rows ``start`` .. ``start + rows - 1`` of the personas in id order."""

    number: int
    path: str
    start: int
    rows: int

    def sibling(self, folder: str | Path, suffix: str) -> str:
        """The path of this shard's file in another stage's ``folder`` (``shard-00003`` + suffix)."""
        return str(Path(folder) / f"shard-{self.number:05d}{suffix}")


@dataclass
class ShardSet:
    folder: Path
    shards: list[Shard]

    @property
    def total(self) -> int:
        return sum(s.rows for s in self.shards)

    def locate(self, idx: np.ndarray) -> np.ndarray:
        """Shard number of each global row index."""
        starts = np.array([s.start for s in self.shards], dtype=np.int64)
        return np.searchsorted(starts, idx, side="right") - 1


@contextmanager
def work_folder(parent: Path | None, work_dir: str | Path | None = None, keep: bool = False) -> Iterator[Path]:
    """A fresh folder for one run's shards: under ``work_dir`` if given, else ``parent`` (the store's
    side folder; none: the system's temporary folder); removed at the end unless ``keep``.

    Removed however the run ends: normally, on an exception, on SIGINT/SIGTERM (also when the
    interrupt watchdog ends the process: ``runtime.cleanup_on_forced_exit``). A run killed with
    SIGKILL cannot remove its own: the next run in the same place does (``sweep_stale_work_folders``).
    """
    base = Path(work_dir) if work_dir else (parent or Path(tempfile.gettempdir()) / "personagraph") / "work"
    base.mkdir(parents=True, exist_ok=True)
    swept = sweep_stale_work_folders(base)
    if swept:
        log.info("removed %d work folder(s) of runs that died: %s", len(swept), ", ".join(p.name for p in swept))
    folder, owner = _new_owned_folder(base)

    def remove() -> None:
        shutil.rmtree(folder, ignore_errors=True)

    try:
        with cleanup_on_forced_exit(remove):
            yield folder
    finally:
        if keep:
            (folder / KEPT_NAME).touch()
            (folder / OWNER_NAME).unlink(missing_ok=True)
        else:
            remove()
        owner.close()  # releases the lock (after the removal: no sweeper sees a half-removed live folder)
        if not keep:
            with contextlib.suppress(OSError):
                base.rmdir()  # only if no other run's folder is in it


def _new_owned_folder(base: Path) -> tuple[Path, IO[str]]:
    """``base/run-<time>-<random>`` holding ``owner.lock``, locked by this process for the run.

    Made under a hidden name and renamed once locked: a sweeper only looks at ``run-*`` names, so
    it never sees a folder whose owner has not taken its lock yet."""
    name = time.strftime("run-%Y%m%dT%H%M%S", time.gmtime()) + "-" + secrets.token_hex(3)
    hidden = base / ("." + name)
    hidden.mkdir()
    owner = (hidden / OWNER_NAME).open("w", encoding="utf-8")
    _lock(owner)
    owner.write(f"{os.getpid()}\n")  # for people: the lock, not the pid, is what a sweeper trusts
    owner.flush()
    folder = base / name
    hidden.rename(folder)
    return folder, owner


def sweep_stale_work_folders(base: Path) -> list[Path]:
    """Remove the work folders under ``base`` whose run has died; returns them.

    A live run holds an exclusive lock on its ``owner.lock`` (``flock``: the kernel drops it when the
    process ends, however it ends, so a reused pid never makes a dead run look alive). A folder whose
    lock can be taken is a dead run's. Kept folders (``keep``) and folders of a live run are left;
    a folder with no lock file (a run that died between making it and locking it) goes once it is
    older than ``UNLOCKED_GRACE_SECONDS``."""
    removed: list[Path] = []
    if not base.is_dir():
        return removed
    for folder in sorted(base.iterdir()):
        name = folder.name
        if not folder.is_dir() or not (name.startswith("run-") or name.startswith(".run-")):
            continue
        if (folder / KEPT_NAME).exists():
            continue
        young = True
        with contextlib.suppress(FileNotFoundError):
            young = time.time() - folder.stat().st_mtime <= UNLOCKED_GRACE_SECONDS
        if name.startswith(".") and young:
            continue  # being made: its owner may not have locked it yet
        try:
            owner = (folder / OWNER_NAME).open("r+", encoding="utf-8")
        except FileNotFoundError:
            if not young:
                shutil.rmtree(folder, ignore_errors=True)
                removed.append(folder)
            continue
        with owner:
            if not _try_lock(owner):
                continue  # a live run's
            shutil.rmtree(folder, ignore_errors=True)
            removed.append(folder)
    return removed


def _lock(handle: IO[str]) -> None:
    if fcntl is not None:
        fcntl.flock(handle.fileno(), fcntl.LOCK_EX)


def _try_lock(handle: IO[str]) -> bool:
    """Take the lock without waiting; False if another process holds it (its run is alive)."""
    if fcntl is None:  # no flock (Windows): a dead run's folder stays until removed by hand
        return False
    try:
        fcntl.flock(handle.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        return False
    return True


def write_persona_shards(
    store: GraphStore, folder: Path, shard_rows: int | None = None, page_rows: int = PAGE_ROWS
) -> ShardSet:
    """Every persona of the graph into Parquet shards of ``shard_rows`` rows (``SHARD_ROWS``), in id order:
    id, text, hop, created_at, the cluster and community the graph holds (null where none), and the
    element id (``rid``)."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    shard_rows = shard_rows or SHARD_ROWS
    target = folder / "personas"
    target.mkdir(parents=True, exist_ok=True)
    shards: list[Shard] = []
    pending: dict[str, list[Any]] = {
        key: [] for key in ("id", "text", "hop", "created_at", "cluster", "community", "rid")
    }
    start = 0

    def flush() -> None:
        nonlocal start
        rows = len(pending["id"])
        if not rows:
            return
        number = len(shards)
        path = target / f"shard-{number:05d}.parquet"
        table = pa.table(
            {
                "idx": pa.array(np.arange(start, start + rows, dtype=np.int64)),
                "id": pa.array([str(i) for i in pending["id"]], type=pa.string()),
                "text": pa.array([t if isinstance(t, str) else "" for t in pending["text"]], type=pa.string()),
                "hop": pa.array([_int_or_none(h) for h in pending["hop"]], type=pa.int64()),
                "created_at": pa.array([c if isinstance(c, str) else None for c in pending["created_at"]], pa.string()),
                # What `cluster` stored last time: its write-back skips the personas whose values stay.
                "cluster": pa.array([_int_or_none(c) for c in pending["cluster"]], type=pa.int64()),
                "community": pa.array([_int_or_none(c) for c in pending["community"]], type=pa.int64()),
                # The store's element id: where it is a record id, the write-back goes in record order.
                "rid": pa.array([r if isinstance(r, str) else None for r in pending["rid"]], pa.string()),
            }
        )
        pq.write_table(table, path)
        shards.append(Shard(number, str(path), start, rows))
        checkpoint("persona_shard")
        start += rows
        for column in pending.values():
            column.clear()

    after = ""
    while True:
        page = store.run_columns("shard_personas", after=after, limit=page_rows)
        ids = page.get("id") or []
        if not ids:
            break
        checkpoint("read_page")
        for key in pending:
            pending[key].extend(page.get(key) or [None] * len(ids))
        after = str(ids[-1])
        while len(pending["id"]) >= shard_rows:
            over = {k: v[shard_rows:] for k, v in pending.items()}
            for k in pending:
                del pending[k][shard_rows:]
            flush()
            for k, v in over.items():
                pending[k].extend(v)
    flush()
    return ShardSet(target, shards)


def _int_or_none(value: Any) -> int | None:
    if value is None or value != value:  # NaN: an integer column with nulls read as floats
        return None
    return int(value)


def read_column(path: str, column: str) -> list[Any]:
    import pyarrow.parquet as pq

    return pq.read_table(path, columns=[column]).column(column).to_pylist()  # type: ignore[no-any-return]


def read_rows(shard_set: ShardSet, idx: np.ndarray, columns: Sequence[str]) -> dict[str, list[Any]]:
    """The given columns of the rows at global indexes ``idx`` (sorted ascending), read shard by shard."""
    import pyarrow.parquet as pq

    out: dict[str, list[Any]] = {c: [] for c in columns}
    idx = np.asarray(idx, dtype=np.int64)
    where = shard_set.locate(idx)
    for number in np.unique(where).tolist():
        shard = shard_set.shards[number]
        local = idx[where == number] - shard.start
        table = pq.read_table(shard.path, columns=list(columns)).take(local)
        for c in columns:
            out[c].extend(table.column(c).to_pylist())
    return out


def vector_rows(path: str, rows: np.ndarray) -> np.ndarray:
    """Rows of one shard's vector file (memory-mapped), as float32."""
    part = np.load(path, mmap_mode="r")
    return np.ascontiguousarray(part[np.asarray(rows, dtype=np.int64)], dtype=np.float32)


def gather_vectors(global_idx: np.ndarray, vector_files: Sequence[str], starts: Sequence[int]) -> np.ndarray:
    """Vectors of global rows (sorted) from the per-shard ``.npy`` files, as float32."""
    starts_arr = np.asarray(starts, dtype=np.int64)
    where = np.searchsorted(starts_arr, global_idx, side="right") - 1
    out: np.ndarray | None = None
    for number in np.unique(where).tolist():
        mask = where == number
        block = vector_rows(vector_files[number], global_idx[mask] - starts_arr[number])
        if out is None:
            out = np.empty((len(global_idx), block.shape[1]), dtype=np.float32)
        out[mask] = block
    return out if out is not None else np.zeros((0, 0), dtype=np.float32)
