"""Ingest benchmark: `personagraph import` of generated personas and relations, embedded and over Bolt.

    python benchmarks/ingest.py               # 1M personas + 3M relations embedded; 100k + 300k over Bolt
    python benchmarks/ingest.py --scale 0.1   # a tenth of that, for development
    python benchmarks/ingest.py --skip-bolt

Rows are generated deterministically (seeded): persona texts from word lists (unique, varied),
relations between random personas by id with types from the default vocabulary and a `run`
property. Each import runs the real CLI (`python -m personagraph import FILES --format jsonl`) in a child
process against a fresh store with the schema in place (unique index on id), then a second time
on the same files, which must add nothing. Throughput is the importer's own time (reading,
checking, hashing, writing; the JVM start is reported apart as the process's wall time). The
floor is writing the same rows as JSONL with `json.dumps`, timed in this process while the files
are made. Peak RSS is the kernel's high-water mark (VmHWM) of the importer and of the Bolt server.
A second baseline is the engine alone on the same rows, in a fresh process and store: ArcadeDB's
batch API with the same schema and properties (no file, no checks, no idempotence), and over
Bolt the simplest ``UNWIND`` writes against a fresh server (``--no-engine`` skips them). Embedded,
a third run is stricter: the Java entry points the importer calls, the JSON made before its clock
starts (``engine_bridge``). ``--pairs N`` repeats the three on fresh stores, in turns, and reports
the median ratios.
Results go to benchmarks/results/ingest.json.
"""

from __future__ import annotations

import argparse
import functools
import gc
import json
import os
import random
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from results_file import bench_parser, finish_results, start_results, work_folder  # noqa: E402

from personagraph.ids import persona_id  # noqa: E402
from personagraph.vocabulary import DEFAULT_RELATIONS  # noqa: E402

ADJECTIVES = (
    "retired",
    "young",
    "ambitious",
    "meticulous",
    "curious",
    "soft-spoken",
    "veteran",
    "self-taught",
    "anxious",
    "cheerful",
    "stubborn",
    "pragmatic",
    "idealistic",
    "exhausted",
    "newly hired",
    "bilingual",
    "part-time",
)
ROLES = (
    "nurse",
    "welder",
    "chess coach",
    "schoolteacher",
    "ship captain",
    "pharmacist",
    "data analyst",
    "baker",
    "judge",
    "paramedic",
    "historian",
    "dock worker",
    "violinist",
    "beekeeper",
    "tax lawyer",
    "game designer",
    "radiologist",
    "librarian",
    "carpenter",
    "marine biologist",
    "union organiser",
    "translator",
    "sous-chef",
    "surveyor",
)
PLACES = (
    "Lisbon",
    "Osaka",
    "a fishing village",
    "the night shift",
    "a rural clinic",
    "Nairobi",
    "a shipyard",
    "Montreal",
    "a chess club",
    "Valparaíso",
    "a mountain town",
    "Hamburg",
    "a boarding school",
    "Kraków",
    "a food truck",
    "Hanoi",
)
INTERESTS = (
    "collects antique maps",
    "writes poetry about tides",
    "restores old radios",
    "trains for marathons",
    "keeps a blog on medieval trade",
    "volunteers at an animal shelter",
    "plays bridge on Tuesdays",
    "studies Byzantine coins",
    "grows chili peppers",
    "builds model ships",
    "teaches adults to read",
    "fixes bicycles for neighbours",
    "records birdsong",
    "argues about tax policy online",
)
WORRIES = (
    "worries about automation",
    "hopes to open a clinic",
    "dreams of sailing alone",
    "distrusts new software",
    "mentors two apprentices",
    "cares for an ageing parent",
    "is saving for a house",
    "recently changed careers",
)


def persona_text(rng: random.Random, i: int) -> str:
    # The serial keeps texts unique (so counts are exact); the rest makes them varied.
    return (
        f"A {rng.choice(ADJECTIVES)} {rng.choice(ROLES)} from {rng.choice(PLACES)} who {rng.choice(INTERESTS)} "
        f"and {rng.choice(WORRIES)}, known locally as member {i} of the guild"
    )


