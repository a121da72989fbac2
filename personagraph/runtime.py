"""Python runtime settings for long jobs that share the process with the embedded store's JVM.

JPype runs a full Python garbage collection, holding the GIL, after Java collections; a bulk
load makes many of both. A full collection walks every tracked object, so with a large in-memory
id index each pass costs tens of milliseconds (measured: importing 900k relations, 38.9 s with
the collector on, 30.8 s with it paused; in an expansion at 64 calls in flight, 17% of GIL time).

- ``paused_gc``: no cyclic collection for the duration (bulk loads: their rows are freed by
  reference counting).
- ``frozen_gc``: objects alive at the start are left out of every collection (long LLM runs, whose
  new objects must still be collected).

Neither forces a full collection on entry or exit: the collector's own thresholds decide when one
runs after the block. A forced one costs a walk of every object in the process: in the test suite's
one process (hundreds of imports and expansions), 31% of the fast tier's samples were those two
``gc.collect()`` calls (132.6 s of CPU for the tier with them, 98.0 s without).
"""

from __future__ import annotations

import gc
import os
import select
import signal
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager, suppress


@contextmanager
def paused_gc() -> Iterator[None]:
    """Disable the cyclic garbage collector inside the block (re-entrant; restores the old state)."""
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


@contextmanager
def frozen_gc() -> Iterator[None]:
    """Move what exists now out of the collector's sight for the block, then back."""
    gc.freeze()
    try:
        yield
    finally:
        gc.unfreeze()


# -- kill points (tests) -------------------------------------------------------------------------
# The crash harness (tests/e2e/test_kill_harness.py) sets PERSONAGRAPH_KILL_AT=<stage>:<n>: the
# n-th time the process passes the checkpoint named <stage> it sends itself SIGKILL, so a crash
# lands at the same place on every run. Unset, a checkpoint costs one global lookup.
KILL_ENV = "PERSONAGRAPH_KILL_AT"
_kill_at: tuple[str, int, signal.Signals] | None = None
_kill_hits = 0


def _read_kill_plan() -> tuple[str, int, signal.Signals] | None:
    """``stage:n`` (SIGKILL) or ``stage:n:INT`` / ``stage:n:TERM`` (the interrupt tests)."""
    stage, _, rest = os.environ.get(KILL_ENV, "").partition(":")
    count, _, name = rest.partition(":")
    return (stage, int(count or "1"), signal.Signals["SIG" + (name or "KILL")]) if stage else None


class StepClock:
    """Wall seconds per named step of a long run, into ``seconds`` (a step timed twice adds up)."""

    def __init__(self, seconds: dict[str, float] | None = None) -> None:
        self.seconds = seconds if seconds is not None else {}
        self.last = time.perf_counter()

    def lap(self, name: str) -> None:
        """The time since the last lap (or the start) goes to step ``name``."""
        now = time.perf_counter()
        self.seconds[name] = self.seconds.get(name, 0.0) + now - self.last
        self.last = now


def checkpoint(stage: str) -> None:
    """A named place where the crash harness may kill the process (see ``KILL_ENV``)."""
    global _kill_hits
    if _kill_at is None or _kill_at[0] != stage:
        return
    _kill_hits += 1
    if _kill_hits == _kill_at[1]:
        os.kill(os.getpid(), _kill_at[2])


_kill_at = _read_kill_plan()


# -- interrupts ----------------------------------------------------------------------------------
# Python runs a signal handler only between bytecodes of the main thread, so a Ctrl-C that lands
# in a long engine call (a JVM query, a bulk batch) waited for the call to end (measured by the
# probe: 30 s after SIGINT/SIGTERM). The handler below raises KeyboardInterrupt as usual; besides,
# the interpreter's C-level handler writes the signal's number to a pipe at once (set_wakeup_fd), and
# a watchdog thread reading that pipe ends the process after GRACE_SECONDS if the main thread has
# not. Ending it then is as safe as kill -9, which the crash harness proves for every command.
# The JVM is started with -Xrs (store/embedded.py) so it leaves SIGINT and SIGTERM to Python.
INTERRUPTED = "interrupted; work done so far is kept"
GRACE_SECONDS = 3.0
EXIT_CODES = {signal.SIGINT: 130, signal.SIGTERM: 143}
_received: list[int] = []
_reported = threading.Event()
_installed = False


