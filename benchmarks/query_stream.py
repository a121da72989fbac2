"""Peak memory of `personagraph query` printing a large result: streamed rows beside the whole list.

    python benchmarks/query_stream.py             # 1,000,000 rows
    python benchmarks/query_stream.py --rows 100000

Each figure is the peak RSS (``ru_maxrss`` of a child process: Python, the JVM and its heap) of one
CLI run of ``UNWIND range(1, N) AS i RETURN i, 'persona number ' + toString(i) AS text`` on an
embedded store, output to /dev/null, for ``--format jsonl``, ``csv`` and ``json``. The baseline, run
in the same session, is the code path before streaming (``store.cypher`` gives the whole list, then
it is rendered), driven through the same Python API in a child of its own.
"""

from __future__ import annotations

import argparse
import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from results_file import REPO, save_results

RESULTS = REPO / "benchmarks" / "results" / "query_stream.json"
QUERY = "UNWIND range(1, $n) AS i RETURN i, 'persona number ' + toString(i) AS text"
LISTED = """
import sys
from personagraph.config import Settings
from personagraph.store import open_store
from personagraph.cli.output import render
store = open_store(sys.argv[1], Settings(store=sys.argv[1]))
render(store.cypher(sys.argv[2], {"n": int(sys.argv[3])}), sys.argv[4])
store.close()
"""


def _child(args: list[str]) -> tuple[float, float]:
    """(peak RSS in MiB, seconds) of one child process writing to /dev/null."""
    env = {**os.environ, "PYTHONPATH": str(REPO), "PERSONAGRAPH_JVM_HEAP": "2g"}
    start = time.perf_counter()
    with open(os.devnull, "w") as sink:
        pid = os.fork()
        if pid == 0:  # the child: exec the command with stdout at /dev/null
            os.dup2(sink.fileno(), 1)
            os.execvpe(args[0], args, env)
        _, status, usage = os.wait4(pid, 0)
    if status != 0:
        raise SystemExit(f"child failed ({status}): {' '.join(args)}")
    return usage.ru_maxrss / 1024, time.perf_counter() - start


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=1_000_000)
    args = parser.parse_args()
    assert resource.getrusage(resource.RUSAGE_SELF)  # ru_maxrss is in KiB on Linux
    results: dict[str, object] = {"rows": args.rows, "figures": {}}
    with tempfile.TemporaryDirectory() as folder:
        store = str(Path(folder) / "store")
        subprocess.run(
            [sys.executable, "-m", "personagraph", "--store", store, "stats"],
            check=True,
            env={**os.environ, "PYTHONPATH": str(REPO)},
            capture_output=True,
        )
        for fmt in ("jsonl", "csv", "json"):
            listed = _child([sys.executable, "-c", LISTED, store, QUERY, str(args.rows), fmt])
            streamed = _child(
                [
                    sys.executable,
                    "-m",
                    "personagraph",
                    "--store",
                    store,
                    "query",
                    QUERY,
                    "-p",
                    f"n={args.rows}",
                    "--format",
                    fmt,
                ]
            )
            results["figures"][fmt] = {  # type: ignore[index]
                "streamed_peak_mib": round(streamed[0]),
                "streamed_seconds": round(streamed[1], 1),
                "listed_peak_mib": round(listed[0]),
                "listed_seconds": round(listed[1], 1),
            }
            print(
                f"{fmt:6} streamed: peak {streamed[0]:7.0f} MiB, {streamed[1]:5.1f} s   "
                f"baseline (whole list): peak {listed[0]:7.0f} MiB, {listed[1]:5.1f} s",
                flush=True,
            )
    save_results(RESULTS, results)


if __name__ == "__main__":
    main()
