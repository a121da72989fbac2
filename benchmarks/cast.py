"""How long choosing and exporting an NPC cast takes, beside floors measured in the same run.

    python benchmarks/cast.py               # 20,000 personas, 60,000 typed relations (embedded store)
    python benchmarks/cast.py --quick       # 2,000 personas

Figures (medians over several seeds where it says so):
- ego cast from the store (``build_cast``: seed lookup, 2-hop ball hop by hop, choice, member texts)
  beside the floor of reading the same 2-hop neighbourhood with one variable-length Cypher query;
- the pure choice on an in-memory graph (``choose_cast``) beside networkx's own ``ego_graph`` +
  ``is_connected`` on the same graph;
- a community cast (``build_cast(community=0)``: all relations read, Louvain, choice) beside the
  floor of networkx Louvain alone on the same graph already in memory;
- exporting a 12-NPC cast (4 cards each, PNG avatars, cast.json, GraphML, GEXF, HTML) beside the
  floor of writing the same card dicts as JSON files with ``json.dumps``.
"""

from __future__ import annotations

import argparse
import json
import random
import statistics
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from results_file import save_results

from personagraph.cast.build import CastSpec, build_cast
from personagraph.cast.cards import card_v2, card_v3
from personagraph.cast.loader import load_relation_graph
from personagraph.cast.npc import npcs_from_texts
from personagraph.cast.select import choose_cast, communities, undirected
from personagraph.config import Settings
from personagraph.export.cast import export_cast
from personagraph.models import Persona, Relation
from personagraph.store import open_store
from personagraph.vocabulary import DEFAULT_RELATIONS

RESULTS = Path(__file__).resolve().parent / "results" / "cast.json"


def synthetic_world(n: int, seed: int = 7) -> tuple[list[Persona], list[Relation]]:
    """``n`` personas in groups of 50, three relations each on average, 80% inside the group."""
    rng = random.Random(seed)
    jobs = [
        "nurse",
        "welder",
        "chess coach",
        "fishmonger",
        "teacher",
        "reporter",
        "chandler",
        "doctor",
        "pupil",
        "skipper",
    ]
    people = [
        Persona(text=f"A {rng.choice(jobs)} number {i} in group {i // 50} who keeps notebook {rng.random():.6f}")
        for i in range(n)
    ]
    relations: dict[tuple[str, str, str], Relation] = {}
    while len(relations) < 3 * n:
        a = rng.randrange(n)
        group = a // 50
        b = group * 50 + rng.randrange(50) if rng.random() < 0.8 else rng.randrange(n)
        b = min(b, n - 1)
        if a == b:
            continue
        rel_type = rng.choice(DEFAULT_RELATIONS)
        relations[(people[a].id, rel_type, people[b].id)] = Relation(src=people[a].id, dst=people[b].id, type=rel_type)
    return people, list(relations.values())


