"""Several `personagraph expand` workers on one Bolt server: calls/s and requests in flight over time.

Used by llm_pipeline.py (``--workers 1,2,4``). One `personagraph serve` (ArcadeDB's Bolt server) on
a fresh store; the OpenAI-compatible test server runs in this process and logs when each request
arrived, when its answer left and which worker asked (each has its own API key), so the number in
flight is sampled at the server every 10 ms, from the moment every worker has asked once (process
starts are not stalls) to the last request sent (after that the last hop drains and nothing is left
to ask). Calls/s count from the first request to the last answer. The ideal bound is workers x
concurrency / latency.

Whether the Bolt server limited the workers is read from CPU time, which a loaded machine does not
distort the way it distorts wall time: the server process's CPU seconds (its JVM included), the
workers' (all of them, once they exited) and the test server's (this process) over the run. The
server's write rate is the rows the workers wrote (new personas, edges, expanded marks) per second
of the run and per CPU-second of the server: the second, times the cores the server could have,
is the rate at which one server stops keeping up. Cores busy near the machine's count means the
machine, not the server, was the limit.
"""

from __future__ import annotations

import os
import resource
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from results_file import pid_cpu

ROOT = Path(__file__).resolve().parent.parent
STEP = 0.01  # seconds between in-flight samples


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _env(**extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("PERSONAGRAPH_", "OPENAI_"))}
    env["PYTHONPATH"] = str(ROOT) + os.pathsep + env.get("PYTHONPATH", "")
    env.update(extra)
    return env


def in_flight(intervals: list[tuple[float, float]], start: float, stop: float) -> list[int]:
    """Requests under way at each STEP from ``start`` to ``stop`` (a sweep over the sorted ends)."""
    events = sorted([(t0, 1) for t0, _ in intervals] + [(t1, -1) for _, t1 in intervals])
    samples, count, i = [], 0, 0
    t = start
    while t <= stop:
        while i < len(events) and events[i][0] <= t:
            count += events[i][1]
            i += 1
        samples.append(count)
        t += STEP
    return samples


def children_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def longest_dip(samples: list[int], below: float) -> float:
    """Longest stretch (seconds) with fewer than ``below`` requests in flight."""
    longest = run = 0
    for n in samples:
        run = run + 1 if n < below else 0
        longest = max(longest, run)
    return longest * STEP


class BoltServe:
    """`personagraph serve` on a temporary store, for the length of a ``with`` block."""

    password = "bench-password-1"

    def __enter__(self) -> BoltServe:
        self._folder = tempfile.TemporaryDirectory()
        self.port = _free_port()
        self._log = open(Path(self._folder.name) / "serve.log", "wb")  # closed in __exit__
        args = ["--store", f"{self._folder.name}/store", "serve", "--port", str(self.port)]
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "personagraph", *args, "--http-port", str(_free_port())],
            env=_env(PERSONAGRAPH_PASSWORD=self.password, PERSONAGRAPH_JVM_HEAP="2g"),
            stdout=self._log,
            stderr=subprocess.STDOUT,
            cwd=self._folder.name,
        )
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError("personagraph serve exited early")
            try:
                with socket.create_connection(("127.0.0.1", self.port), timeout=1):
                    return self
            except OSError:
                time.sleep(0.2)
        raise RuntimeError("personagraph serve did not start")

    @property
    def url(self) -> str:
        return f"bolt://127.0.0.1:{self.port}"

    def env(self, **extra: str) -> dict[str, str]:
        return _env(
            PERSONAGRAPH_STORE=self.url,
            PERSONAGRAPH_USER="root",
            PERSONAGRAPH_PASSWORD=self.password,
            PERSONAGRAPH_DATABASE="personas",
            **extra,
        )

    def __exit__(self, *exc: object) -> None:
        self.proc.terminate()
        try:
            self.proc.wait(timeout=30)
        except subprocess.TimeoutExpired:
            self.proc.kill()
        self._log.close()
        self._folder.cleanup()


