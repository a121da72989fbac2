"""Export benchmark: `personagraph export graph` (JSONL, Parquet) of a large embedded store, and relation paging.

    python benchmarks/export.py                 # 1M personas + 3M relations; paging at 25k/75k and 50k/150k
    python benchmarks/export.py --scale 0.1     # a tenth of every size, for development
    python benchmarks/export.py --skip-large    # only the paging comparison
    python benchmarks/export.py --skip-paging --large 66667:200000 --before /work/main
                                                # 200k relations, each format, this checkout vs another

Rows are generated deterministically by the ingest benchmark's generator (benchmarks/ingest.py,
same seed, same texts and relations) and loaded with the real importer (`personagraph import`)
into a fresh embedded store. Then:

- export: `python -m personagraph export graph OUT --format jsonl|parquet` in a child process;
  rows/s is (personas + relations) over the child's wall time (JVM start and store open included),
  peak RSS its kernel high-water mark (VmHWM). The floor is the same rows (read back from the
  JSONL export) written again with `json.dumps` in this process.
- before: with ``--before CHECKOUT``, the same exports run with that checkout's code
  (PYTHONPATH), in the same run on the same store: the baseline of a change to the exporter.
- paging: at two smaller sizes, in a child process per size, every edge read through
  ``GraphStore.iter_relations`` (keyset pages by source persona) and through the former
  ``ORDER BY … SKIP … LIMIT`` paging, whose query text is kept here as the baseline. Doubling the
  graph should double the keyset time and quadruple the SKIP time.

The machine is shared: the load average at start and end is saved beside the figures.
Results go to benchmarks/results/export.json.
"""

from __future__ import annotations

import argparse
import json
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

from ingest import JVM_HEAP, env, generate, peak_rss_mb, run_import
from results_file import bench_parser, finish_results, start_results, work_folder

# The paging `iter_relations` used before keyset pages: each page sorts every edge and skips
# the ones before it, so a whole read costs O(E²/page).
SKIP_PAGING = """
MATCH (a:Persona)-[r]->(b:Persona)
RETURN a.id AS src, b.id AS dst, type(r) AS type, properties(r) AS props
ORDER BY src, dst, type
SKIP $skip
LIMIT $limit
"""
PAGE = 10_000


def build_store(work: Path, personas: int, relations: int, seed: int, name: str) -> tuple[Path, dict[str, Any]]:
    data = generate(work, personas, relations, seed, name)
    store = work / f"{name}-store"
    report = run_import(str(store), [data["personas_file"], data["relations_file"]], {})
    print(f"  {name}: imported {personas:,} personas + {relations:,} relations in {report['wall_s']:.0f} s")
    for key in ("personas_file", "relations_file"):
        Path(data[key]).unlink()
    return store, {**data, "import_wall_s": report["wall_s"]}


def paging_child(store: str, skip_too: bool) -> dict[str, Any]:
    """In a child process: time a whole-graph edge read, keyset (``iter_relations``) and SKIP paging."""
    from personagraph.config import Settings
    from personagraph.store import open_store

    graph = open_store(store, Settings(store=store))
    result: dict[str, Any] = {}
    try:
        t = time.perf_counter()
        keyset = sum(1 for _ in graph.iter_relations(batch_size=PAGE))
        result["keyset_s"], result["keyset_rows"] = round(time.perf_counter() - t, 2), keyset
        if skip_too:
            t = time.perf_counter()
            skip, rows = 0, 0
            while True:
                page = graph.cypher(SKIP_PAGING, {"skip": skip, "limit": PAGE}, name="skip-paging")
                rows += len(page)
                if len(page) < PAGE:
                    break
                skip += PAGE
            result["skip_s"], result["skip_rows"] = round(time.perf_counter() - t, 2), rows
    finally:
        graph.close()
    return result


def child(args: list[str]) -> dict[str, Any]:
    cmd = [sys.executable, str(Path(__file__).resolve()), "--child", *args]
    proc = subprocess.run(cmd, env=env(), capture_output=True, text=True, cwd=tempfile.gettempdir())
    if proc.returncode != 0:
        raise RuntimeError(f"child failed: {proc.stderr.strip()[-2000:]}")
    return json.loads(proc.stdout.strip().splitlines()[-1])  # type: ignore[no-any-return]


def run_export(store: Path, out: Path, fmt: str, checkout: Path | None = None) -> dict[str, Any]:
    """`personagraph export graph` in a child process (this checkout, or ``checkout``'s code): wall time, peak RSS."""
    cmd = [sys.executable, "-m", "personagraph", "--store", str(store), "export", "graph", str(out), "--format", fmt]
    started = time.perf_counter()
    child_env = env(PYTHONPATH=str(checkout)) if checkout else env()
    with tempfile.TemporaryFile() as stdout, tempfile.TemporaryFile() as stderr:
        proc = subprocess.Popen(cmd, env=child_env, stdout=stdout, stderr=stderr, cwd=tempfile.gettempdir())
        peak = 0
        while proc.poll() is None:
            peak = max(peak, peak_rss_mb(proc.pid))
            time.sleep(0.2)
        wall = time.perf_counter() - started
        stderr.seek(0)
        if proc.returncode != 0:
            raise RuntimeError(f"export failed ({proc.returncode}): {stderr.read().decode()[-2000:]}")
    sizes = {p.name: round(p.stat().st_size / 2**20, 1) for p in out.iterdir()}
    return {"wall_s": round(wall, 2), "peak_rss_mb": peak, "files_mb": sizes}


