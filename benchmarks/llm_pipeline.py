"""Persona-to-Persona throughput against a local OpenAI-compatible server with a fixed latency.

The server (tests/llm_server.py) runs in its own process and answers every request after
``--latency`` seconds, so the ideal bound is ``concurrency / latency`` calls per second. The
expansion runs on an embedded store seeded with real Persona Hub personas (or generated ones),
with a fresh response cache, so every persona costs one real HTTP call and one share of a store
write. Printed beside the bound: achieved calls/s, and process CPU time per call (all threads of
this process: the event loop, the HTTP client, the store thread and the JVM), and the same figures
for the client alone (no store) as a peer floor.

    python benchmarks/llm_pipeline.py            # 4,000 calls at concurrency 64, 200 ms latency
    python benchmarks/llm_pipeline.py --quick    # 640 calls
    python benchmarks/llm_pipeline.py --only-workers   # just the Bolt workers part (below), merged into the JSON

Each measurement runs in its own process: the client alone, then the expansion twice, with the
JVM as `personagraph expand` starts it (C1 only) and with C2 as well (``PERSONAGRAPH_JVM_JIT``).

Then 1, 2 and 4 `personagraph expand` processes on one Bolt server (``--workers``), several hops
deep: calls/s beside workers x concurrency / latency, and the requests in flight over time sampled
at the server (min, 10th percentile, median; the longest stretch below half), which shows whether
the workers idle at hop boundaries, and the rows written per second and per CPU-second of the
Bolt server, which show whether the server's write rate limited them (benchmarks/pipeline_workers.py).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import platform
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from pipeline_workers import workers_benchmark  # noqa: E402
from results_file import environment as stamp  # noqa: E402
from results_file import pid_cpu, relative_paths, save_results  # noqa: E402

from tests.serve_process import free_port, wait_for_port  # noqa: E402

RESULTS = ROOT / "benchmarks" / "results" / "llm_pipeline.json"


def sample_file() -> Path | None:
    if os.environ.get("PERSONAGRAPH_SAMPLE_DIR"):
        return Path(os.environ["PERSONAGRAPH_SAMPLE_DIR"]) / "personas.jsonl"
    for parent in ROOT.parents:
        candidate = parent / "shared" / "personahub-sample" / "personas.jsonl"
        if candidate.is_file():
            return candidate
    return None


def seeds(n: int) -> list[Any]:
    from personagraph.models import Persona

    texts: list[str] = []
    path = sample_file()
    if path is not None:
        with path.open(encoding="utf-8") as handle:
            for line in handle:
                texts.append(json.loads(line)["persona"])
                if len(texts) >= n:
                    break
    texts += [f"A ship welder number {i} on the night shift at a northern yard" for i in range(n - len(texts))]
    return [Persona(text=t) for t in dict.fromkeys(texts)]


def start_server(latency: float) -> tuple[subprocess.Popen[bytes], str]:
    port = free_port()
    proc = subprocess.Popen(
        [sys.executable, "-m", "tests.llm_server", "--port", str(port), "--latency", str(latency), "--no-log-bodies"],
        cwd=ROOT,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        wait_for_port(port, proc, timeout=30)
    except (RuntimeError, TimeoutError):
        proc.kill()
        raise RuntimeError("the test server did not start") from None
    return proc, f"http://127.0.0.1:{port}/v1"


def client_only(base_url: str, n: int, concurrency: int, cache_dir: str) -> dict[str, float]:
    """The peer floor: the same requests through the client alone, no store."""
    from personagraph import prompts
    from personagraph.expand.plan import relation_lines, reply_model
    from personagraph.llm import LLMClient, LLMRequest
    from personagraph.vocabulary import Vocabulary

    prompt = prompts.load("p2p")
    relations = relation_lines(Vocabulary())
    schema = reply_model(Vocabulary())  # the schema expand sends (the vocabulary as an enum)
    requests = [
        LLMRequest(prompt.render(persona=f"A baker number {i} in an old town", relations=relations, count=3), schema)
        for i in range(n)
    ]
    client = LLMClient(base_url, None, "bench-model", concurrency=concurrency, cache_dir=cache_dir)

    async def go() -> None:
        async with client:  # closes the HTTP session and the cache
            await client.generate_many(requests)

    wall, cpu = time.perf_counter(), time.process_time()
    asyncio.run(go())
    wall, cpu = time.perf_counter() - wall, time.process_time() - cpu
    return {
        "calls": client.stats.calls,
        "wall_s": wall,
        "calls_per_s": client.stats.calls / wall,
        "cpu_ms_per_call": 1000 * cpu / max(client.stats.calls, 1),
    }


def pipeline(base_url: str, n: int, concurrency: int, folder: str) -> dict[str, Any]:
    from personagraph.config import Settings
    from personagraph.expand.p2p import ExpandOptions, expand
    from personagraph.llm import LLMClient
    from personagraph.store import open_store

    store = open_store(f"{folder}/store", Settings(store=f"{folder}/store"), workload="llm")
    people = seeds(n)
    store.upsert_personas(people)
    store.run("expand_frontier", hop=0, now=time.time(), exclude=[], origins=[], limit=10)  # warm the JVM's query path
    client = LLMClient(base_url, None, "bench-model", concurrency=concurrency, cache_dir=f"{folder}/cache")
    options = ExpandOptions(hops=1, per_persona=3, concurrency=concurrency, max_personas=len(people))
    wall, cpu = time.perf_counter(), time.process_time()
    report = expand(store, client, options)
    wall, cpu = time.perf_counter() - wall, time.process_time() - cpu
    stats = store.stats()
    store.close()
    calls = report.llm["calls"]
    return {
        "personas_seeded": len(people),
        "expanded": report.expanded,
        "new_personas": sum(report.new_by_hop.values()),
        "relations": sum(report.relations.values()),
        "calls": calls,
        "failures": report.failures,
        "wall_s": wall,
        "calls_per_s": calls / wall,
        "personas_per_s": report.expanded / wall,
        "cpu_s": cpu,
        "cpu_ms_per_call": 1000 * cpu / max(calls, 1),
        "graph_personas": stats["labels"]["Persona"],
    }


# PERSONAGRAPH_JVM_JIT for each run: "quick" is what `personagraph expand` uses (the store opened
# for the llm workload: C1 only); "full" (C2 too, the bulk default) is shown beside it.
JVM_VARIANTS = {
    "llm workload JVM (C1 only, expand's default)": "quick",
    "bulk workload JVM (C1 + C2)": "full",
}


def child(kind: str, base_url: str, calls: int, concurrency: int, jit: str) -> dict[str, Any]:
    """Run one measurement in a fresh process (JVM options apply at JVM start, once per process)."""
    env = dict(os.environ)
    env.setdefault("PERSONAGRAPH_JVM_HEAP", "2g")
    env["PERSONAGRAPH_JVM_JIT"] = jit
    out = subprocess.run(
        [
            sys.executable,
            __file__,
            "--child",
            kind,
            "--url",
            base_url,
            "--calls",
            str(calls),
            "--concurrency",
            str(concurrency),
        ],
        env=env,
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=1800,
    )
    if out.returncode != 0:
        raise RuntimeError(f"{kind} run failed: {out.stderr[-2000:]}")
    return dict(json.loads(out.stdout.strip().splitlines()[-1]))


def run_child(kind: str, base_url: str, calls: int, concurrency: int) -> None:
    import openai  # noqa: F401  # imported before timing: a one-off cost of any run

    with tempfile.TemporaryDirectory() as folder:
        result = (
            client_only(base_url, calls, concurrency, folder)
            if kind == "client"
            else pipeline(base_url, calls, concurrency, folder)
        )
    print(json.dumps(result))


def environment(args: argparse.Namespace) -> dict[str, Any]:
    return {
        "benchmark": "llm_pipeline",
        "when": time.strftime("%Y-%m-%dT%H:%M:%S%z"),
        "machine": platform.platform(),
        "cpus": os.cpu_count(),
        "load_average_after": os.getloadavg(),
        "latency_s": args.latency,
    }


def save_workers(args: argparse.Namespace, workers: list[dict[str, Any]]) -> None:
    """Put the workers figures into the results file, keeping the embedded-store figures already there
    (measured by another run, with their own stamp): ``workers_run`` stamps these."""
    previous: dict[str, Any] = json.loads(args.out.read_text()) if args.out.is_file() else {}
    run = {
        "when": time.strftime("%Y-%m-%dT%H:%M:%S%z"),
        "latency_s": args.latency,
        "seeds": args.worker_seeds,
        "hops": args.worker_hops,
        "concurrency_each": args.worker_concurrency,
        **stamp(),
    }
    payload = {**previous, "workers": relative_paths(workers), "workers_run": run}
    if not previous:
        payload = {**environment(args), **payload, "environment": stamp()}
    tmp = args.out.with_suffix(".json.tmp")
    args.out.parent.mkdir(parents=True, exist_ok=True)
    tmp.write_text(json.dumps(payload, indent=2) + "\n")
    tmp.replace(args.out)
    print(f"saved {relative_paths(args.out.resolve())} (workers figures; the other figures kept)")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--calls", type=int, default=4000, help="personas to expand (one call each)")
    parser.add_argument("--concurrency", type=int, default=64)
    parser.add_argument("--latency", type=float, default=0.2)
    parser.add_argument("--quick", action="store_true", help="640 calls")
    parser.add_argument("--out", type=Path, default=RESULTS)
    parser.add_argument("--workers", default="1,2,4", help="worker counts on one Bolt server ('' to skip)")
    parser.add_argument("--worker-seeds", type=int, default=32, help="hop-0 personas of each workers run")
    parser.add_argument("--worker-hops", type=int, default=3, help="--hops of each workers run (3: 13 calls a seed)")
    parser.add_argument("--worker-concurrency", type=int, default=16, help="--concurrency of each worker")
    parser.add_argument("--only-workers", action="store_true", help="skip the embedded-store runs")
    parser.add_argument("--child", choices=["client", "pipeline"], help=argparse.SUPPRESS)
    parser.add_argument("--url", help=argparse.SUPPRESS)
    args = parser.parse_args()
    calls = 640 if args.quick else args.calls
    if args.child:
        run_child(args.child, args.url, calls, args.concurrency)
        return
    counts = [int(n) for n in args.workers.split(",") if n.strip()]
    workers: list[dict[str, Any]] = []
    if counts:
        workers = workers_benchmark(
            counts, seeds(args.worker_seeds), args.worker_hops, args.worker_concurrency, args.latency
        )
    if args.only_workers:
        save_workers(args, workers)
        return
    bound = args.concurrency / args.latency
    server, base_url = start_server(args.latency)
    try:
        before = pid_cpu(server.pid)
        floor = child("client", base_url, min(calls, 2000), args.concurrency, "quick")
        server_ms = 1000 * (pid_cpu(server.pid) - before) / max(floor["calls"], 1)
        runs = {
            name: child("pipeline", base_url, calls, args.concurrency, flags) for name, flags in JVM_VARIANTS.items()
        }
    finally:
        server.terminate()
        server.wait(timeout=10)
    print(
        f"expand against a {args.latency * 1000:.0f} ms server at concurrency {args.concurrency}: {calls:,} personas, "
        f"one call each, embedded store (ideal bound {bound:.0f} calls/s; target 90% = {0.9 * bound:.0f})"
    )
    print(f"  {'':52s} {'calls/s':>8s} {'of bound':>9s} {'CPU ms/call':>12s}")
    for name, result in runs.items():
        result["share_of_bound"] = result["calls_per_s"] / bound
        print(
            f"  {'expand, ' + name:52s} {result['calls_per_s']:8.1f} {result['share_of_bound']:9.0%} {result['cpu_ms_per_call']:12.2f}"
            f"   ({result['new_personas']:,} personas, {result['relations']:,} relations written)"
        )
    print(
        f"  {'client alone (no store)':52s} {floor['calls_per_s']:8.1f} {floor['calls_per_s'] / bound:9.0%} {floor['cpu_ms_per_call']:12.2f}"
    )
    print(
        f"  (the test server, in its own process, used {server_ms:.2f} ms CPU per call of the same 2 cores; "
        f"load average {os.getloadavg()[0]:.1f})"
    )
    payload = {
        **environment(args),
        "concurrency": args.concurrency,
        "calls": calls,
        "ideal_calls_per_s": bound,
        "target_share": 0.9,
        "expand": {name: {**result, "jit": JVM_VARIANTS[name]} for name, result in runs.items()},
        "client_only": floor,
        "server_cpu_ms_per_call": server_ms,
        "workers": workers,
    }
    save_results(args.out, payload)


if __name__ == "__main__":
    main()