def generate(
    folder: Path, personas: int, relations: int, seed: int, name: str, texts: Iterator[str] | None = None
) -> dict[str, Any]:
    """Write ``<name>-personas.jsonl`` and ``<name>-relations.jsonl``; time the JSONL writes (the floor).

    ``texts`` gives the persona texts (``personas`` of them, streamed); by default ``persona_text``.
    """
    rng = random.Random(seed)
    ids: list[str] = []
    write_p = write_r = 0.0
    chunk = 50_000
    p_path, r_path = folder / f"{name}-personas.jsonl", folder / f"{name}-relations.jsonl"
    with p_path.open("w", encoding="utf-8") as out:
        for start in range(0, personas, chunk):
            rows = []
            for i in range(start, min(start + chunk, personas)):
                text = persona_text(rng, i) if texts is None else next(texts)
                ids.append(persona_id(text))
                rows.append({"persona": text})
            t = time.perf_counter()
            out.writelines(json.dumps(row) + "\n" for row in rows)
            write_p += time.perf_counter() - t
    # Distinct (src, dst, type) triples, each packed in one int64 (a set of tuples took ~3 GB at 30M).
    keys = np.empty(relations, dtype=np.int64)
    type_number = {rel: i for i, rel in enumerate(DEFAULT_RELATIONS)}
    with r_path.open("w", encoding="utf-8") as out:
        for start in range(0, relations, chunk):
            rows = []
            for k in range(start, min(start + chunk, relations)):
                a, b = rng.randrange(personas), rng.randrange(personas)
                rel_type = rng.choice(DEFAULT_RELATIONS)
                keys[k] = (a * personas + b) * len(DEFAULT_RELATIONS) + type_number[rel_type]
                rows.append({"src": ids[a], "dst": ids[b], "type": rel_type, "run": "bench"})
            t = time.perf_counter()
            out.writelines(json.dumps(row) + "\n" for row in rows)
            write_r += time.perf_counter() - t
    return {
        "personas_file": str(p_path),
        "relations_file": str(r_path),
        "personas": personas,
        "relations": relations,
        "distinct_relations": len(np.unique(keys)),
        "floor_personas_per_s": round(personas / write_p),
        "floor_relations_per_s": round(relations / write_r),
        "personas_mb": round(p_path.stat().st_size / 2**20, 1),
        "relations_mb": round(r_path.stat().st_size / 2**20, 1),
    }


JVM_HEAP = ["4g"]  # the package's default heap; --jvm-heap changes it
REIMPORT = [True]  # --skip-reimport: no second import of the same files (embedded)
PAIRS = [1]  # --pairs: import / engine-alone pairs (embedded), the median ratio reported


def env(**extra: str) -> dict[str, str]:
    base = {k: v for k, v in os.environ.items() if not k.startswith(("PERSONAGRAPH_", "OPENAI_"))}
    base["PYTHONPATH"] = str(ROOT) + os.pathsep + base.get("PYTHONPATH", "")
    base["PERSONAGRAPH_JVM_HEAP"] = JVM_HEAP[0]
    base.update(extra)
    return base