def jsonl_floor(out: Path, floor_dir: Path) -> dict[str, Any]:
    """The exported JSONL rows, held in memory, written again with json.dumps: the bound of any export."""
    rows = {
        name: [json.loads(line) for line in (out / name).open(encoding="utf-8")]
        for name in ("personas.jsonl", "relations.jsonl")
    }
    total = sum(len(r) for r in rows.values())
    t = time.perf_counter()
    for name, items in rows.items():
        with (floor_dir / name).open("w", encoding="utf-8") as handle:
            for row in items:
                handle.write(json.dumps(row, ensure_ascii=False) + "\n")
    seconds = time.perf_counter() - t
    return {"rows": total, "seconds": round(seconds, 2), "rows_per_s": round(total / seconds)}


def bench_paging(work: Path, sizes: list[tuple[int, int]], seed: int) -> list[dict[str, Any]]:
    figures = []
    for personas, relations in sizes:
        store, _ = build_store(work, personas, relations, seed, f"paging-{personas}")
        result = {"personas": personas, "relations": relations, **child([str(store), "skip"])}
        result["keyset_rows_per_s"] = round(result["keyset_rows"] / result["keyset_s"])
        result["skip_rows_per_s"] = round(result["skip_rows"] / result["skip_s"])
        print(
            f"  paging {personas:,}/{relations:,}: keyset {result['keyset_s']:.1f} s "
            f"({result['keyset_rows_per_s']:,} edges/s) vs SKIP {result['skip_s']:.1f} s "
            f"({result['skip_rows_per_s']:,} edges/s); {result['keyset_rows']:,} vs {result['skip_rows']:,} edges"
        )
        figures.append(result)
        shutil.rmtree(store, ignore_errors=True)
    if len(figures) == 2:
        small, large = figures
        grow = large["relations"] / small["relations"]
        print(
            f"  size x{grow:g}: keyset time x{large['keyset_s'] / small['keyset_s']:.1f}, "
            f"SKIP time x{large['skip_s'] / small['skip_s']:.1f} (linear x{grow:g}, quadratic x{grow * grow:g})"
        )
    return figures


def bench_export(
    work: Path, personas: int, relations: int, seed: int, formats: list[str], before: Path | None
) -> dict[str, Any]:
    store, data = build_store(work, personas, relations, seed, "large")
    figures: dict[str, Any] = {
        "personas": personas,
        "relations": relations,
        "distinct_relations": data["distinct_relations"],
        "import_wall_s": data["import_wall_s"],
    }
    for fmt in formats:
        for label, checkout in [("", None), ("before ", before)] if before else [("", None)]:
            out = work / f"export-{fmt}{'-before' if checkout else ''}"
            result = run_export(store, out, fmt, checkout)
            rows = personas + data["distinct_relations"]
            result["rows_per_s"] = round(rows / result["wall_s"])
            print(
                f"  {label}export {fmt}: {result['wall_s']:.0f} s, {result['rows_per_s']:,} rows/s, "
                f"peak RSS {result['peak_rss_mb']:,} MB"
            )
            figures[f"{fmt}_before" if checkout else fmt] = result
            if checkout:
                shutil.rmtree(out, ignore_errors=True)
    floor_dir = work / "floor"
    floor_dir.mkdir()
    figures["jsonl_floor"] = floor = jsonl_floor(work / "export-jsonl", floor_dir)
    print(f"  JSONL floor (json.dumps of the same {floor['rows']:,} rows): {floor['rows_per_s']:,} rows/s")
    exported = sum(1 for _ in (work / "export-jsonl" / "relations.jsonl").open())
    figures["relations_exported"] = exported
    figures["every_edge_exported"] = exported == data["distinct_relations"]
    return figures


def main() -> None:
    parser = bench_parser(
        "export",
        __doc__.splitlines()[0],
        "1.0: export 1M + 3M; paging at the --paging-sizes",
        "2g",
        "PERSONAGRAPH_JVM_HEAP for the importer and the exports",
    )
    parser.add_argument(
        "--large", default="1000000:3000000", help="personas:relations of the export run (times --scale)"
    )
    parser.add_argument("--skip-large", action="store_true", help="only the paging comparison")
    parser.add_argument("--skip-paging", action="store_true", help="only the large export")
    parser.add_argument(
        "--paging-sizes",
        default="25000:75000,50000:150000",
        help="personas:relations of the paging comparison (times --scale); SKIP paging is quadratic, keep them small",
    )
    parser.add_argument("--formats", default="jsonl,parquet", help="export formats to time (jsonl,parquet,graphml)")
    parser.add_argument("--before", type=Path, help="another checkout whose exporter runs too, as the baseline")
    parser.add_argument("--child", nargs="+", help=argparse.SUPPRESS)
    args = parser.parse_args()
    JVM_HEAP[0] = args.jvm_heap
    if args.child:
        print(json.dumps(paging_child(args.child[0], "skip" in args.child[1:])))
        return
    with work_folder("personagraph-export-") as work:
        results = start_results("export", args, work)
        if not args.skip_paging:
            sizes = [
                (int(int(p) * args.scale), int(int(r) * args.scale))
                for p, r in (pair.split(":") for pair in args.paging_sizes.split(","))
            ]
            results["paging"] = bench_paging(work, sizes, args.seed)
        if not args.skip_large:
            personas, relations = (int(int(n) * args.scale) for n in args.large.split(":"))
            formats = args.formats.split(",")
            results["export"] = bench_export(work, personas, relations, args.seed, formats, args.before)
    finish_results(args.out, results)


if __name__ == "__main__":
    main()
