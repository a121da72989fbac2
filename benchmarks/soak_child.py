"""The soak's child process: the real `personagraph` CLI, with a memory sampler on a thread beside it.

    python benchmarks/soak_child.py MEMORY_LOG [--trace-python] -- <personagraph arguments>

Every ``SOAK_SAMPLE_EVERY`` seconds (default 5) one JSON line goes to MEMORY_LOG with the parts
of this process's memory, so the soak can say which part grows, not only that RSS does:

- ``rss_*``: resident memory from /proc (anonymous, file-backed);
- ``py_*``: Python: blocks allocated by the interpreter, objects the cyclic collector tracks,
  and with ``--trace-python`` the bytes tracemalloc traces (slower: every allocation is traced);
- ``malloc_*``: the C heap (glibc ``mallinfo2``): bytes in use and bytes held free.

Every ``SOAK_DETAIL_EVERY`` seconds (default 60) a ``detail`` line adds what grew since the first
detail: object counts by type and, with ``--trace-python``, tracemalloc's top growing lines.
The expansion's own containers that live for the whole run are counted too (the Expander is
found through its tasks), so a set or counter that grows per request shows by name.

The JVM's heap is not sampled from here: a JMX call from this thread hung the sampler for good
once the store had started (JPype), so the soak reads the JVM's own GC log instead (``-Xlog:gc``,
heap used before and after every collection and the heap committed).

The CLI ends the process with ``os._exit`` on SIGINT, so the last line written is the last sample.
"""

from __future__ import annotations

import asyncio
import ctypes
import gc
import json
import os
import sys
import threading
import time
import tracemalloc
from collections import Counter
from pathlib import Path
from typing import Any

SAMPLE_EVERY = float(os.environ.get("SOAK_SAMPLE_EVERY", "5"))
DETAIL_EVERY = float(os.environ.get("SOAK_DETAIL_EVERY", "60"))
MB = 1024 * 1024


class _MallInfo2(ctypes.Structure):
    _fields_ = [
        (name, ctypes.c_size_t)
        for name in ("arena", "ordblks", "smblks", "hblks", "hblkhd", "usmblks", "fsmblks", "uordblks", "fordblks")
    ] + [("keepcost", ctypes.c_size_t)]


def _mallinfo() -> dict[str, float]:
    try:
        libc = ctypes.CDLL("libc.so.6")
        libc.mallinfo2.restype = _MallInfo2
        info = libc.mallinfo2()
    except (OSError, AttributeError):
        return {}
    # uordblks: in use from the arenas; hblkhd: in use as separate mmaps; fordblks: held but free.
    return {
        "malloc_in_use_mb": round((info.uordblks + info.hblkhd) / MB, 1),
        "malloc_free_held_mb": round(info.fordblks / MB, 1),
    }


def _proc_status() -> dict[str, float]:
    wanted = {"VmRSS": "rss_mb", "RssAnon": "rss_anon_mb", "RssFile": "rss_file_mb", "VmSwap": "swap_mb"}
    out: dict[str, float] = {}
    for line in Path("/proc/self/status").read_text().splitlines():
        key, _, value = line.partition(":")
        if key in wanted:
            out[wanted[key]] = round(int(value.split()[0]) / 1024, 1)
    return out


def _running_expander() -> Any:
    """The Expander of the run, from the coroutine of one of its tasks (it predates the freeze of
    ``runtime.frozen_gc``, so the collector's lists no longer show it)."""
    for _ in range(3):
        try:
            tasks = list(asyncio.tasks._all_tasks)  # type: ignore[attr-defined]  # every task of every loop
        except RuntimeError:  # the set changed while copied: try again
            continue
        for task in tasks:
            frame = getattr(task.get_coro(), "cr_frame", None)
            candidate = frame.f_locals.get("self") if frame is not None else None
            if type(candidate).__name__ == "Expander":
                return candidate
    return None


def _expander_containers() -> dict[str, int]:
    """Sizes of the containers the running expansion keeps for the whole run."""
    expander = _running_expander()
    if expander is None:
        return {}
    report = expander.report
    return {
        "failed": len(expander.failed),
        "in_flight": len(expander.in_flight),
        "pending": len(expander.pending),
        "rejected_kinds": len(report.rejected),
        "relation_kinds": len(report.relations),
        "new_by_hop_kinds": len(report.new_by_hop),
    }


class Sampler(threading.Thread):
    def __init__(self, path: Path, trace: bool) -> None:
        super().__init__(name="soak-memory-sampler", daemon=True)
        self.path = path
        self.trace = trace
        self.started = time.monotonic()
        self.base_types: Counter[str] | None = None
        self.base_snapshot: tracemalloc.Snapshot | None = None
        self.next_detail = DETAIL_EVERY

    def run(self) -> None:
        with self.path.open("a", encoding="utf-8") as out:
            while True:
                time.sleep(SAMPLE_EVERY)
                line = self.sample()
                out.write(json.dumps(line) + "\n")
                out.flush()

    def sample(self) -> dict[str, Any]:
        t = time.monotonic() - self.started
        line: dict[str, Any] = {"t_s": round(t, 1), **_proc_status()}
        line.update(_mallinfo())
        line["py_blocks"] = sys.getallocatedblocks()
        line["py_gc_tracked"] = len(gc.get_objects())
        if self.trace:
            line["py_traced_mb"] = round(tracemalloc.get_traced_memory()[0] / MB, 1)
        if t >= self.next_detail:
            self.next_detail += DETAIL_EVERY
            line["detail"] = self.detail()
        return line

    def detail(self) -> dict[str, Any]:
        types = Counter(type(o).__qualname__ for o in gc.get_objects())
        detail: dict[str, Any] = {"expander": _expander_containers()}
        if self.base_types is None:
            self.base_types = types
        else:
            grown = types.copy()
            grown.subtract(self.base_types)
            detail["types_grown"] = dict(grown.most_common(15))
        if self.trace:
            snapshot = tracemalloc.take_snapshot().filter_traces([tracemalloc.Filter(False, tracemalloc.__file__)])
            if self.base_snapshot is None:
                self.base_snapshot = snapshot
            else:
                detail["lines_grown"] = [
                    {"where": str(stat.traceback[0]), "kb": round(stat.size_diff / 1024, 1), "count": stat.count_diff}
                    for stat in snapshot.compare_to(self.base_snapshot, "lineno")[:15]
                ]
        return detail


def main() -> None:
    args = sys.argv[1:]
    split = args.index("--")
    own, cli = args[:split], args[split + 1 :]
    trace = "--trace-python" in own
    if trace:
        tracemalloc.start(1)
    Sampler(Path(own[0]), trace).start()
    sys.argv = ["personagraph", *cli]
    from personagraph.cli import main as personagraph_main

    personagraph_main()


if __name__ == "__main__":
    main()