def peak_rss_mb(pid: int) -> int:
    """The process's own high-water RSS (VmHWM; 0 once it is gone)."""
    try:
        status = Path(f"/proc/{pid}/status").read_text()
    except OSError:
        return 0
    return next((int(line.split()[1]) // 1024 for line in status.splitlines() if line.startswith("VmHWM")), 0)


def imported_store(work: Path, n: int, seed: int, prefix: str) -> Path:
    """A store in ``work`` holding ``n`` generated personas and ``3n`` relations (the CLI's import);
    this process then works in ``work`` (the engine's log/ folder goes there)."""
    data = generate(work, n, 3 * n, seed, prefix)
    store = work / "store"
    started = time.perf_counter()
    argv = [data["personas_file"], data["relations_file"], "--allow-self-loops", "--format", "jsonl"]
    subprocess.run(
        [sys.executable, "-m", "personagraph", "--store", str(store), "import", *argv],
        check=True,
        stdout=subprocess.DEVNULL,
        cwd=work,
    )
    print(f"  {n:,} personas + {3 * n:,} relations imported in {time.perf_counter() - started:.0f} s")
    os.chdir(work)
    return store


def run_import(store: str, files: list[str], extra_env: dict[str, str]) -> dict[str, Any]:
    """One `personagraph import` child; its JSON reports, wall time and peak RSS.

    The peak is VmHWM read every 0.2 s: wait4's ru_maxrss would also count the RSS this (big)
    process had when it forked the child.
    """
    # The generated relations include a few self-loops (random ends); keep them, as before.
    cmd = [
        sys.executable,
        "-m",
        "personagraph",
        "--store",
        store,
        "import",
        *files,
        "--allow-self-loops",
        "--format",
        "jsonl",
    ]
    started = time.perf_counter()
    with tempfile.TemporaryFile() as out, tempfile.TemporaryFile() as err:
        proc = subprocess.Popen(cmd, env=env(**extra_env), stdout=out, stderr=err, cwd=tempfile.gettempdir())
        peak = 0
        while proc.poll() is None:
            peak = max(peak, peak_rss_mb(proc.pid))
            time.sleep(0.2)
        wall = time.perf_counter() - started
        out.seek(0)
        err.seek(0)
        stdout, stderr = out.read().decode(), err.read().decode()
    if proc.returncode != 0:
        raise RuntimeError(f"import failed ({proc.returncode}): {stderr.strip()[-2000:]}")
    reports = [json.loads(line) for line in stdout.splitlines() if line.startswith("{")]
    return {"reports": reports, "wall_s": round(wall, 2), "peak_rss_mb": peak}


def summarise(
    label: str,
    data: dict[str, Any],
    first: dict[str, Any],
    second: dict[str, Any] | None,
    disk_mb: float,
    server_rss_mb: int | None = None,
) -> dict[str, Any]:
    p1, r1 = first["reports"]
    result: dict[str, Any] = {
        "write_path": p1["write_path"],
        "personas": data["personas"],
        "relations": data["relations"],
        "distinct_relations": data["distinct_relations"],
        "personas_s": p1["seconds"],
        "relations_s": r1["seconds"],
        "personas_cpu_s": p1["cpu_seconds"],
        "relations_cpu_s": r1["cpu_seconds"],
        "personas_per_s": round(data["personas"] / p1["seconds"]),
        "relations_per_s": round(data["relations"] / r1["seconds"]),
        "floor_personas_per_s": data["floor_personas_per_s"],
        "floor_relations_per_s": data["floor_relations_per_s"],
        "personas_new": p1["personas_new"],
        "relations_new": r1["relations_new"],
        "import_wall_s": first["wall_s"],
        "importer_peak_rss_mb": first["peak_rss_mb"],
        "store_disk_mb": disk_mb,
    }
    if second is not None:
        p2, r2 = second["reports"]
        result["reimport"] = {
            "personas_s": p2["seconds"],
            "relations_s": r2["seconds"],
            "wall_s": second["wall_s"],
            "personas_new": p2["personas_new"],
            "relations_new": r2["relations_new"],
            "peak_rss_mb": second["peak_rss_mb"],
        }
    if server_rss_mb is not None:
        result["server_peak_rss_mb"] = server_rss_mb
    ok = p1["personas_new"] == data["personas"] and r1["relations_new"] == data["distinct_relations"]
    idem = second is None or (p2["personas_new"] == 0 and r2["relations_new"] == 0)
    result["counts_exact"] = ok
    if second is not None:
        result["reimport_adds_nothing"] = idem
    print(f"\n== {label} ({result['write_path']})")
    print(
        f"  personas : {result['personas_per_s']:>9,}/s  ({data['personas']:,} in {p1['seconds']:.1f} s)"
        f"   floor (json.dumps to JSONL) {data['floor_personas_per_s']:>11,}/s"
    )
    print(
        f"  relations: {result['relations_per_s']:>9,}/s  ({data['relations']:,} in {r1['seconds']:.1f} s)"
        f"   floor (json.dumps to JSONL) {data['floor_relations_per_s']:>11,}/s"
    )
    print(
        f"  counts exact: {ok}  (new personas {p1['personas_new']:,}, new relations {r1['relations_new']:,} of "
        f"{data['distinct_relations']:,} distinct)"
    )
    if second is not None:
        print(
            f"  re-import: personas {p2['seconds']:.1f} s, relations {r2['seconds']:.1f} s, added {p2['personas_new']} "
            f"personas and {r2['relations_new']} relations (idempotent: {idem})"
        )
    else:
        print("  re-import: skipped (--skip-reimport)")
    print(
        f"  importer wall {first['wall_s']:.1f} s (JVM start included), peak RSS {first['peak_rss_mb']} MB; "
        f"store on disk {disk_mb} MB" + (f"; server peak RSS {server_rss_mb} MB" if server_rss_mb else "")
    )
    return result


def disk_mb(folder: Path) -> float:
    return round(sum(p.stat().st_size for p in folder.rglob("*") if p.is_file()) / 2**20, 1)


def load_rows(personas_file: str, relations_file: str) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """The files' rows as the importer writes them (ids hashed, import defaults, the creation time
    the importer stamps on each persona), untimed."""
    from personagraph.ingest.records import persona_row
    from personagraph.models import now_iso

    now = now_iso()
    with open(personas_file, encoding="utf-8") as handle:
        people = [persona_row(json.loads(line)) | {"created_at": now} for line in handle]
    with open(relations_file, encoding="utf-8") as handle:
        relations = [json.loads(line) for line in handle]
    return people, relations


def engine_embedded(store: str, personas_file: str, relations_file: str, via: str = "api") -> dict[str, float]:
    """The engine alone: ArcadeDB's batch API on the same rows and schema, no file, no checks.

    ``via="api"``: the binding's public ``create_vertices`` / ``new_edges`` (which encode the rows
    with the stdlib's json and check each value in Python, on the clock). ``via="bridge"``: the
    Java entry points those methods call, which the importer calls too (``store.arcade_json``), with
    the rows' JSON made before the clock starts: only the hand-over and the engine are timed, the
    stricter bound."""
    from personagraph.config import Settings
    from personagraph.store import open_store

    # As the importer does (runtime.paused_gc): no cyclic collection, so that the collector's walks
    # over the millions of row dicts held here are not counted as the engine's time (this process
    # ends after the measurement).
    gc.disable()
    people, relations = load_rows(personas_file, relations_file)
    graph = open_store(store, Settings(store=store))  # the same schema: unique id + five indexes
    graph.bulk.loader.prepare(labels=["Persona"], rel_types=DEFAULT_RELATIONS)  # type: ignore[union-attr]  # the batch API's types
    db = graph.executor.db  # type: ignore[attr-defined]
    chunk = 50_000
    started, cpu_started = time.perf_counter(), time.process_time()
    rids: dict[str, str] = {}
    if via == "bridge":
        import orjson

        from personagraph.store.arcade_json import bridge

        bridge.load()
        encoded = [orjson.dumps(people[start : start + chunk]) for start in range(0, len(people), chunk)]
        started, cpu_started = time.perf_counter(), time.process_time()
    for n, start in enumerate(range(0, len(people), chunk)):
        part = people[start : start + chunk]
        with db.graph_batch(use_wal=True) as batch:
            made = (
                bridge.create_vertices(batch, "Persona", part, encoded[n])
                if via == "bridge"
                else batch.create_vertices("Persona", part)
            )
            rids.update(zip((row["id"] for row in part), made, strict=True))
    vertices_s, vertices_cpu = time.perf_counter() - started, time.process_time() - cpu_started
    edges_s = edges_cpu = 0.0
    for start in range(0, len(relations), chunk):
        by_type: dict[str, tuple[list[str], list[str], list[dict[str, Any]]]] = {}
        for row in relations[start : start + chunk]:
            src, dst, props = by_type.setdefault(row["type"], ([], [], []))
            src.append(rids[row["src"]])
            dst.append(rids[row["dst"]])
            props.append({"run": row["run"]})
        texts = {}
        if via == "bridge":
            for rel_type, (src, dst, props) in by_type.items():
                rows = [{"_src": a, "_dst": b, **p} for a, b, p in zip(src, dst, props, strict=True)]
                texts[rel_type] = orjson.dumps(rows)
        t, cpu = time.perf_counter(), time.process_time()
        with db.graph_batch(use_wal=True, expected_edge_count=chunk) as batch:
            for rel_type, (src, dst, props) in by_type.items():
                if via == "bridge":
                    bridge.edges.newEdgesJson(batch._java_graph_batch, rel_type, bridge.text(texts[rel_type]))
                else:
                    batch.new_edges(src, rel_type, dst, props)
        edges_s += time.perf_counter() - t
        edges_cpu += time.process_time() - cpu
    graph.close()
    # CPU: the process's (the JVM's threads too), the figure to compare on a busy machine.
    return {
        "personas_per_s": round(len(people) / vertices_s),
        "relations_per_s": round(len(relations) / edges_s),
        "personas_cpu_s": round(vertices_cpu, 3),
        "relations_cpu_s": round(edges_cpu, 3),
    }


def engine_bolt(url: str, password: str, personas_file: str, relations_file: str) -> dict[str, float]:
    """The server alone: the simplest UNWIND writes (no idempotence checks) on the same rows."""
    import neo4j

    from personagraph.config import Secret, Settings
    from personagraph.store import open_store

    open_store(url, Settings(store=url, user="root", password=Secret(password))).close()  # the same schema
    people, relations = load_rows(personas_file, relations_file)
    rows = [{"id": row["id"], "props": {k: v for k, v in row.items() if k != "id"}} for row in people]
    chunk = 2000
    with neo4j.GraphDatabase.driver(url, auth=("root", password)) as driver:
        started = time.perf_counter()
        for start in range(0, len(rows), chunk):
            driver.execute_query(
                "UNWIND $rows AS r MERGE (p:Persona {id: r.id}) ON CREATE SET p += r.props",
                rows=rows[start : start + chunk],
                database_="personas",
            )
        vertices_s = time.perf_counter() - started
        by_type: dict[str, list[dict[str, Any]]] = {}
        for row in relations:
            by_type.setdefault(row["type"], []).append(row)
        started = time.perf_counter()
        for rel_type, typed in by_type.items():  # types from the vocabulary, checked by the generator
            query = (
                f"UNWIND $rows AS r MATCH (a:Persona {{id: r.src}}) MATCH (b:Persona {{id: r.dst}}) "
                f"CREATE (a)-[e:{rel_type}]->(b) SET e.run = r.run"
            )
            for start in range(0, len(typed), chunk):
                driver.execute_query(query, rows=typed[start : start + chunk], database_="personas")
        edges_s = time.perf_counter() - started
    return {"personas_per_s": round(len(people) / vertices_s), "relations_per_s": round(len(relations) / edges_s)}


def engine_child(args: list[str], extra_env: dict[str, str]) -> dict[str, float]:
    out = subprocess.run(
        [sys.executable, __file__, "--engine-child", *args],
        env=env(**extra_env),
        capture_output=True,
        text=True,
        timeout=7200,
        cwd=tempfile.gettempdir(),
    )
    if out.returncode != 0:
        raise RuntimeError(f"engine baseline failed: {out.stderr.strip()[-2000:]}")
    return dict(json.loads(out.stdout.strip().splitlines()[-1]))


def print_engine(result: dict[str, Any], what: str, key: str = "engine_alone") -> None:
    engine = result[key]
    print(
        f"  engine alone ({what}), same rows: {engine['personas_per_s']:,} personas/s, {engine['relations_per_s']:,} relations/s"
        f"  -> the import reaches {result['personas_per_s'] / engine['personas_per_s']:.0%} and "
        f"{result['relations_per_s'] / engine['relations_per_s']:.0%} of it"
    )
    if "personas_cpu_s" in engine:
        # On a shared machine wall time follows the load; CPU seconds (JVM threads included) less so.
        cpu = {
            "personas": round(engine["personas_cpu_s"] / result["personas_cpu_s"], 3),
            "relations": round(engine["relations_cpu_s"] / result["relations_cpu_s"], 3),
        }
        result["cpu_ratio_to_engine" if key == "engine_alone" else "cpu_ratio_to_bridge"] = cpu
        print(
            f"  by CPU seconds: personas {result['personas_cpu_s']:.1f} s against the engine's {engine['personas_cpu_s']:.1f} s "
            f"({cpu['personas']:.0%}), relations {result['relations_cpu_s']:.1f} s against {engine['relations_cpu_s']:.1f} s "
            f"({cpu['relations']:.0%})"
        )


def _pair(
    data: dict[str, Any], imported: dict[str, Any], engine: dict[str, Any], bridge: dict[str, Any]
) -> dict[str, Any]:
    """One import and the engine alone on the same rows (both ways, ``engine_embedded``): their
    rates and the ratios."""
    p, r = imported["reports"]
    rates = {
        "personas_per_s": round(data["personas"] / p["seconds"]),
        "relations_per_s": round(data["relations"] / r["seconds"]),
    }

    def ratio(alone: dict[str, Any]) -> dict[str, float]:
        return {k: round(rates[f"{k}_per_s"] / alone[f"{k}_per_s"], 3) for k in ("personas", "relations")}

    return {
        "import": rates,
        "engine_alone": {k: engine[k] for k in ("personas_per_s", "relations_per_s")},
        "engine_bridge": {k: bridge[k] for k in ("personas_per_s", "relations_per_s")},
        "ratio": ratio(engine),
        "ratio_bridge": ratio(bridge),
        "loadavg": [round(x, 2) for x in os.getloadavg()],
    }


def more_pairs(
    work: Path, data: dict[str, Any], files: list[str], result: dict[str, Any], first: dict[str, Any]
) -> None:
    """``PAIRS - 1`` more pairs (the import and both engine-alone runs), each on fresh stores, the
    three taking turns at going first (so a drift of the machine's load favours none); the median
    ratios of all the pairs.
    On this 2-core machine one pair's ratio moved by 15-20 points between runs of the same code."""
    pairs = [_pair(data, first, result["engine_alone"], result["engine_bridge"])]
    for i in range(1, PAIRS[0]):
        store, engine_store = work / f"embedded-store-{i}", work / f"engine-store-{i}"
        runs: dict[str, Any] = {}
        steps = {
            "import": functools.partial(run_import, str(store), files, {}),
            "api": functools.partial(engine_child, ["embedded", str(engine_store), *files], {}),
            "bridge": functools.partial(engine_child, ["embedded", str(engine_store), *files, "bridge"], {}),
        }
        order = list(steps)
        order = order[i % 3 :] + order[: i % 3]  # each run first, second and third in turn
        for name in order:
            runs[name] = steps[name]()
            shutil.rmtree(store if name == "import" else engine_store, ignore_errors=True)
        pairs.append(_pair(data, runs["import"], runs["api"], runs["bridge"]))
        ratio, strict = pairs[-1]["ratio"], pairs[-1]["ratio_bridge"]
        print(
            f"  pair {i + 1} (order {', '.join(order)}): the import reaches {ratio['personas']:.0%} and "
            f"{ratio['relations']:.0%} of the engine alone ({strict['personas']:.0%} and {strict['relations']:.0%} "
            "of it through the bridge)"
        )
    result["pairs"] = pairs
    for key, what in (("ratio", "engine alone"), ("ratio_bridge", "engine alone through the bridge")):
        median = {k: round(statistics.median(p[key][k] for p in pairs), 3) for k in ("personas", "relations")}
        result[f"median_{key}"] = median
        print(
            f"  median of {len(pairs)} pairs: the import reaches {median['personas']:.0%} (personas) and "
            f"{median['relations']:.0%} (relations) of the {what}"
        )


def bench_embedded(work: Path, data: dict[str, Any], engine: bool) -> dict[str, Any]:
    store = work / "embedded-store"
    files = [data["personas_file"], data["relations_file"]]
    first = run_import(str(store), files, {})
    second = run_import(str(store), files, {}) if REIMPORT[0] else None
    result = summarise("embedded ArcadeDB", data, first, second, disk_mb(store))
    if engine:
        result["engine_alone"] = engine_child(["embedded", str(work / "engine-store"), *files], {})
        print_engine(result, "batch API create_vertices/new_edges, same schema and edge property, no checks")
        shutil.rmtree(work / "engine-store", ignore_errors=True)
        result["engine_bridge"] = engine_child(["embedded", str(work / "engine-store"), *files, "bridge"], {})
        print_engine(
            result, "the same Java entry points the importer calls, JSON made before the clock", "engine_bridge"
        )
        shutil.rmtree(work / "engine-store", ignore_errors=True)
        if PAIRS[0] > 1:
            shutil.rmtree(store, ignore_errors=True)
            more_pairs(work, data, files, result, first)
    return result


class Served:
    """``personagraph serve`` on a fresh folder, in another process."""

    password = "bench-password-1"

    def __init__(self, folder: Path, log: Path) -> None:
        from tests.serve_process import free_port, serve_process, wait_for_port

        folder.mkdir()
        self.folder = folder
        port = free_port()
        self.url = f"bolt://127.0.0.1:{port}"
        self._log = log.open("wb")
        self.process = serve_process(
            folder, port, env(PERSONAGRAPH_PASSWORD=self.password), stdout=self._log, cwd=folder
        )
        wait_for_port(port, self.process)

    def stop(self) -> int:
        hwm = peak_rss_mb(self.process.pid)
        self.process.terminate()
        self.process.wait(timeout=60)
        self._log.close()
        return hwm


def bench_bolt(work: Path, data: dict[str, Any], engine: bool) -> dict[str, Any]:
    files = [data["personas_file"], data["relations_file"]]
    server = Served(work / "bolt-store", work / "serve.log")
    try:
        bolt = {"PERSONAGRAPH_PASSWORD": server.password, "PERSONAGRAPH_USER": "root"}
        first = run_import(server.url, files, bolt)
        second = run_import(server.url, files, bolt)
    finally:
        hwm = server.stop()
    result = summarise(
        "Bolt: neo4j driver -> ArcadeDB Bolt server (another process)",
        data,
        first,
        second,
        disk_mb(work / "bolt-store"),
        hwm,
    )
    if engine:
        server = Served(work / "bolt-engine-store", work / "serve-engine.log")
        try:
            result["engine_alone"] = engine_child(["bolt", server.url, server.password, *files], {})
        finally:
            server.stop()
        print_engine(result, "UNWIND ... MERGE / MATCH-MATCH-CREATE in 2,000-row transactions, no idempotence checks")
    return result


def main() -> None:
    parser = bench_parser(
        "ingest",
        __doc__.splitlines()[0],
        "1.0: 1M + 3M embedded, 100k + 300k over Bolt",
        "4g",
        "PERSONAGRAPH_JVM_HEAP for the importer and the server (the package default)",
    )
    parser.add_argument("--skip-bolt", action="store_true")
    parser.add_argument("--skip-embedded", action="store_true")
    parser.add_argument("--no-engine", action="store_true", help="skip the engine-alone baselines")
    parser.add_argument("--skip-reimport", action="store_true", help="embedded: no second import of the same files")
    parser.add_argument(
        "--pairs",
        type=int,
        default=1,
        help="embedded: this many import / engine-alone pairs on fresh stores, and their median ratio",
    )
    parser.add_argument("--engine-child", nargs="+", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.engine_child:
        kind, *rest = args.engine_child
        result = engine_embedded(*rest) if kind == "embedded" else engine_bolt(*rest)
        print(json.dumps(result))
        return
    JVM_HEAP[0] = args.jvm_heap
    REIMPORT[0] = not args.skip_reimport
    PAIRS[0] = max(1, args.pairs)
    targets = {
        "embedded_personas_per_s": 50_000,
        "embedded_relations_per_s": 80_000,
        "bolt_personas_per_s": 15_000,
        "bolt_relations_per_s": 20_000,
    }
    with work_folder("personagraph-ingest-") as work:
        results = start_results("ingest", args, work, targets=targets)
        if not args.skip_embedded:
            t = time.perf_counter()
            data = generate(work, int(1_000_000 * args.scale), int(3_000_000 * args.scale), args.seed, "large")
            print(
                f"generated {data['personas']:,} personas ({data['personas_mb']} MB) and {data['relations']:,} relations "
                f"({data['relations_mb']} MB) in {time.perf_counter() - t:.0f} s"
            )
            results["embedded"] = bench_embedded(work, data, not args.no_engine)
        if not args.skip_bolt:
            data = generate(work, int(100_000 * args.scale), int(300_000 * args.scale), args.seed + 1, "bolt")
            results["bolt"] = bench_bolt(work, data, not args.no_engine)
    finish_results(args.out, results)


if __name__ == "__main__":
    main()
