"""Soak: a long, bounded `personagraph expand` against a faulty local server; is it flat over time?

    python benchmarks/soak.py                     # 10 minutes, 20% faults, 100 ms latency, concurrency 32
    python benchmarks/soak.py --minutes 2         # a shorter run while developing

The OpenAI-compatible test server (tests/llm_server.py) runs in this process on 127.0.0.1 and
answers after ``--latency`` seconds; ``--faults`` of the requests get an injected fault (rate
limits, server errors, dropped connections, truncated JSON: 5% each by default). The expansion is
a real `personagraph expand` child on an embedded store seeded with ``--seeds`` personas, allowed
to grow for 20 hops, and stopped with SIGINT when the time is up (it exits 130 and keeps its work).

Every ``--every`` seconds: the child's resident memory (VmRSS) and the requests the server answered
in the interval. Printed: calls/s per interval beside the ideal bound (concurrency / latency, the
same run's ceiling), and the memory growth after warm-up (the first fifth of the run, at least a
minute): the largest RSS of the last fifth against the RSS when warm-up ended (goal: within 10%).
Faults and their retries are counted at the server. Results go to benchmarks/results/soak.json.
"""

from __future__ import annotations

import argparse
import json
import os
import signal
import subprocess
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from results_file import save_results  # noqa: E402

from tests.llm_server import LLMTestServer, _rates  # noqa: E402

RESULTS = ROOT / "benchmarks" / "results" / "soak.json"


def rss_mb(pid: int) -> float:
    try:
        status = Path(f"/proc/{pid}/status").read_text()
    except OSError:
        return 0.0
    return next((int(line.split()[1]) / 1024 for line in status.splitlines() if line.startswith("VmRSS")), 0.0)


def child_env(base_url: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("PERSONAGRAPH_", "OPENAI_"))}
    env.update(
        PYTHONPATH=str(ROOT),
        OPENAI_BASE_URL=base_url,
        OPENAI_API_KEY="soak-key",
        PERSONAGRAPH_MODEL="soak-model",
        PERSONAGRAPH_JVM_HEAP="2g",
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


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--minutes", type=float, default=10.0)
    parser.add_argument("--latency", type=float, default=0.1)
    parser.add_argument("--concurrency", type=int, default=32)
    parser.add_argument("--seeds", type=int, default=500)
    parser.add_argument("--faults", default="429=0.05,500=0.05,drop=0.05,malformed=0.05")
    parser.add_argument("--every", type=float, default=5.0, help="seconds between samples")
    args = parser.parse_args()

    work = Path(tempfile.mkdtemp(prefix="personagraph-soak-"))
    store = work / "store"
    server = LLMTestServer(latency=args.latency, fault_rates=_rates(args.faults), retry_after=0.2, keep_bodies=False)
    server.start()
    env = child_env(server.base_url)
    cli = [sys.executable, "-m", "personagraph", "--store", str(store)]
    subprocess.run(
        [*cli, "import", str(seed_file(work, args.seeds))], env=env, cwd=work, check=True, capture_output=True
    )
    bound = args.concurrency / args.latency
    print(f"soak: {args.minutes:g} min, faults {args.faults}, ideal bound {bound:.0f} calls/s; work folder {work}")

    cmd = [*cli, "expand", "--hops", "20", "--concurrency", str(args.concurrency), "--max-retries", "4"]
    proc = subprocess.Popen(cmd, env=env, cwd=work, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    started = time.monotonic()
    samples: list[dict[str, Any]] = []
    last_count, last_t = server.count, started
    while proc.poll() is None and time.monotonic() - started < args.minutes * 60:
        time.sleep(args.every)
        now, count = time.monotonic(), server.count
        sample = {
            "t_s": round(now - started, 1),
            "rss_mb": round(rss_mb(proc.pid), 1),
            "calls_per_s": round((count - last_count) / (now - last_t), 1),
        }
        samples.append(sample)
        print(f"  {sample['t_s']:7.1f} s  RSS {sample['rss_mb']:7.1f} MB  {sample['calls_per_s']:6.1f} calls/s")
        last_count, last_t = count, now
    ended_early = proc.poll() is not None
    if not ended_early:
        proc.send_signal(signal.SIGINT)
    try:
        _, err = proc.communicate(timeout=60)
    except subprocess.TimeoutExpired:
        proc.kill()
        _, err = proc.communicate()
    server.stop()

    statuses = Counter(str(r.get("status")) for r in server.requests)
    elapsed = samples[-1]["t_s"] if samples else 0.0
    warm_end = max(60.0, elapsed / 5)
    warm = [s for s in samples if s["t_s"] <= warm_end]
    tail = [s for s in samples if s["t_s"] >= elapsed * 4 / 5]
    growth = None
    if warm and tail and warm[-1]["rss_mb"]:
        growth = max(s["rss_mb"] for s in tail) / warm[-1]["rss_mb"] - 1
    rates = [s["calls_per_s"] for s in samples[1:]] or [0.0]
    result = {
        "minutes": args.minutes,
        "latency_s": args.latency,
        "concurrency": args.concurrency,
        "faults": args.faults,
        "ideal_calls_per_s": bound,
        "requests": sum(statuses.values()),
        "statuses": dict(statuses),
        "faulted_share": round(1 - statuses.get("200", 0) / max(sum(statuses.values()), 1), 3),
        "calls_per_s_median": sorted(rates)[len(rates) // 2],
        "calls_per_s_first_fifth": [s["calls_per_s"] for s in samples[: max(1, len(samples) // 5)]],
        "calls_per_s_last_fifth": [s["calls_per_s"] for s in tail],
        "rss_mb_end_of_warmup": warm[-1]["rss_mb"] if warm else None,
        "rss_mb_max_last_fifth": max((s["rss_mb"] for s in tail), default=None),
        "rss_growth_after_warmup": None if growth is None else round(growth, 3),
        "exit_code": proc.returncode,
        "ended_before_time": ended_early,
        "stderr_tail": err.strip().splitlines()[-3:],
        "samples": samples,
    }
    print(
        f"requests {result['requests']:,} ({result['faulted_share']:.0%} faulted: {dict(statuses)}); "
        f"median {result['calls_per_s_median']} calls/s against the bound {bound:.0f}"
    )
    if growth is not None:
        print(
            f"RSS after warm-up {result['rss_mb_end_of_warmup']} MB, largest in the last fifth "
            f"{result['rss_mb_max_last_fifth']} MB: growth {growth:+.1%} (goal: within 10%)"
        )
    print(f"expand exit code {proc.returncode} ({'ended by itself' if ended_early else 'SIGINT at the time limit'})")
    save_results(RESULTS, result)


if __name__ == "__main__":
    main()
