"""Where the shard functions run: this process, one shard at a time, or a Dask cluster.

Both engines take the same pure functions (plain data in, plain data out; files in the work folder
for anything large) and return their results in the order of the inputs, so a stage gives the same
result on either. Dask is imported only by ``DaskEngine``: ``--engine local`` never loads it.

``--engine dask`` without an address starts a ``distributed.LocalCluster`` of worker processes
bound to 127.0.0.1 for the run (no dashboard) and closes it at the end; with an address
(``--scheduler`` or Dask's own ``DASK_SCHEDULER_ADDRESS``) it connects to that cluster, whose
workers must see the work folder at the same path (a shared file system).
"""

from __future__ import annotations

import collections
import os
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from typing import Any, Protocol, TypeVar

from personagraph.errors import ConfigError

ENGINES = ("local", "dask")
SCHEDULER_ENV = "DASK_SCHEDULER_ADDRESS"
T = TypeVar("T")


class Engine(Protocol):
    name: str

    def map(self, fn: Callable[..., T], items: Sequence[Any], **kwargs: Any) -> list[T]:
        """``[fn(item, **kwargs) for item in items]``, in order."""
        ...

    def imap(self, fn: Callable[..., T], items: Sequence[Any], **kwargs: Any) -> Iterator[T]:
        """The same results one at a time, in order, each let go once taken: for results that are
        large together (the cluster's word counts: ~80 MB a shard, 12 GB held at once at 10M)."""
        ...


class LocalEngine:
    """Runs each shard function in this process, one after the other (the out-of-core path)."""

    name = "local"

    def map(self, fn: Callable[..., T], items: Sequence[Any], **kwargs: Any) -> list[T]:
        return [fn(item, **kwargs) for item in items]

    def imap(self, fn: Callable[..., T], items: Sequence[Any], **kwargs: Any) -> Iterator[T]:
        return (fn(item, **kwargs) for item in items)

    def close(self) -> None:
        pass


class DaskEngine:
    """Runs shard functions on a Dask cluster: the one at ``address``, or a LocalCluster on 127.0.0.1."""

    name = "dask"

    def __init__(self, address: str | None = None, n_workers: int = 2, threads_per_worker: int = 1) -> None:
        try:
            from distributed import Client, LocalCluster
        except ImportError as exc:  # pragma: no cover - the [dask] extra is not installed
            raise ConfigError(
                "the dask engine needs Dask's distributed scheduler",
                param="engine",
                hint="pip install 'personagraph[dask]'",
            ) from exc
        self.cluster: Any = None
        if address:
            self.client = Client(address, set_as_default=False)
        else:
            # Loopback only: nothing of the run is reachable from another machine. (The scheduler's
            # HTTP server starts even with dashboard_address=None, on port 8787 of the host: a free
            # port on 127.0.0.1 instead, so two runs never collide.)
            self.cluster = LocalCluster(
                host="127.0.0.1",
                n_workers=n_workers,
                threads_per_worker=threads_per_worker,
                processes=True,
                dashboard_address="127.0.0.1:0",
                worker_dashboard_address="127.0.0.1:0",
                silence_logs=40,  # errors only: the run's own output stays readable
            )
            try:
                self.client = Client(self.cluster, set_as_default=False)
            except BaseException:  # an interrupt or a failure here must not leave the workers running
                self.cluster.close()
                raise

    @property
    def scheduler_address(self) -> str:
        return str(self.client.scheduler_info(n_workers=0)["address"])

    def worker_addresses(self) -> list[str]:
        return sorted(self.client.scheduler_info(n_workers=-1)["workers"])

    def map(self, fn: Callable[..., T], items: Sequence[Any], **kwargs: Any) -> list[T]:
        if not items:
            return []
        return list(self.client.gather(self._submit(fn, items, kwargs)))

    def imap(self, fn: Callable[..., T], items: Sequence[Any], **kwargs: Any) -> Iterator[T]:
        pending = collections.deque(self._submit(fn, items, kwargs) if items else [])
        while pending:
            yield pending.popleft().result()  # the future let go: its result is released on the cluster

    def _submit(self, fn: Callable[..., Any], items: Sequence[Any], kwargs: dict[str, Any]) -> list[Any]:
        # Arrays shared by every task (centroids) are sent to the workers once, ahead: passed inline, a
        # large one became its own task named after the keyword and failed the scheduler's checks
        # (distributed 2026.8, a 1 MB array: "AssertionError: <TaskState 'centroids' processing>").
        shared = {k: self.client.scatter(v, broadcast=True) if hasattr(v, "nbytes") else v for k, v in kwargs.items()}
        # pure=False: a task is never skipped for having the same inputs as an earlier one (they write files).
        return list(self.client.map(fn, list(items), pure=False, **shared))

    def close(self) -> None:
        try:
            self.client.close()
        finally:
            if self.cluster is not None:
                self.cluster.close()


def scheduler_from_env() -> str | None:
    return os.environ.get(SCHEDULER_ENV) or None


@contextmanager
def open_engine(name: str = "local", scheduler: str | None = None, n_workers: int = 2) -> Iterator[Engine]:
    """The engine called ``name`` for the length of a run (a LocalCluster started here is closed here)."""
    if name not in ENGINES:
        raise ConfigError(f"unknown engine {name!r}", param="engine", hint=f"choose one of: {', '.join(ENGINES)}")
    if name == "local":
        if scheduler:
            raise ConfigError("scheduler needs engine 'dask'", param=("scheduler", "engine"))
        yield LocalEngine()
        return
    engine = DaskEngine(scheduler or scheduler_from_env(), n_workers=n_workers)
    try:
        yield engine
    finally:
        engine.close()
