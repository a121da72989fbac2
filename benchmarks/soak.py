"""Soak: a long `personagraph expand` against a faulty local server; is it flat over time?

    python benchmarks/soak.py                     # 10 minutes, 20% faults, 100 ms latency, concurrency 32
    python benchmarks/soak.py --minutes 2         # a shorter run while developing
    python benchmarks/soak.py --trace-python      # also trace Python allocations (slower; for a diagnosis)
    python benchmarks/soak.py --seeds 500 --hops 20 --pool 0   # the graph grows all along (the first soak)
    python benchmarks/soak.py --jvm-args=-Xms512m --results benchmarks/results/soak-fixed-heap.json   # heap fixed

The OpenAI-compatible test server (tests/llm_server.py) runs in this process on 127.0.0.1 and
answers after ``--latency`` seconds; ``--faults`` of the requests get an injected fault (rate
limits, server errors, dropped connections, truncated JSON: 5% each by default). The expansion is
a real `personagraph expand` child (benchmarks/soak_child.py: the CLI plus a memory sampler) on an
embedded store, stopped with SIGINT when the time is up (it exits 130 and keeps its work).

The graph has about the same size all along, so that memory growth means a leak and not a bigger
graph: the store is seeded with enough hop-0 personas for the whole run (``--seeds``, by default
the ideal bound times the duration), expanded one hop only (``--hops 1``), and the server names
related personas from ``--pool`` fixed texts (300: all named within the first ~1,000 answers);
after that every answer links to personas already there. Only the edges grow (one per answer,
~3 per call), and their count is reported beside the memory.

Every ``--every`` seconds: the requests the server answered in the interval (calls/s beside the
ideal bound, concurrency / latency, the same run's ceiling), the child's CPU time, the load
average, and the child's memory in parts: RSS, the C heap, Python's allocated blocks and tracked
objects (and traced bytes with ``--trace-python``); the JVM heap comes from its GC log (used after
each collection, and committed). Growth after warm-up, per part: the largest value of the last
fifth of the run against the largest of an equal window ending when warm-up ends (the first fifth,
at least a minute, counted from the first request) (goal: RSS within 10%). Results go to
benchmarks/results/soak.json.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import signal
import statistics
import subprocess
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from results_file import pid_cpu, save_results  # noqa: E402

from tests.llm_server import LLMTestServer, _rates  # noqa: E402

RESULTS = ROOT / "benchmarks" / "results" / "soak.json"
CHILD = ROOT / "benchmarks" / "soak_child.py"
TICK = os.sysconf("SC_CLK_TCK")
# The parts of the child's memory whose growth after warm-up is reported (soak_child.py writes them).
PARTS = (
    "rss_mb",
    "rss_anon_mb",
    "rss_outside_jvm_heap_mb",
    "malloc_in_use_mb",
    "py_blocks",
    "py_gc_tracked",
    "py_traced_mb",
)
# ... and of the JVM heap, from its GC log: used before and after each collection, and committed.
GC_PARTS = ("jvm_heap_after_gc_mb", "jvm_heap_before_gc_mb", "jvm_heap_committed_mb")
GC_LINE = re.compile(r"^\[(\d+)ms\].*?GC\(\d+\) (Pause .*?) (\d+)M->(\d+)M\((\d+)M\)")


def child_env(base_url: str, work: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("PERSONAGRAPH_", "OPENAI_"))}
    env.update(
        PYTHONPATH=str(ROOT),
        OPENAI_BASE_URL=base_url,
        OPENAI_API_KEY="soak-key",
        PERSONAGRAPH_MODEL="soak-model",
        PERSONAGRAPH_JVM_HEAP="2g",
        # A fresh response cache: the seeds' prompts are the same every run, and a cache left by
        # an earlier soak (the default folder is in the home directory) would answer them all.
        PERSONAGRAPH_CACHE_DIR=str(work / "cache"),
    )
    return env


def seed_file(folder: Path, n: int) -> Path:
    path = folder / "seeds.jsonl"
    trades = ["welder", "nurse", "baker", "ferry pilot", "librarian", "tax clerk", "luthier", "beekeeper"]
    places = ["a northern shipyard", "a hill town", "the old port", "a river village", "a border city"]
    with path.open("w", encoding="utf-8") as out:
        for i in range(n):
            text = f"A {trades[i % len(trades)]} number {i} from {places[i % len(places)]} who keeps a notebook"
            out.write(json.dumps({"persona": text}) + "\n")
    return path


def graph_counts(cli: list[str], env: dict[str, str], work: Path) -> dict[str, Any]:
    done = subprocess.run([*cli, "stats", "--format", "json"], env=env, cwd=work, capture_output=True, text=True)
    if done.returncode != 0:
        return {"error": done.stderr.strip()[-300:]}
    stats = json.loads(done.stdout)
    return {
        "personas": stats["labels"].get("Persona"),
        "relations": sum(stats["relations"].values()),
        "hops": stats["hops"],
    }


def read_memory_log(path: Path) -> list[dict[str, Any]]:
    lines = []
    if path.exists():
        for line in path.read_text().splitlines():
            try:
                lines.append(json.loads(line))
            except json.JSONDecodeError:  # the last line, cut by the SIGINT
                break
    return lines


def read_gc_log(path: Path, started_wall: float) -> list[dict[str, Any]]:
    """One sample per collection pause (``-Xlog:gc`` with ``timemillis``): time since the start,
    heap used before and after, heap committed."""
    samples = []
    if path.exists():
        for line in path.read_text(errors="replace").splitlines():
            found = GC_LINE.match(line)
            if found:
                millis, kind, before, after, committed = found.groups()
                samples.append(
                    {
                        "t_s": round(int(millis) / 1000 - started_wall, 1),
                        "pause": kind.strip(),
                        "jvm_heap_before_gc_mb": int(before),
                        "jvm_heap_after_gc_mb": int(after),
                        "jvm_heap_committed_mb": int(committed),
                    }
                )
    return samples


def add_outside_heap(memory: list[dict[str, Any]], heap: list[dict[str, Any]]) -> None:
    """Each memory sample gets the JVM heap committed at that moment (the last pause before it) and
    the RSS outside it: the heap G1 commits grows in steps while -Xms < -Xmx, which is sizing, not a
    leak, and would hide what the rest does."""
    pauses = iter(heap)
    latest: dict[str, Any] | None = None
    upcoming = next(pauses, None)
    for sample in memory:
        while upcoming is not None and upcoming["t_s"] <= sample["t_s"]:
            latest, upcoming = upcoming, next(pauses, None)
        if latest is not None and "rss_mb" in sample:
            sample["jvm_heap_committed_mb"] = latest["jvm_heap_committed_mb"]
            sample["rss_outside_jvm_heap_mb"] = round(sample["rss_mb"] - latest["jvm_heap_committed_mb"], 1)


def growth(samples: list[dict[str, Any]], key: str, warm_end: float, tail_start: float) -> dict[str, Any] | None:
    """The largest value of ``key`` in the tail against the largest in an equal window ending at warm-up's end."""
    width = max(1.0, samples[-1]["t_s"] - tail_start) if samples else 1.0
    warm = [s[key] for s in samples if warm_end - width < s["t_s"] <= warm_end and s.get(key) is not None]
    tail = [s[key] for s in samples if s["t_s"] >= tail_start and s.get(key) is not None]
    if not warm or not tail or not max(warm):
        return None
    return {"warm": max(warm), "tail": max(tail), "growth": round(max(tail) / max(warm) - 1, 3)}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--minutes", type=float, default=10.0)
    parser.add_argument("--latency", type=float, default=0.1)
    parser.add_argument("--concurrency", type=int, default=32)
    parser.add_argument("--seeds", type=int, help="hop-0 personas (default: the ideal bound times the duration)")
    parser.add_argument("--hops", type=int, default=1)
    parser.add_argument(
        "--pool", type=int, default=300, help="texts the server's related personas come from (0: all new)"
    )
    parser.add_argument("--faults", default="429=0.05,500=0.05,drop=0.05,malformed=0.05")
    parser.add_argument("--every", type=float, default=5.0, help="seconds between samples")
    parser.add_argument("--jvm-args", default="", help="more JVM flags for the child, e.g. -Xms512m (a fixed heap)")
    parser.add_argument("--results", type=Path, default=RESULTS, help="where to save the JSON")
    parser.add_argument("--trace-python", action="store_true", help="trace Python allocations in the child (slower)")
    args = parser.parse_args()

    bound = args.concurrency / args.latency
    seeds = args.seeds or int(bound * args.minutes * 60)
    work = Path(tempfile.mkdtemp(prefix="personagraph-soak-"))
    store = work / "store"
    memory_log = work / "memory.jsonl"
    server = LLMTestServer(
        latency=args.latency,
        fault_rates=_rates(args.faults),
        retry_after=0.2,
        keep_bodies=False,
        persona_pool=args.pool or None,
    )
    server.start()
    env = {**child_env(server.base_url, work), "SOAK_SAMPLE_EVERY": str(args.every)}
    cli = [sys.executable, "-m", "personagraph", "--store", str(store)]
    subprocess.run([*cli, "import", str(seed_file(work, seeds))], env=env, cwd=work, check=True, capture_output=True)
    print(
        f"soak: {args.minutes:g} min, {seeds:,} seeds, {args.hops} hop(s), pool {args.pool or 'none'}, "
        f"faults {args.faults}, ideal bound {bound:.0f} calls/s; work folder {work}"
    )

    expand = ["expand", "--hops", str(args.hops), "--concurrency", str(args.concurrency), "--max-retries", "4"]
    child = [sys.executable, str(CHILD), str(memory_log), *(["--trace-python"] if args.trace_python else [])]
    gc_log = work / "gc.log"
    # The JVM's own log of every collection: heap used before and after, and committed.
    jvm_args = f"{os.environ.get('ARCADEDB_JVM_ARGS', '')} {args.jvm_args} -Xlog:gc:file={gc_log}:timemillis".strip()
    started_wall = time.time()
    proc = subprocess.Popen(
        [*child, "--", "--store", str(store), *expand],
        env={**env, "ARCADEDB_JVM_ARGS": jvm_args},
        cwd=work,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    started = time.monotonic()
    rates: list[dict[str, Any]] = []
    last_count, last_t, last_cpu = server.count, started, 0.0
    first_call: float | None = None  # the clock runs from the first request (a loaded machine starts slowly)
    while proc.poll() is None and time.monotonic() - (first_call or started) < args.minutes * 60:
        time.sleep(args.every)
        now, count, cpu = time.monotonic(), server.count, pid_cpu(proc.pid)
        if first_call is None and count:
            first_call = now - args.every
        sample = {
            "t_s": round(now - started, 1),
            "calls_per_s": round((count - last_count) / (now - last_t), 1),
            "child_cpu_share": round((cpu - last_cpu) / (now - last_t), 2),
            "load_1min": round(os.getloadavg()[0], 1),
        }
        rates.append(sample)
        memory = read_memory_log(memory_log)
        latest = memory[-1] if memory else {}
        heap = read_gc_log(gc_log, started_wall)
        pause = heap[-1] if heap else {}
        print(
            f"  {sample['t_s']:6.0f} s  {sample['calls_per_s']:6.1f} calls/s  child CPU {sample['child_cpu_share']:4.2f}"
            f"  load {sample['load_1min']:5.1f}  RSS {latest.get('rss_mb', 0):6.0f} MB  JVM heap after GC "
            f"{pause.get('jvm_heap_after_gc_mb', 0):5.0f} / committed {pause.get('jvm_heap_committed_mb', 0):5.0f} MB"
            f"  C heap {latest.get('malloc_in_use_mb', 0):5.0f} MB  Python blocks {latest.get('py_blocks', 0):,}"
        )
        last_count, last_t, last_cpu = count, now, cpu
    child_cpu = pid_cpu(proc.pid)
    ended_early = proc.poll() is not None
    if not ended_early:
        proc.send_signal(signal.SIGINT)
    try:
        _, err = proc.communicate(timeout=60)
    except subprocess.TimeoutExpired:
        proc.kill()
        _, err = proc.communicate()
    server.stop()
    counts = graph_counts(cli, {**env, "PERSONAGRAPH_JVM_JIT": "full"}, work)

    memory = read_memory_log(memory_log)
    heap = read_gc_log(gc_log, started_wall)
    add_outside_heap(memory, heap)
    statuses = Counter(str(r.get("status")) for r in server.requests)
    elapsed = rates[-1]["t_s"] if rates else 0.0
    begun = round((first_call or started) - started, 1)  # when requests began, since the child started
    warm_end = begun + max(60.0, (elapsed - begun) / 5)
    tail_start = elapsed - (elapsed - begun) / 5
    parts = {key: growth(memory, key, warm_end, tail_start) for key in PARTS}
    parts.update({key: growth(heap, key, warm_end, tail_start) for key in GC_PARTS})
    after_warm = [s["calls_per_s"] for s in rates if s["t_s"] > warm_end] or [0.0]
    tail_rates = [s["calls_per_s"] for s in rates if s["t_s"] >= tail_start] or [0.0]
    requests = sum(statuses.values())
    details = [m["detail"] for m in memory if "detail" in m]
    result = {
        "minutes": args.minutes,
        "latency_s": args.latency,
        "concurrency": args.concurrency,
        "faults": args.faults,
        "seeds": seeds,
        "hops": args.hops,
        "persona_pool": args.pool,
        "trace_python": args.trace_python,
        "jvm_args": args.jvm_args,
        "ideal_calls_per_s": bound,
        "requests": requests,
        "statuses": dict(statuses),
        "faulted_share": round(1 - statuses.get("200", 0) / max(requests, 1), 3),
        "calls_per_s_median_after_warmup": statistics.median(after_warm),
        "calls_per_s_median_last_fifth": statistics.median(tail_rates),
        "child_cpu_s": round(child_cpu, 1),
        "child_cpu_ms_per_call": round(1000 * child_cpu / max(requests, 1), 2),
        "load_1min_median": statistics.median([s["load_1min"] for s in rates]) if rates else None,
        "started_epoch_s": round(started_wall, 1),
        "requests_began_s": begun,
        "warmup_ends_s": warm_end,
        "growth_after_warmup": parts,
        "graph_at_end": counts,
        "last_detail": details[-1] if details else None,
        "exit_code": proc.returncode,
        "ended_before_time": ended_early,
        "stderr_tail": err.strip().splitlines()[-3:],
        "rates": rates,
        "memory": [{k: v for k, v in m.items() if k != "detail"} for m in memory],
        "jvm_heap": heap,
    }
    print(
        f"requests {requests:,} ({result['faulted_share']:.0%} faulted: {dict(statuses)}); median after warm-up "
        f"{result['calls_per_s_median_after_warmup']} calls/s, last fifth {result['calls_per_s_median_last_fifth']}, "
        f"against the bound {bound:.0f}; child CPU {result['child_cpu_ms_per_call']} ms per call; "
        f"load average (1 min) median {result['load_1min_median']}"
    )
    print(f"graph at the end: {counts}")
    for key, part in parts.items():
        if part is not None:
            print(f"  {key:26s} warm-up {part['warm']:>12,} tail {part['tail']:>12,}  growth {part['growth']:+.1%}")
    rss = parts.get("rss_mb")
    if rss is not None:
        print(f"RSS growth after warm-up {rss['growth']:+.1%} (goal: within 10%)")
    print(f"expand exit code {proc.returncode} ({'ended by itself' if ended_early else 'SIGINT at the time limit'})")
    save_results(args.results, result)


if __name__ == "__main__":
    main()
