"""The Kelvark example world as plain data and networkx graphs, plus the loader that puts it in a store.

The reference side is computed from the example files alone (never read back from a store), so
the explore tests compare the queries' answers with an independent computation on the same graph.
On top of the imported world the loader adds what a real run leaves behind: Text-to-Persona roots
with DERIVED_FROM provenance, expansion hops (multi-source BFS from the roots), clusters, the usage
ledger (uses, batches, samples).
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Any

import networkx as nx

from personagraph.ids import persona_id, text_id
from personagraph.ingest.importer import import_file
from personagraph.store import GraphStore

ROOT = Path(__file__).resolve().parents[2]
WORLD = ROOT / "examples" / "world"
TEXTS = ROOT / "examples" / "texts.jsonl"


@dataclass
class World:
    personas: dict[str, dict[str, Any]] = field(default_factory=dict)  # id -> text, label, hop, origin, cluster, uses
    relations: list[dict[str, Any]] = field(default_factory=list)  # src, dst, type, evidence, hop (ids)
    texts: dict[str, str] = field(default_factory=dict)  # text id -> source
    derived: list[tuple[str, str]] = field(default_factory=list)  # (persona id, text id)
    batches: dict[str, list[str]] = field(default_factory=dict)
    samples: dict[str, str] = field(default_factory=dict)  # sample id -> persona id
    multi: nx.MultiGraph = field(default_factory=nx.MultiGraph)  # one edge per relation
    simple: nx.Graph = field(default_factory=nx.Graph)

    def key(self, prefix: str) -> str:
        """The id of the one persona whose text starts with ``prefix``."""
        found = [pid for pid, p in self.personas.items() if p["text"].startswith(prefix)]
        assert len(found) == 1, (prefix, len(found))
        return found[0]

    def types_between(self, a: str, b: str) -> list[str]:
        return sorted(r["type"] for r in self.relations if {r["src"], r["dst"]} == {a, b})


def _lines(path: Path) -> list[dict[str, Any]]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]


@cache
def reference() -> World:
    world = World()
    for record in _lines(WORLD / "personas.jsonl"):
        pid = persona_id(record["persona"])
        world.personas[pid] = {
            "text": record["persona"],
            "label": record["domain"],
            "hop": 0,
            "origin": "import",
            "cluster": None,
            "uses": 0,
        }
        world.multi.add_node(pid)
        world.simple.add_node(pid)
    for record in _lines(WORLD / "relations.jsonl"):
        rel = {
            "src": persona_id(record["src"]),
            "dst": persona_id(record["dst"]),
            "type": record["type"],
            "evidence": record["evidence"],
            "hop": None,
        }
        world.relations.append(rel)
        world.multi.add_edge(rel["src"], rel["dst"], type=rel["type"])
        world.simple.add_edge(rel["src"], rel["dst"])
    texts = _lines(TEXTS)
    world.texts = {text_id(t["text"]): t["source"] for t in texts}
    text_ids = [text_id(t["text"]) for t in texts]

    # Text-to-Persona roots: the first persona of each domain, each from its own text; an isolated
    # persona shares the first text, so one text yields two personas.
    ids = list(world.personas)
    roots: list[str] = []
    for pid in ids:
        if world.personas[pid]["label"] not in {world.personas[r]["label"] for r in roots}:
            roots.append(pid)
    isolated = sorted(pid for pid in ids if world.simple.degree(pid) == 0)
    for i, pid in enumerate(roots):
        world.derived.append((pid, text_ids[i]))
    world.derived.append((isolated[0], text_ids[0]))
    for pid, _ in world.derived:
        world.personas[pid]["origin"] = "text"
    for pid, hop in nx.multi_source_dijkstra_path_length(world.simple, roots).items():
        world.personas[pid]["hop"] = hop
        if hop:
            world.personas[pid]["origin"] = "persona"
    assert max(p["hop"] for p in world.personas.values()) <= 6

    # An edge between adjacent hops carries the hop of its deeper end (the expansion that made it),
    # except friendships, recorded as found one hop earlier: lineage must not follow them.
    for rel in world.relations:
        hs, hd = world.personas[rel["src"]]["hop"], world.personas[rel["dst"]]["hop"]
        if abs(hs - hd) == 1:
            rel["hop"] = min(hs, hd) if rel["type"] == "FRIEND_OF" else max(hs, hd)

    labels = sorted({p["label"] for p in world.personas.values()})
    for pid, p in world.personas.items():
        p["cluster"] = labels.index(p["label"]) if world.simple.degree(pid) else None

    used = [pid for pid in ids if world.simple.degree(pid)]
    world.batches = {"b_one": used[0:8], "b_two": used[4:12], "b_three": used[0:3]}
    for members in world.batches.values():
        for pid in members:
            world.personas[pid]["uses"] += 1
    world.personas[used[20]]["uses"] = 5  # counted before batches were recorded as nodes
    world.samples = {"s_1": used[0], "s_2": used[0], "s_3": used[21]}
    return world


def load(store: GraphStore, world: World) -> None:
    """Import the example files with the package's importer, then add hops, provenance and usage."""
    assert import_file(store, WORLD / "personas.jsonl").personas_new == len(world.personas)
    assert import_file(store, WORLD / "relations.jsonl").relations == len(world.relations)
    assert import_file(store, TEXTS).texts_new == len(world.texts)
    rows = [
        {"id": pid, "hop": p["hop"], "origin": p["origin"], "cluster": p["cluster"], "uses": p["uses"]}
        for pid, p in world.personas.items()
    ]
    store.cypher(
        "UNWIND $rows AS r MATCH (p:Persona {id: r.id}) SET p.hop = r.hop, p.origin = r.origin, p.cluster = r.cluster, p.uses = r.uses",
        {"rows": rows},
        write=True,
    )
    edges = [
        {"src": r["src"], "dst": r["dst"], "type": r["type"], "hop": r["hop"]}
        for r in world.relations
        if r["hop"] is not None
    ]
    store.cypher(
        "UNWIND $rows AS r MATCH (a:Persona {id: r.src})-[e]->(b:Persona {id: r.dst}) WHERE type(e) = r.type SET e.hop = r.hop",
        {"rows": edges},
        write=True,
    )
    store.link_derived_from(
        [{"persona": p, "text": t, "props": {"model": "fixture", "run": "t2p"}} for p, t in world.derived]
    )
    store.cypher(
        "UNWIND $rows AS r CREATE (b:Batch {id: r.id, task: 'math'}) WITH b, r UNWIND r.personas AS pid "
        "MATCH (p:Persona {id: pid}) CREATE (p)-[:USED_IN]->(b)",
        {"rows": [{"id": bid, "personas": members} for bid, members in world.batches.items()]},
        write=True,
    )
    store.cypher(
        "UNWIND $rows AS r MATCH (p:Persona {id: r.persona}) CREATE (s:Sample {id: r.id, task: 'npc'})-[:GENERATED_BY]->(p)",
        {"rows": [{"id": sid, "persona": pid} for sid, pid in world.samples.items()]},
        write=True,
    )


def lineage_walk(world: World, start: str) -> list[str]:
    """From ``start``, step to the lowest-id neighbour one hop lower linked by an edge of the deeper
    hop (or with no hop), until hop 0 or until no such neighbour exists; at most 6 steps."""
    chain = [start]
    while len(chain) <= 6:
        here = chain[-1]
        hop = world.personas[here]["hop"]
        parents = sorted(
            rel["dst"] if rel["src"] == here else rel["src"]
            for rel in world.relations
            if here in (rel["src"], rel["dst"])
            and world.personas[rel["dst"] if rel["src"] == here else rel["src"]]["hop"] == hop - 1
            and rel["hop"] in (None, hop)
        )
        if not parents:
            break
        chain.append(parents[0])
    return chain