def interrupt_exit_code() -> int:
    """The exit code for the signal that interrupted this process (130 for Ctrl-C)."""
    return EXIT_CODES.get(signal.Signals(_received[0]), 130) if _received else 130


def signalled() -> bool:
    """Whether SIGINT or SIGTERM reached this process under ``interrupts_end_the_process``."""
    return bool(_received)


def report_interrupt() -> None:
    """Print the interrupt message once (the main thread or the watchdog, whichever comes first)."""
    if not _reported.is_set():
        _reported.set()
        os.write(2, (INTERRUPTED + "\n").encode())


def _on_signal(signum: int, frame: object) -> None:
    if not _received:
        _received.append(signum)
    raise KeyboardInterrupt


def _watch(read_fd: int, grace: float) -> None:
    while True:
        try:
            data = os.read(read_fd, 64)
        except OSError:
            return
        if not data:
            return  # the pipe was closed: handlers uninstalled
        # A command that put in its own handler (``serve`` stops its server itself) is left alone.
        signums = [n for n in data if n in EXIT_CODES and signal.getsignal(n) is _on_signal]
        if not signums:
            continue
        if not _received:
            _received.append(signums[0])
        if len(signums) < 2:  # a second signal ends the process at once
            _wait_unless_signalled(read_fd, grace)
        report_interrupt()
        _run_forced_exit_cleanups()
        os._exit(interrupt_exit_code())


def _wait_unless_signalled(read_fd: int, grace: float) -> None:
    """Wait ``grace`` seconds, or less if another signal arrives."""
    deadline = time.monotonic() + grace
    while (left := deadline - time.monotonic()) > 0:
        try:
            ready, _, _ = select.select([read_fd], [], [], left)
            data = os.read(read_fd, 64) if ready else b""
        except OSError:
            data = b""
        if any(n in EXIT_CODES for n in data):
            return
        if ready and not data:  # pipe closed: keep waiting out the grace period without it
            time.sleep(max(0.0, deadline - time.monotonic()))
            return


# os._exit runs no finally block and no atexit handler: what must not outlive a run that the
# watchdog ends (a run's work folder of shards: GBs at 1M personas) is registered here, and removed
# by the watchdog just before it ends the process.
_forced_exit_cleanups: list[Callable[[], None]] = []


@contextmanager
def cleanup_on_forced_exit(cleanup: Callable[[], None]) -> Iterator[None]:
    """Within the block, ``cleanup()`` runs if the watchdog ends the process (its normal path is the caller's)."""
    _forced_exit_cleanups.append(cleanup)
    try:
        yield
    finally:
        with suppress(ValueError):
            _forced_exit_cleanups.remove(cleanup)


def _run_forced_exit_cleanups() -> None:
    for cleanup in reversed(list(_forced_exit_cleanups)):
        with suppress(Exception):
            cleanup()


@contextmanager
def interrupts_end_the_process(grace: float = GRACE_SECONDS) -> Iterator[None]:
    """SIGINT and SIGTERM raise KeyboardInterrupt in the main thread and, if it has not ended the
    process within ``grace`` seconds (a long engine call), end it from a watchdog thread with
    exit 130 / 143 and ``INTERRUPTED`` on stderr. Only from the main thread; elsewhere a no-op."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    read_fd, write_fd = os.pipe()
    os.set_blocking(write_fd, False)
    global _installed
    old_handlers = {sig: signal.signal(sig, _on_signal) for sig in EXIT_CODES}
    _installed = True
    old_fd = signal.set_wakeup_fd(write_fd, warn_on_full_buffer=False)
    watchdog = threading.Thread(target=_watch, args=(read_fd, grace), name="interrupt-watchdog", daemon=True)
    watchdog.start()
    try:
        yield
    finally:
        _installed = False
        # Interrupted, the watchdog keeps its deadline, so shutting down (the JVM's exit waits on
        # its threads) cannot outlast the grace period.
        if not _received:
            signal.set_wakeup_fd(old_fd)
            for sig, handler in old_handlers.items():
                signal.signal(sig, handler)
            os.close(write_fd)
            watchdog.join(timeout=1)
            os.close(read_fd)


def reinstall_interrupt_handlers() -> None:
    """Put this module's handlers back if something started later (the JVM) replaced them."""
    if not _installed or threading.current_thread() is not threading.main_thread():
        return
    for sig in EXIT_CODES:
        if signal.getsignal(sig) is not _on_signal:
            signal.signal(sig, _on_signal)
