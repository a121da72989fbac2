"""neo4j-admin export benchmark: rows/s of the CSV writer beside the JSONL floor, same rows, same run.

    python benchmarks/neo4j_admin.py               # 100k personas + 300k relations
    python benchmarks/neo4j_admin.py --scale 0.1   # a tenth, for development

Rows are generated deterministically (seeded) in the shape the store's page queries return them:
personas ``{id, props}`` with text (some with commas, quotes and newlines), origin, hop, cluster,
uses, created_at, labels on a third, aliases on a twentieth; relations ``{src, dst, type, props}``
with types from the default vocabulary and run, model, hop, evidence. Both sides start from those
rows in memory, so the figure is the writer's own (formatting, quoting, type tracking, header in
front of the body), not the store's read. The floor is the same rows written as JSON lines with
``json.dumps`` (what ``export graph --format jsonl`` does), timed in this process. Each side runs
``--repeat`` times, interleaved; the best run counts. The machine is shared, so wall-clock and CPU
time are both printed, with the load average. Target: 300k rows/s.
Results go to benchmarks/results/neo4j_admin.json.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import random
import shutil
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from results_file import save_results  # noqa: E402

from personagraph.export.neo4j_csv import add_edges, add_nodes, edge_table, node_table  # noqa: E402
from personagraph.ids import persona_id  # noqa: E402
from personagraph.vocabulary import DEFAULT_RELATIONS  # noqa: E402

WORDS = [
    "retired",
    "welder",
    "nurse",
    "chess",
    "coach",
    "who",
    "runs",
    "a",
    "club",
    "night",
    "shift",
    "coastal",
    "hospital",
    "grandmaster",
    "moved",
    "to",
    "the",
    "coast",
    "teacher",
    "of",
    "physics",
    "in",
    "a",
    "rural",
    "school",
    "baker",
    "early",
    "riser",
    "volunteer",
    "firefighter",
    "historian",
    "of",
    "medieval",
    "trade",
    "routes",
    "data",
    "analyst",
    "at",
    "a",
    "logistics",
    "firm",
]
TARGET = 300_000


def make_rows(personas: int, relations: int, seed: int = 7) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    rng = random.Random(seed)
    nodes = []
    for i in range(personas):
        text = " ".join(rng.choice(WORDS) for _ in range(rng.randint(8, 30))) + f" #{i}"
        if i % 10 == 0:
            text = f'{text}, known as "the {rng.choice(WORDS)}"'
        if i % 50 == 0:
            text += "\nsecond line"
        props: dict[str, Any] = {
            "id": persona_id(text),
            "text": text,
            "origin": "persona" if i % 2 else "text",
            "hop": i % 6,
            "cluster": i % 64,
            "uses": i % 4,
            "created_at": "2026-12-05T01:00:00+00:00",
        }
        if i % 3 == 0:
            props["labels"] = [rng.choice(WORDS).title(), "Health; care"]
        if i % 20 == 0:
            props["aliases"] = [f"p_{i:016x}"]
            props["alias_texts"] = [text.upper()]
        nodes.append({"id": props["id"], "props": props})
    ids = [n["id"] for n in nodes]
    types = list(DEFAULT_RELATIONS)
    edges = []
    for j in range(relations):
        props = {"run": f"r{j % 7}", "model": "qwen2.5-7b", "hop": j % 6}
        if j % 4 == 0:
            props["evidence"] = f"works beside them, {rng.choice(WORDS)}"
        edges.append({"src": rng.choice(ids), "dst": rng.choice(ids), "type": rng.choice(types), "props": props})
    return nodes, edges


def jsonl_floor(nodes: list[dict[str, Any]], edges: list[dict[str, Any]], folder: Path) -> None:
    with (folder / "personas.jsonl").open("w", encoding="utf-8") as handle:
        for row in nodes:
            handle.write(json.dumps(row["props"], ensure_ascii=False, default=str) + "\n")
    with (folder / "relations.jsonl").open("w", encoding="utf-8") as handle:
        for row in edges:
            flat = {"src": row["src"], "dst": row["dst"], "type": row["type"], **row["props"]}
            handle.write(json.dumps(flat, ensure_ascii=False, default=str) + "\n")


def neo4j_admin(nodes: list[dict[str, Any]], edges: list[dict[str, Any]], folder: Path) -> None:
    persona_keys = sorted({k for row in nodes[:1000] for k in row["props"]} - {"id"})
    personas = node_table(folder, "Persona", persona_keys)
    add_nodes(personas, nodes)
    by_type = {
        t: edge_table(folder, ("Persona", t, "Persona"), ["evidence", "hop", "model", "run"]) for t in DEFAULT_RELATIONS
    }
    add_edges(by_type, edges)
    for table in (personas, *by_type.values()):
        table.finish()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--scale", type=float, default=1.0, help="1.0 = 100k personas + 300k relations")
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    n_personas, n_relations = int(100_000 * args.scale), int(300_000 * args.scale)
    nodes, edges = make_rows(n_personas, n_relations)
    rows = len(nodes) + len(edges)
    wall: dict[str, list[float]] = {"jsonl": [], "neo4j-admin": []}
    cpu: dict[str, list[float]] = {"jsonl": [], "neo4j-admin": []}
    sizes: dict[str, int] = {}
    load_before = os.getloadavg()[0]
    for _ in range(args.repeat):  # interleaved, so both sides see the same load on the shared machine
        for name, fn in (("jsonl", jsonl_floor), ("neo4j-admin", neo4j_admin)):
            folder = Path(tempfile.mkdtemp(prefix=f"bench-{name}-"))
            try:
                started, started_cpu = time.perf_counter(), time.process_time()
                fn(nodes, edges, folder)
                wall[name].append(time.perf_counter() - started)
                cpu[name].append(time.process_time() - started_cpu)
                sizes[name] = sum(p.stat().st_size for p in folder.iterdir())
            finally:
                shutil.rmtree(folder)
    load = max(load_before, os.getloadavg()[0])
    rate = {name: rows / min(times) for name, times in wall.items()}
    rate_cpu = {name: rows / min(times) for name, times in cpu.items()}
    print(f"{n_personas} personas + {n_relations} relations = {rows} rows, best of {args.repeat}, load {load:.1f}")
    for name, label in (("jsonl", "JSONL floor (json.dumps)"), ("neo4j-admin", "neo4j-admin CSV writer")):
        print(
            f"  {label:<26}{rate[name]:>10,.0f} rows/s wall  {rate_cpu[name]:>10,.0f} rows/s of CPU time"
            f"  ({sizes[name] / 1e6:.1f} MB)"
        )
    ratio = rate["neo4j-admin"] / rate["jsonl"]
    met = "met" if rate["neo4j-admin"] >= TARGET else "NOT met"
    print(
        f"  writer / floor: {ratio:.2f}x wall, {rate_cpu['neo4j-admin'] / rate_cpu['jsonl']:.2f}x CPU; target {TARGET:,} rows/s wall: {met}"
    )
    save_results(
        ROOT / "benchmarks" / "results" / "neo4j_admin.json",
        {
            "personas": n_personas,
            "relations": n_relations,
            "rows": rows,
            "repeat": args.repeat,
            "jsonl_rows_per_s": round(rate["jsonl"]),
            "neo4j_admin_rows_per_s": round(rate["neo4j-admin"]),
            "jsonl_rows_per_cpu_s": round(rate_cpu["jsonl"]),
            "neo4j_admin_rows_per_cpu_s": round(rate_cpu["neo4j-admin"]),
            "ratio_to_floor": round(ratio, 3),
            "seconds_wall": {k: [round(x, 3) for x in v] for k, v in wall.items()},
            "seconds_cpu": {k: [round(x, 3) for x in v] for k, v in cpu.items()},
            "bytes": sizes,
            "load_average": round(load, 2),
            "cores": os.cpu_count(),
            "target_rows_per_s": TARGET,
            "python": platform.python_version(),
            "machine": platform.machine(),
        },
    )


if __name__ == "__main__":
    main()
