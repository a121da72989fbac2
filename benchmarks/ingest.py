"""Ingest benchmark: `personagraph import` of generated personas and relations, embedded and over Bolt.

    python benchmarks/ingest.py               # 1M personas + 3M relations embedded; 100k + 300k over Bolt
    python benchmarks/ingest.py --scale 0.1   # a tenth of that, for development
    python benchmarks/ingest.py --skip-bolt

Rows are generated deterministically (seeded): persona texts from word lists (unique, varied),
relations between random personas by id with types from the default vocabulary and a `run`
property. Each import runs the real CLI (`python -m personagraph import FILES --json`) in a child
process against a fresh store with the schema in place (unique index on id), then a second time
on the same files, which must add nothing. Throughput is the importer's own time (reading,
checking, hashing, writing; the JVM start is reported apart as the process's wall time). The
floor is writing the same rows as JSONL with `json.dumps`, timed in this process while the files
are made. Peak RSS comes from the kernel (`wait4` for the importer, VmHWM for the Bolt server).
Results go to benchmarks/results/ingest.json.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import random
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from personagraph.ids import persona_id  # noqa: E402
from personagraph.vocabulary import DEFAULT_RELATIONS  # noqa: E402

ADJECTIVES = ("retired", "young", "ambitious", "meticulous", "curious", "soft-spoken", "veteran", "self-taught", "anxious",
              "cheerful", "stubborn", "pragmatic", "idealistic", "exhausted", "newly hired", "bilingual", "part-time")
ROLES = ("nurse", "welder", "chess coach", "schoolteacher", "ship captain", "pharmacist", "data analyst", "baker", "judge",
         "paramedic", "historian", "dock worker", "violinist", "beekeeper", "tax lawyer", "game designer", "radiologist",
         "librarian", "carpenter", "marine biologist", "union organiser", "translator", "sous-chef", "surveyor")
PLACES = ("Lisbon", "Osaka", "a fishing village", "the night shift", "a rural clinic", "Nairobi", "a shipyard", "Montreal",
          "a chess club", "Valparaíso", "a mountain town", "Hamburg", "a boarding school", "Kraków", "a food truck", "Hanoi")
INTERESTS = ("collects antique maps", "writes poetry about tides", "restores old radios", "trains for marathons",
             "keeps a blog on medieval trade", "volunteers at an animal shelter", "plays bridge on Tuesdays",
             "studies Byzantine coins", "grows chili peppers", "builds model ships", "teaches adults to read",
             "fixes bicycles for neighbours", "records birdsong", "argues about tax policy online")
WORRIES = ("worries about automation", "hopes to open a clinic", "dreams of sailing alone", "distrusts new software",
           "mentors two apprentices", "cares for an ageing parent", "is saving for a house", "recently changed careers")


def persona_text(rng: random.Random, i: int) -> str:
    # The serial keeps texts unique (so counts are exact); the rest makes them varied.
    return (f"A {rng.choice(ADJECTIVES)} {rng.choice(ROLES)} from {rng.choice(PLACES)} who {rng.choice(INTERESTS)} "
            f"and {rng.choice(WORRIES)}, known locally as member {i} of the guild")


def generate(folder: Path, personas: int, relations: int, seed: int, name: str) -> dict[str, Any]:
    """Write ``<name>-personas.jsonl`` and ``<name>-relations.jsonl``; time the JSONL writes (the floor)."""
    rng = random.Random(seed)
    ids: list[str] = []
    write_p = write_r = 0.0
    chunk = 50_000
    p_path, r_path = folder / f"{name}-personas.jsonl", folder / f"{name}-relations.jsonl"
    with p_path.open("w", encoding="utf-8") as out:
        for start in range(0, personas, chunk):
            rows = []
            for i in range(start, min(start + chunk, personas)):
                text = persona_text(rng, i)
                ids.append(persona_id(text))
                rows.append({"persona": text})
            t = time.perf_counter()
            out.writelines(json.dumps(row) + "\n" for row in rows)
            write_p += time.perf_counter() - t
    unique: set[tuple[int, int, str]] = set()
    with r_path.open("w", encoding="utf-8") as out:
        for start in range(0, relations, chunk):
            rows = []
            for _ in range(start, min(start + chunk, relations)):
                a, b = rng.randrange(personas), rng.randrange(personas)
                rel_type = rng.choice(DEFAULT_RELATIONS)
                unique.add((a, b, rel_type))
                rows.append({"src": ids[a], "dst": ids[b], "type": rel_type, "run": "bench"})
            t = time.perf_counter()
            out.writelines(json.dumps(row) + "\n" for row in rows)
            write_r += time.perf_counter() - t
    return {
        "personas_file": str(p_path), "relations_file": str(r_path), "personas": personas, "relations": relations,
        "distinct_relations": len(unique),
        "floor_personas_per_s": round(personas / write_p), "floor_relations_per_s": round(relations / write_r),
        "personas_mb": round(p_path.stat().st_size / 2**20, 1), "relations_mb": round(r_path.stat().st_size / 2**20, 1),
    }


JVM_HEAP = ["4g"]  # the package's default heap; --jvm-heap changes it


def env(**extra: str) -> dict[str, str]:
    base = {k: v for k, v in os.environ.items() if not k.startswith(("PERSONAGRAPH_", "OPENAI_"))}
    base["PYTHONPATH"] = str(ROOT) + os.pathsep + base.get("PYTHONPATH", "")
    base["PERSONAGRAPH_JVM_HEAP"] = JVM_HEAP[0]
    base.update(extra)
    return base


def run_import(store: str, files: list[str], extra_env: dict[str, str]) -> dict[str, Any]:
    """One `personagraph import` child; its JSON reports, wall time and peak RSS (wait4)."""
    cmd = [sys.executable, "-m", "personagraph", "--store", store, "import", *files, "--json"]
    started = time.perf_counter()
    with tempfile.TemporaryFile() as out, tempfile.TemporaryFile() as err:
        proc = subprocess.Popen(cmd, env=env(**extra_env), stdout=out, stderr=err, cwd=tempfile.gettempdir())
        _, status, usage = os.wait4(proc.pid, 0)
        proc.returncode = os.waitstatus_to_exitcode(status)
        wall = time.perf_counter() - started
        out.seek(0)
        err.seek(0)
        stdout, stderr = out.read().decode(), err.read().decode()
    if proc.returncode != 0:
        raise RuntimeError(f"import failed ({proc.returncode}): {stderr.strip()[-2000:]}")
    reports = [json.loads(line) for line in stdout.splitlines() if line.startswith("{")]
    return {"reports": reports, "wall_s": round(wall, 2), "peak_rss_mb": round(usage.ru_maxrss / 1024)}


def summarise(label: str, data: dict[str, Any], first: dict[str, Any], second: dict[str, Any], disk_mb: float,
              server_rss_mb: int | None = None) -> dict[str, Any]:
    p1, r1 = first["reports"]
    p2, r2 = second["reports"]
    result = {
        "write_path": p1["write_path"],
        "personas": data["personas"], "relations": data["relations"], "distinct_relations": data["distinct_relations"],
        "personas_s": p1["seconds"], "relations_s": r1["seconds"],
        "personas_per_s": round(data["personas"] / p1["seconds"]),
        "relations_per_s": round(data["relations"] / r1["seconds"]),
        "floor_personas_per_s": data["floor_personas_per_s"], "floor_relations_per_s": data["floor_relations_per_s"],
        "personas_new": p1["personas_new"], "relations_new": r1["relations_new"],
        "import_wall_s": first["wall_s"], "importer_peak_rss_mb": first["peak_rss_mb"],
        "reimport": {
            "personas_s": p2["seconds"], "relations_s": r2["seconds"], "wall_s": second["wall_s"],
            "personas_new": p2["personas_new"], "relations_new": r2["relations_new"], "peak_rss_mb": second["peak_rss_mb"],
        },
        "store_disk_mb": disk_mb,
    }
    if server_rss_mb is not None:
        result["server_peak_rss_mb"] = server_rss_mb
    ok = p1["personas_new"] == data["personas"] and r1["relations_new"] == data["distinct_relations"]
    idem = p2["personas_new"] == 0 and r2["relations_new"] == 0
    result["counts_exact"], result["reimport_adds_nothing"] = ok, idem
    print(f"\n== {label} ({result['write_path']})")
    print(f"  personas : {result['personas_per_s']:>9,}/s  ({data['personas']:,} in {p1['seconds']:.1f} s)"
          f"   floor (json.dumps to JSONL) {data['floor_personas_per_s']:>11,}/s")
    print(f"  relations: {result['relations_per_s']:>9,}/s  ({data['relations']:,} in {r1['seconds']:.1f} s)"
          f"   floor (json.dumps to JSONL) {data['floor_relations_per_s']:>11,}/s")
    print(f"  counts exact: {ok}  (new personas {p1['personas_new']:,}, new relations {r1['relations_new']:,} of "
          f"{data['distinct_relations']:,} distinct)")
    print(f"  re-import: personas {p2['seconds']:.1f} s, relations {r2['seconds']:.1f} s, added {p2['personas_new']} personas "
          f"and {r2['relations_new']} relations (idempotent: {idem})")
    print(f"  importer wall {first['wall_s']:.1f} s (JVM start included), peak RSS {first['peak_rss_mb']} MB; "
          f"store on disk {disk_mb} MB" + (f"; server peak RSS {server_rss_mb} MB" if server_rss_mb else ""))
    return result


def disk_mb(folder: Path) -> float:
    return round(sum(p.stat().st_size for p in folder.rglob("*") if p.is_file()) / 2**20, 1)


def bench_embedded(work: Path, data: dict[str, Any]) -> dict[str, Any]:
    store = work / "embedded-store"
    files = [data["personas_file"], data["relations_file"]]
    first = run_import(str(store), files, {})
    second = run_import(str(store), files, {})
    return summarise("embedded ArcadeDB", data, first, second, disk_mb(store))


def bench_bolt(work: Path, data: dict[str, Any]) -> dict[str, Any]:
    sys.path.insert(0, str(ROOT / "tests"))
    from conftest import free_port, wait_for_port

    folder = work / "bolt-store"
    folder.mkdir()
    port, http_port, password = free_port(), free_port(), "bench-password-1"
    log = (work / "serve.log").open("wb")
    server = subprocess.Popen(
        [sys.executable, "-m", "personagraph", "--store", str(folder), "serve", "--port", str(port), "--http-port", str(http_port)],
        env=env(PERSONAGRAPH_PASSWORD=password), stdout=log, stderr=subprocess.STDOUT, cwd=folder,
    )
    try:
        wait_for_port(port, server)
        bolt = {"PERSONAGRAPH_PASSWORD": password, "PERSONAGRAPH_USER": "root"}
        files = [data["personas_file"], data["relations_file"]]
        url = f"bolt://127.0.0.1:{port}"
        first = run_import(url, files, bolt)
        second = run_import(url, files, bolt)
        hwm = next(int(line.split()[1]) for line in Path(f"/proc/{server.pid}/status").read_text().splitlines()
                   if line.startswith("VmHWM"))
    finally:
        server.terminate()
        server.wait(timeout=60)
        log.close()
    return summarise("Bolt: neo4j driver -> ArcadeDB Bolt server (another process)", data, first, second,
                     disk_mb(folder), round(hwm / 1024))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scale", type=float, default=1.0, help="1.0: 1M + 3M embedded, 100k + 300k over Bolt")
    parser.add_argument("--skip-bolt", action="store_true")
    parser.add_argument("--skip-embedded", action="store_true")
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--jvm-heap", default="4g", help="PERSONAGRAPH_JVM_HEAP for the importer and the server (the package default)")
    parser.add_argument("--out", type=Path, default=ROOT / "benchmarks" / "results" / "ingest.json")
    args = parser.parse_args()
    JVM_HEAP[0] = args.jvm_heap
    work = Path(tempfile.mkdtemp(prefix="personagraph-ingest-"))
    load = os.getloadavg()
    results: dict[str, Any] = {
        "benchmark": "ingest", "scale": args.scale, "seed": args.seed,
        "machine": {"cpus": os.cpu_count(), "python": platform.python_version(), "loadavg_at_start": [round(x, 2) for x in load],
                    "jvm_heap": args.jvm_heap,
                    "note": "2-core machine shared with other sessions while this ran; figures vary with their load"},
        "targets": {"embedded_personas_per_s": 50_000, "embedded_relations_per_s": 80_000,
                    "bolt_personas_per_s": 15_000, "bolt_relations_per_s": 20_000},
    }
    print(f"work folder {work}; load average at start {load[0]:.2f} on {os.cpu_count()} cores")
    try:
        if not args.skip_embedded:
            t = time.perf_counter()
            data = generate(work, int(1_000_000 * args.scale), int(3_000_000 * args.scale), args.seed, "large")
            print(f"generated {data['personas']:,} personas ({data['personas_mb']} MB) and {data['relations']:,} relations "
                  f"({data['relations_mb']} MB) in {time.perf_counter() - t:.0f} s")
            results["embedded"] = bench_embedded(work, data)
        if not args.skip_bolt:
            data = generate(work, int(100_000 * args.scale), int(300_000 * args.scale), args.seed + 1, "bolt")
            results["bolt"] = bench_bolt(work, data)
    finally:
        shutil.rmtree(work, ignore_errors=True)
    results["machine"]["loadavg_at_end"] = [round(x, 2) for x in os.getloadavg()]
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(results, indent=2) + "\n")
    print(f"\nsaved {args.out}")


if __name__ == "__main__":
    main()