def timed(fn: Any) -> tuple[float, Any]:
    start = time.perf_counter()
    value = fn()
    return time.perf_counter() - start, value


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--scale", type=int, default=20000, help="number of personas")
    parser.add_argument("--quick", action="store_true", help="2,000 personas")
    parser.add_argument("--seeds", type=int, default=15, help="seeds for the median figures")
    args = parser.parse_args()
    n = 2000 if args.quick else args.scale
    results: dict[str, Any] = {"personas": n}

    people, relations = synthetic_world(n)
    results["relations"] = len(relations)
    rng = random.Random(3)
    seeds = [people[rng.randrange(n)].id for _ in range(args.seeds)]
    with tempfile.TemporaryDirectory() as tmp:
        folder = str(Path(tmp) / "store")
        store = open_store(folder, Settings(store=folder))
        load_s, _ = timed(lambda: (store.upsert_personas(people), store.add_relations(relations)))
        print(f"setup: {n:,} personas, {len(relations):,} relations loaded in {load_s:.1f} s (embedded ArcadeDB)")

        # 1. ego cast from the store, beside one variable-length query reading the same ball.
        store.cypher(
            "MATCH (p:Persona {id: $id})-[*1..2]-(q:Persona) RETURN count(DISTINCT q) AS n", {"id": seeds[0]}
        )  # warm
        ego, floor = [], []
        for seed in seeds:
            ego.append(timed(lambda s=seed: build_cast(store, CastSpec(seed=s, hops=2, size=12)))[0])
            floor.append(
                timed(
                    lambda s=seed: store.cypher(
                        "MATCH (p:Persona {id: $id})-[*1..2]-(q:Persona) RETURN DISTINCT q.id AS id", {"id": s}
                    )
                )[0]
            )
        results["ego_cast_ms"] = 1000 * statistics.median(ego)
        results["ego_ball_query_ms"] = 1000 * statistics.median(floor)
        print(
            f"ego cast from the store (hops 2, size 12): {results['ego_cast_ms']:.1f} ms median   "
            f"| floor, one Cypher query reading the 2-hop ball: {results['ego_ball_query_ms']:.1f} ms"
        )

        # 2. the pure choice on the in-memory graph, beside networkx ego_graph + is_connected.
        import networkx as nx

        graph_s, graph = timed(lambda: load_relation_graph(store))
        simple = undirected(graph)
        pure, nx_floor = [], []
        for seed in seeds:
            pure.append(timed(lambda s=seed: choose_cast(graph, start=s, size=12))[0])
            nx_floor.append(timed(lambda s=seed: nx.is_connected(nx.ego_graph(simple, s, radius=2)))[0])
        results["choose_cast_ms"] = 1000 * statistics.median(pure)
        results["nx_ego_graph_ms"] = 1000 * statistics.median(nx_floor)
        print(
            f"choose_cast on the whole in-memory graph (size 12): {results['choose_cast_ms']:.1f} ms median   "
            f"| networkx ego_graph(radius 2) + is_connected: {results['nx_ego_graph_ms']:.1f} ms"
        )

        # 3. community cast, beside Louvain alone on the graph already in memory.
        community_s, _ = timed(lambda: build_cast(store, CastSpec(community=0, size=12)))
        louvain_s, found = timed(lambda: communities(graph))
        results.update(
            community_cast_s=community_s, louvain_only_s=louvain_s, read_relations_s=graph_s, communities=len(found)
        )
        print(
            f"community cast (read {len(relations):,} relations, Louvain, choose): {community_s:.2f} s   "
            f"| Louvain alone in memory: {louvain_s:.2f} s; reading the relations alone: {graph_s:.2f} s "
            f"({len(found)} communities)"
        )

        # 4. export, beside writing the same card dicts with json.dumps.
        cast = build_cast(store, CastSpec(seed=seeds[0], hops=2, size=12))
        npcs = npcs_from_texts(cast)
        cold_s, _ = timed(lambda: export_cast(cast, npcs, Path(tmp) / "export-cold", timestamp=0))  # imports, font
        runs = [timed(lambda i=i: export_cast(cast, npcs, Path(tmp) / f"export-{i}", timestamp=0)) for i in range(3)]
        export_s, written = min(runs, key=lambda r: r[0])
        floor_dir = Path(tmp) / "floor"
        floor_dir.mkdir()

        def json_floor() -> None:
            for i, npc in enumerate(npcs):
                for kind, card in (("v2", card_v2(npc, len(npcs))), ("v3", card_v3(npc, len(npcs)))):
                    (floor_dir / f"{i}.{kind}.json").write_text(json.dumps(card))

        json_s, _ = timed(json_floor)
        results.update(
            export_ms=1000 * export_s,
            export_first_ms=1000 * cold_s,
            export_files=len(written.files),
            json_cards_ms=1000 * json_s,
            npcs=len(npcs),
        )
        print(
            f"export of {len(npcs)} NPCs ({len(written.files)} files: cards JSON+PNG, cast.json, GraphML, GEXF, HTML): "
            f"{1000 * export_s:.0f} ms best of 3 (first run, with imports: {1000 * cold_s:.0f} ms)   "
            f"| floor, the {2 * len(npcs)} card JSON files alone: {1000 * json_s:.0f} ms"
        )
        store.close()

    save_results(RESULTS, results)


if __name__ == "__main__":
    main()
