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
``--repeat`` times; the best run counts (the machine is shared). Target: 300k rows/s.
Results go to benchmarks/results/neo4j_admin.json.
"""

from __future__ import annotations

import argparse
import json
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

from personagraph.export.neo4j_admin import add_edges, add_nodes, edge_table, node_table  # noqa: E402
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


def jsonl_floor(nodes: list[dict[str, Any]], edges: list[dict[str, Any]], folder: Path) -> float:
    started = time.perf_counter()
    with (folder / "personas.jsonl").open("w", encoding="utf-8") as handle:
        for row in nodes:
            handle.write(json.dumps(row["props"], ensure_ascii=False, default=str) + "\n")
    with (folder / "relations.jsonl").open("w", encoding="utf-8") as handle:
        for row in edges:
            flat = {"src": row["src"], "dst": row["dst"], "type": row["type"], **row["props"]}
            handle.write(json.dumps(flat, ensure_ascii=False, default=str) + "\n")
    return time.perf_counter() - started


def neo4j_admin(nodes: list[dict[str, Any]], edges: list[dict[str, Any]], folder: Path) -> float:
    started = time.perf_counter()
    persona_keys = sorted({k for row in nodes[:1000] for k in row["props"]} - {"id"})
    personas = node_table(folder, "Persona", persona_keys)
    add_nodes(personas, nodes)
    by_type = {
        t: edge_table(folder, ("Persona", t, "Persona"), ["evidence", "hop", "model", "run"]) for t in DEFAULT_RELATIONS
    }
    add_edges(by_type, edges)
    for table in (personas, *by_type.values()):
        table.finish()
    return time.perf_counter() - started


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--scale", type=float, default=1.0, help="1.0 = 100k personas + 300k relations")
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    n_personas, n_relations = int(100_000 * args.scale), int(300_000 * args.scale)
    nodes, edges = make_rows(n_personas, n_relations)
    rows = len(nodes) + len(edges)
    floor_s, writer_s, sizes = [], [], {}
    for _ in range(args.repeat):
        for name, fn, times in (("jsonl", jsonl_floor, floor_s), ("neo4j-admin", neo4j_admin, writer_s)):
            folder = Path(tempfile.mkdtemp(prefix=f"bench-{name}-"))
            try:
                times.append(fn(nodes, edges, folder))
                sizes[name] = sum(p.stat().st_size for p in folder.iterdir())
            finally:
                shutil.rmtree(folder)
    floor, writer = rows / min(floor_s), rows / min(writer_s)
    print(f"{n_personas} personas + {n_relations} relations = {rows} rows, best of {args.repeat}")
    print(f"  JSONL floor (json.dumps):  {floor:>10,.0f} rows/s  ({sizes['jsonl'] / 1e6:.1f} MB)")
    print(
        f"  neo4j-admin CSV writer:    {writer:>10,.0f} rows/s  ({sizes['neo4j-admin'] / 1e6:.1f} MB)"
        f"  = {writer / floor:.2f}x the floor; target {TARGET:,} rows/s: {'met' if writer >= TARGET else 'NOT met'}"
    )
    save_results(
        ROOT / "benchmarks" / "results" / "neo4j_admin.json",
        {
            "personas": n_personas,
            "relations": n_relations,
            "rows": rows,
            "repeat": args.repeat,
            "jsonl_rows_per_s": round(floor),
            "neo4j_admin_rows_per_s": round(writer),
            "ratio_to_floor": round(writer / floor, 3),
            "seconds": {"jsonl": [round(s, 3) for s in floor_s], "neo4j_admin": [round(s, 3) for s in writer_s]},
            "bytes": sizes,
            "target_rows_per_s": TARGET,
            "python": platform.python_version(),
            "machine": platform.machine(),
        },
    )


if __name__ == "__main__":
    main()