def run_workers(
    serve: BoltServe, server: Any, workers: int, seeds: list[Any], hops: int, concurrency: int, latency: float
) -> dict[str, Any]:
    """Seed a fresh graph, run ``workers`` expand processes to the end, and read the server's log."""
    import json

    from personagraph.config import Secret, Settings
    from personagraph.store import open_store

    settings = Settings(store=serve.url, user="root", password=Secret(serve.password), database="personas")
    with open_store(serve.url, settings) as store:
        store.cypher("MATCH (n) DETACH DELETE n", write=True)
        store.upsert_personas(seeds)
    since = len(server.requests)
    with tempfile.TemporaryDirectory() as cache:
        environ = serve.env(
            OPENAI_BASE_URL=server.base_url, PERSONAGRAPH_CACHE_DIR=cache, PERSONAGRAPH_MODEL="bench-model", CI="1"
        )
        args = ["expand", "--hops", str(hops), "--concurrency", str(concurrency), "--format", "json"]
        cpu_before = (pid_cpu(serve.proc.pid), children_cpu(), time.process_time())
        load_before = os.getloadavg()
        started = time.perf_counter()
        procs = [
            subprocess.Popen(
                [sys.executable, "-m", "personagraph", *args],
                env={**environ, "OPENAI_API_KEY": f"sk-bench-{i}"},  # the server logs which worker asked
                cwd=ROOT,
                stdout=subprocess.PIPE,
                stderr=subprocess.PIPE,
                text=True,
            )
            for i in range(workers)
        ]
        reports, exits = [], []
        for proc in procs:
            out, err = proc.communicate(timeout=1800)
            exits.append(proc.returncode)
            if proc.returncode == 0:
                reports.append(json.loads(out))
            else:  # reported with the figures (a worker that exits is a finding, not a crash of the benchmark)
                print(f"  a worker exited {proc.returncode}: {err.strip().splitlines()[-1] if err.strip() else ''}")
        wall = time.perf_counter() - started
        load_after = os.getloadavg()
        serve_cpu = pid_cpu(serve.proc.pid) - cpu_before[0]
        workers_cpu = children_cpu() - cpu_before[1]
        llm_server_cpu = time.process_time() - cpu_before[2]
    records = [r for r in server.requests[since:] if r.get("end") is not None]
    intervals = [(float(r["time"]), float(r["end"])) for r in records]
    # From the moment every worker has asked once (a process start is not a stall) to the last request sent.
    first = max(min(float(r["time"]) for r in records if r["client"] == c) for c in {r["client"] for r in records})
    last_sent = max(t0 for t0, _ in intervals)
    last_end = max(t1 for _, t1 in intervals)
    samples = in_flight(intervals, first, last_sent) or [0]
    bound = workers * concurrency / latency
    calls = len(intervals)
    span = last_end - min(t0 for t0, _ in intervals)
    new_personas = sum(sum(r["new_by_hop"].values()) for r in reports)
    relations = sum(sum(r["relations"].values()) for r in reports)
    expanded = sum(r["expanded"] for r in reports)
    rows = new_personas + relations + expanded
    return {
        "workers": workers,
        "exit_codes": exits,
        "concurrency_each": concurrency,
        "calls": calls,
        "expanded": expanded,
        "new_personas": new_personas,
        "relations": relations,
        "conflicts_retried": sum(r.get("conflicts_retried", 0) for r in reports),
        "wall_s": wall,
        "llm_span_s": span,
        "calls_per_s": calls / span,
        "ideal_calls_per_s": bound,
        "share_of_bound": calls / span / bound,
        "in_flight_min": min(samples),
        "in_flight_p10": statistics.quantiles(samples, n=10)[0] if len(samples) > 1 else samples[0],
        "in_flight_median": statistics.median(samples),
        "in_flight_target": workers * concurrency,
        "longest_below_half_s": longest_dip(samples, workers * concurrency / 2),
        "rows_written": rows,
        "rows_per_s": rows / span,
        "server_cpu_s": serve_cpu,
        "server_cores_busy": serve_cpu / wall,
        "server_rows_per_cpu_s": rows / serve_cpu if serve_cpu else None,
        "workers_cpu_s": workers_cpu,
        "workers_cpu_ms_per_call": 1000 * workers_cpu / max(calls, 1),
        "llm_server_cpu_s": llm_server_cpu,
        "cores_busy": (serve_cpu + workers_cpu + llm_server_cpu) / wall,
        "load_average_before": [round(x, 2) for x in load_before],
        "load_average_after": [round(x, 2) for x in load_after],
    }


def workers_benchmark(
    counts: list[int], seeds: list[Any], hops: int, concurrency: int, latency: float
) -> list[dict[str, Any]]:
    """Run each worker count on one Bolt server against one test server; prints a table."""
    from tests.llm_server import LLMTestServer

    results = []
    with BoltServe() as serve, LLMTestServer(latency=latency, keep_bodies=False) as server:
        for n in counts:
            results.append(run_workers(serve, server, n, seeds, hops, concurrency, latency))
    print(
        f"\n`expand` workers on one Bolt server (ArcadeDB serve), {len(seeds)} seeds, --hops {hops}, "
        f"--concurrency {concurrency} each, {latency * 1000:.0f} ms server; in flight sampled at the server "
        "every 10 ms from the first request of the last worker to start to the last request sent"
    )
    print(
        f"  {'workers':>7s} {'calls':>6s} {'calls/s':>8s} {'bound':>7s} {'of bound':>9s} "
        f"{'in flight min / p10 / median of':>32s} {'longest < half':>15s} {'conflicts':>10s} {'exit codes':>11s}"
    )
    for r in results:
        flight = (
            f"{r['in_flight_min']} / {r['in_flight_p10']:.0f} / {r['in_flight_median']:.0f} of {r['in_flight_target']}"
        )
        print(
            f"  {r['workers']:7d} {r['calls']:6d} {r['calls_per_s']:8.1f} {r['ideal_calls_per_s']:7.0f} "
            f"{r['share_of_bound']:9.0%} {flight:>32s} {r['longest_below_half_s']:13.2f} s "
            f"{r['conflicts_retried']:10d} "
            f"{','.join(map(str, r['exit_codes'])):>11s}"
        )
    print(
        "  writes and CPU (CPU time is what load does not distort; cores busy: all three processes' CPU / wall, "
        f"of {os.cpu_count()} cores)"
    )
    print(
        f"  {'workers':>7s} {'rows':>6s} {'rows/s':>8s} {'server CPU s':>13s} {'server rows/CPU-s':>18s} "
        f"{'server cores':>13s} {'worker CPU ms/call':>19s} {'cores busy':>11s} {'load before / after':>20s}"
    )
    for r in results:
        per_cpu = f"{r['server_rows_per_cpu_s']:.0f}" if r["server_rows_per_cpu_s"] else "-"
        print(
            f"  {r['workers']:7d} {r['rows_written']:6d} {r['rows_per_s']:8.0f} {r['server_cpu_s']:13.2f} "
            f"{per_cpu:>18s} {r['server_cores_busy']:13.2f} {r['workers_cpu_ms_per_call']:19.2f} "
            f"{r['cores_busy']:11.2f} {r['load_average_before'][0]:9.1f} / {r['load_average_after'][0]:.1f}"
        )
    cores = os.cpu_count() or 1
    if max(r["load_average_before"][0] for r in results) > cores:
        print(
            f"  load above {cores} (the core count): calls/s and in flight above show CPU starvation; the server's "
            "CPU per row is the figure load distorts least"
        )
    return results
