"""`sample`'s candidate read: each page by id lookups (before) against the page's id range (now).

    python benchmarks/candidates.py               # 300k personas + 900k relations
    python benchmarks/candidates.py --scale 1     # 1M + 3M

Builds a store with the importer (the scale benchmark's files), then reads every persona as a
sampling candidate (facets, relation types and degree) three ways in one process, one JVM, twice
over (the first round warms the JVM and is not counted):

- floor: the keyset pages of ids alone (``sampling/candidate_ids``), which both reads start with;
- before: each page's facets by looking up its ids one by one (``UNWIND $ids … {id: id}``), the
  relations walked twice (``COUNT {…}`` for the degree, a list for the types);
- now: ``fetch_candidates``: the page's id range under the same filters, the relations walked once.

The two reads must give the same candidates (ids, degrees, relation types), or the run fails.
Printed: rows/s, wall and CPU seconds of each. Results go to benchmarks/results/candidates.json.
"""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "benchmarks"))

import ingest  # noqa: E402
from results_file import bench_parser, finish_results, start_results, work_folder  # noqa: E402

from personagraph.sampling.candidates import CandidateColumns, CandidateSet, fetch_candidates  # noqa: E402
from personagraph.store import GraphStore, open_store  # noqa: E402

PAGE = 20_000
# cypher/sampling/candidates.cypher before the change, as it was (parameters: ids, conds, attrs).
BEFORE = """
UNWIND $ids AS id
MATCH (p:Persona {id: id})
WITH p, COUNT { (p)--(:Persona) } AS degree
WITH p, degree, {hop: p.hop, uses: coalesce(p.uses, 0), cluster: p.cluster, community: p.community, origin: p.origin, degree: degree, quality: p.quality,
      age: p.age, age_band: p.age_band, gender: p.gender, occupation: p.occupation, isco: p.isco, industry: p.industry,
      country: p.country, region: p.region, city: p.city, settlement: p.settlement, education: p.education,
      marital_status: p.marital_status, life_stage: p.life_stage, openness: p.openness,
      conscientiousness: p.conscientiousness, extraversion: p.extraversion, agreeableness: p.agreeableness,
      neuroticism: p.neuroticism} AS f
WHERE all(c IN $conds WHERE CASE c.op
    WHEN '=' THEN f[c.field] = c.value
    WHEN '<>' THEN f[c.field] <> c.value
    WHEN '<' THEN f[c.field] < c.value
    WHEN '<=' THEN f[c.field] <= c.value
    WHEN '>' THEN f[c.field] > c.value
    WHEN '>=' THEN f[c.field] >= c.value
    ELSE false END)
RETURN p.id AS id, p.hop AS hop, p.origin AS origin, p.cluster AS cluster, p.community AS community,
       coalesce(p.uses, 0) AS uses, degree, [(p)-[r]-(:Persona) | type(r)] AS rels,
       [k IN $attrs | f[k]] AS attrs
ORDER BY p.id
"""
NO_FILTER = {"origins": None, "clusters": None, "text": None}


def cpu() -> float:
    times = os.times()
    return times.user + times.system


def floor(store: GraphStore) -> int:
    return sum(len(ids) for ids in store.id_pages("sampling/candidate_ids", PAGE, **NO_FILTER))


def before(store: GraphStore) -> CandidateSet:
    columns = CandidateColumns(())
    for ids in store.id_pages("sampling/candidate_ids", PAGE, **NO_FILTER):
        got = store.executor.read_columns(BEFORE, {"ids": ids, "conds": [], "attrs": []}, name="before")
        if got is None:  # an executor without columnar reads
            rows = store.executor.read(BEFORE, {"ids": ids, "conds": [], "attrs": []}, name="before")
            got = {key: [row[key] for row in rows] for key in (rows[0] if rows else {})}
        columns.add({key: list(value) for key, value in got.items()})
    return columns.candidates()


def now(store: GraphStore) -> CandidateSet:
    return fetch_candidates(store, page=PAGE)


def same(a: CandidateSet, b: CandidateSet) -> bool:
    types = [sorted(a.rels[i]) == sorted(b.rels[i]) for i in range(len(a))]
    return a.ids == b.ids and a.degrees.tolist() == b.degrees.tolist() and all(types)


def bench(store: GraphStore) -> dict[str, Any]:
    reads = (("floor: id pages alone", floor), ("before: id lookups", before), ("now: id ranges", now))
    figures: dict[str, Any] = {"page": PAGE, "variants": []}
    results: dict[str, Any] = {}
    for round_ in (0, 1):
        for name, read in reads:
            wall, used = time.perf_counter(), cpu()
            got = read(store)
            wall, used = time.perf_counter() - wall, cpu() - used
            results[name] = got
            if round_ == 0:
                continue
            rows = got if isinstance(got, int) else len(got)
            rate = round(rows / wall)
            figures["variants"].append(
                {"variant": name, "rows": rows, "wall_s": round(wall, 2), "cpu_s": round(used, 2), "rows_per_s": rate}
            )
            print(
                f"  {name:<24} {rate:>8,} rows/s  {wall:6.1f} s wall  {used:6.1f} s CPU  (load {os.getloadavg()[0]:.1f})"
            )
    if not same(results["before: id lookups"], results["now: id ranges"]):
        raise SystemExit("the two reads gave different candidates")
    by_name = {v["variant"]: v for v in figures["variants"]}
    figures["x_before"] = round(
        by_name["now: id ranges"]["rows_per_s"] / by_name["before: id lookups"]["rows_per_s"], 2
    )
    figures["share_of_floor"] = round(
        by_name["now: id ranges"]["rows_per_s"] / by_name["floor: id pages alone"]["rows_per_s"], 3
    )
    print(f"  now / before: x{figures['x_before']}   now / floor: {figures['share_of_floor']:.1%}")
    return figures


def main() -> None:
    parser = bench_parser(
        "candidates",
        __doc__.splitlines()[0],
        "0.3: 300k personas + 900k relations",
        "4g",
        "PERSONAGRAPH_JVM_HEAP of the import and the reads",
    )
    parser.set_defaults(scale=0.3)
    args = parser.parse_args()
    os.environ["PERSONAGRAPH_JVM_HEAP"] = args.jvm_heap
    n = int(1_000_000 * args.scale)
    with work_folder("personagraph-candidates-") as work:
        results = start_results("candidates", args, work)
        data = ingest.generate(work, n, 3 * n, args.seed, "candidates")
        store_path = work / "store"
        t = time.perf_counter()
        argv = [data["personas_file"], data["relations_file"], "--allow-self-loops", "--format", "jsonl"]
        subprocess.run(
            [sys.executable, "-m", "personagraph", "--store", str(store_path), "import", *argv],
            check=True,
            stdout=subprocess.DEVNULL,
            cwd=work,
        )
        print(f"  {n:,} personas + {3 * n:,} relations imported in {time.perf_counter() - t:.0f} s")
        os.chdir(work)  # the engine's log/ folder goes there
        store = open_store(str(store_path))
        results["candidates"] = bench(store)
        store.close()
    finish_results(args.out, results)


if __name__ == "__main__":
    main()
