"""Reading a page of personas by its id range (now) against looking up its ids one by one (before).

    python benchmarks/id_ranges.py               # 300k personas + 900k relations
    python benchmarks/id_ranges.py --scale 1     # 1M + 3M

Builds a store with the importer (the scale benchmark's files), then reads every persona twice
over in one process, one JVM (the first round warms the JVM and is not counted):

- sample's candidates (facets, relation types and degree), 20k ids a page:
  - floor: the keyset pages of ids alone (``sampling/candidate_ids``), which both reads start with;
  - before: each page's facets by looking up its ids (``UNWIND $ids … {id: id}``), the relations
    walked twice (``COUNT {…}`` for the degree, a list for the types), ``ORDER BY p.id``;
  - now: ``fetch_candidates``: the page's id range under the same filters, the relations walked
    once, the page sorted in Python;
- every persona-to-persona relation with its type and properties (export, ``iter_relations``),
  10k source ids a page:
  - before: the out-edges of each page's ids looked up one by one (``page_relations`` as it was);
  - now: ``GraphStore.iter_relations``: the out-edges of the page's id range.

Each pair of reads must give the same rows, or the run fails. Printed: rows/s, wall and CPU
seconds (this process, the JVM's threads included). Results go to benchmarks/results/id_ranges.json.
"""

from __future__ import annotations

import os
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "benchmarks"))

import ingest  # noqa: E402
from results_file import bench_parser, finish_results, process_cpu, start_results, work_folder  # noqa: E402

from personagraph.sampling.candidates import CandidateColumns, CandidateSet, fetch_candidates  # noqa: E402
from personagraph.store import GraphStore, open_store  # noqa: E402

PAGE = 20_000  # sample's candidate page
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
# cypher/page_relations.cypher before the change (parameter: ids).
RELATIONS_BEFORE = """
UNWIND $ids AS id
MATCH (a:Persona {id: id})-[r]->(b:Persona)
RETURN a.id AS src, b.id AS dst, type(r) AS type, properties(r) AS props
"""
RELATION_PAGE = 10_000
NO_FILTER = {"origins": None, "clusters": None, "text": None}


def floor(store: GraphStore) -> int:
    return sum(len(ids) for ids in store.id_pages("sampling/candidate_ids", PAGE, **NO_FILTER))


def candidates_before(store: GraphStore) -> CandidateSet:
    columns = CandidateColumns(())
    for ids in store.id_pages("sampling/candidate_ids", PAGE, **NO_FILTER):
        columns.add(read(store, BEFORE, {"ids": ids, "conds": [], "attrs": []}))
    return columns.candidates()


def candidates_now(store: GraphStore) -> CandidateSet:
    return fetch_candidates(store, page=PAGE)


def relations_before(store: GraphStore) -> list[tuple[Any, ...]]:
    rows = []
    for ids in store.id_pages("page_persona_ids", RELATION_PAGE):
        page = read(store, RELATIONS_BEFORE, {"ids": ids})
        rows.extend(zip(page["src"], page["dst"], page["type"], page["props"], strict=True))
    return rows


def relations_now(store: GraphStore) -> list[tuple[Any, ...]]:
    return [(r["src"], r["dst"], r["type"], r["props"]) for r in store.iter_relations(batch_size=RELATION_PAGE)]


def read(store: GraphStore, text: str, params: dict[str, Any]) -> dict[str, list[Any]]:
    got = store.executor.read_columns(text, params, name="before")
    if got is None:  # an executor without columnar reads
        rows = store.executor.read(text, params, name="before")
        return {key: [row[key] for row in rows] for key in (rows[0] if rows else {})}
    return {key: list(value) for key, value in got.items()}


def same_candidates(a: CandidateSet, b: CandidateSet) -> bool:
    types = [sorted(a.rels[i]) == sorted(b.rels[i]) for i in range(len(a))]
    return a.ids == b.ids and a.degrees.tolist() == b.degrees.tolist() and all(types)


def same_relations(a: list[tuple[Any, ...]], b: list[tuple[Any, ...]]) -> bool:
    def key(row: tuple[Any, ...]) -> tuple[Any, ...]:
        return (*row[:3], sorted((row[3] or {}).items()))

    return sorted(map(key, a)) == sorted(map(key, b))


def timed(
    reads: tuple[tuple[str, Callable[[GraphStore], Any]], ...], store: GraphStore
) -> tuple[list[dict[str, Any]], dict[str, Any]]:
    """Each read twice over (the first round not counted): its figures, and what the last round read."""
    figures: list[dict[str, Any]] = []
    got: dict[str, Any] = {}
    for round_ in (0, 1):
        for name, reader in reads:
            wall, used = time.perf_counter(), process_cpu()
            got[name] = reader(store)
            wall, used = time.perf_counter() - wall, process_cpu() - used
            if round_ == 0:
                continue
            rows = got[name] if isinstance(got[name], int) else len(got[name])
            rate = round(rows / wall)
            figures.append(
                {"variant": name, "rows": rows, "wall_s": round(wall, 2), "cpu_s": round(used, 2), "rows_per_s": rate}
            )
            print(
                f"  {name:<36} {rate:>8,} rows/s  {wall:6.1f} s wall  {used:6.1f} s CPU  (load {os.getloadavg()[0]:.1f})"
            )
    return figures, got


def ratio(figures: list[dict[str, Any]], a: str, b: str) -> float:
    by_name = {v["variant"]: v for v in figures}
    return round(by_name[a]["rows_per_s"] / by_name[b]["rows_per_s"], 3)


def bench(store: GraphStore) -> dict[str, Any]:
    print("  sample's candidates")
    floor_name, before_name, now_name = "floor: id pages alone", "before: id lookups", "now: id ranges"
    figures, got = timed(((floor_name, floor), (before_name, candidates_before), (now_name, candidates_now)), store)
    if not same_candidates(got[before_name], got[now_name]):
        raise SystemExit("the two candidate reads gave different candidates")
    candidates = {"page": PAGE, "variants": figures, "x_before": ratio(figures, now_name, before_name)}
    candidates["share_of_floor"] = ratio(figures, now_name, floor_name)
    print(f"  now / before: x{candidates['x_before']}   now / floor: {candidates['share_of_floor']:.1%}")
    print("  relations (export, iter_relations)")
    figures, got = timed(((before_name, relations_before), (now_name, relations_now)), store)
    if not same_relations(got[before_name], got[now_name]):
        raise SystemExit("the two relation reads gave different relations")
    relations = {"page": RELATION_PAGE, "variants": figures, "x_before": ratio(figures, now_name, before_name)}
    print(f"  now / before: x{relations['x_before']}")
    return {"candidates": candidates, "relations": relations}


def main() -> None:
    parser = bench_parser(
        "id_ranges",
        __doc__.splitlines()[0],
        "0.3: 300k personas + 900k relations",
        "4g",
        "PERSONAGRAPH_JVM_HEAP of the import and the reads",
    )
    parser.set_defaults(scale=0.3)
    args = parser.parse_args()
    os.environ["PERSONAGRAPH_JVM_HEAP"] = args.jvm_heap
    n = int(1_000_000 * args.scale)
    with work_folder("personagraph-id-ranges-") as work:
        results = start_results("id_ranges", args, work)
        store_path = ingest.imported_store(work, n, args.seed, "ranges")
        store = open_store(str(store_path))
        results.update(bench(store))
        store.close()
    finish_results(args.out, results)


if __name__ == "__main__":
    main()
