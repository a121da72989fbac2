"""What the read-only guard costs a user's read query, beside the same query run bare in the same run.

    python benchmarks/read_guard.py            # 20,000 personas, 300 runs of each query
    python benchmarks/read_guard.py --quick    # 2,000 personas, 100 runs

Figures (medians, milliseconds per query), on the embedded store and over Bolt (ArcadeDB's server
started with ``personagraph serve`` on the same folder):
- ``store.cypher`` read-only: token guard + schema read before and after + the query,
  beside the baseline of the executor's ``read`` of the same query (no guard, no schema reads);
- the token guard alone (``find_write``) on the 19 explore queries' texts, beside ``str.split`` of them.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from results_file import save_results

from personagraph import explore, queries
from personagraph.config import Secret, Settings
from personagraph.models import Persona
from personagraph.store import GraphStore, open_store
from personagraph.store.guard import find_write
from tests.conftest import cli_env, free_port, wait_for_port

RESULTS = Path(__file__).resolve().parent / "results" / "read_guard.json"
QUERIES = {
    "lookup by id": "MATCH (p:Persona {id: $id}) RETURN p.text AS text",
    "count": "MATCH (p:Persona) RETURN count(p) AS n",
}


def median_ms(fn: Callable[[], Any], runs: int) -> float:
    fn()  # warm: plans cached, connections open
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        fn()
        times.append((time.perf_counter() - start) * 1000)
    return statistics.median(times)


def measure(store: GraphStore, persona_id: str, runs: int) -> dict[str, dict[str, float]]:
    figures = {}
    for label, text in QUERIES.items():
        params = {"id": persona_id} if "$id" in text else {}
        guarded = median_ms(lambda t=text, p=params: store.cypher(t, p), runs)
        bare = median_ms(lambda t=text, p=params: store.executor.read(t, p, name="bench"), runs)
        figures[label] = {"guarded_ms": round(guarded, 3), "bare_ms": round(bare, 3)}
        print(f"  {label:14} store.cypher {guarded:7.3f} ms   bare executor read {bare:7.3f} ms (baseline)")
    return figures


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="2,000 personas, 100 runs")
    args = parser.parse_args()
    size, runs = (2_000, 100) if args.quick else (20_000, 300)
    os.environ.setdefault("PERSONAGRAPH_JVM_HEAP", "2g")
    results: dict[str, Any] = {"personas": size, "runs": runs, "load_average": os.getloadavg()[0]}

    texts = [queries.load(f"{explore.FOLDER}/{q.name}").text for q in explore.catalogue()]
    guard_runs = runs * 10
    for label, check in (("guard", find_write), ("split", str.split)):
        start = time.perf_counter()
        for _ in range(guard_runs):
            for text in texts:
                check(text)
        per_query_us = (time.perf_counter() - start) / (guard_runs * len(texts)) * 1e6
        results[f"{label}_us_per_query"] = round(per_query_us, 1)
    print(
        f"token guard alone: {results['guard_us_per_query']:.1f} µs per explore query ({len(texts)} queries); "
        f"floor, str.split of the same texts: {results['split_us_per_query']:.1f} µs"
    )

    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp) / "store"
        people = [Persona(text=f"A canal lock keeper number {i} who counts barges") for i in range(size)]
        with open_store(str(folder), Settings(store=str(folder))) as store:
            store.upsert_personas(people)
            print(f"embedded, {size} personas:")
            results["embedded"] = measure(store, people[size // 2].id, runs)

        port, password = free_port(), "bench-pass-1"
        serve_args = ["--store", str(folder), "serve", "--port", str(port), "--http-port", str(free_port())]
        server = subprocess.Popen(
            [sys.executable, "-m", "personagraph", *serve_args],
            env=cli_env(PERSONAGRAPH_PASSWORD=password, PERSONAGRAPH_JVM_HEAP="2g"),
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        try:
            wait_for_port(port, server)
            url = f"bolt://127.0.0.1:{port}"
            with open_store(url, Settings(store=url, user="root", password=Secret(password))) as store:
                print(f"over Bolt (ArcadeDB's server), {size} personas:")
                results["bolt"] = measure(store, people[size // 2].id, runs)
        finally:
            server.terminate()
            server.wait(timeout=60)
    save_results(RESULTS, results)


if __name__ == "__main__":
    main()
