"""Casts and views from a real store (embedded ArcadeDB and Bolt), and the files an export writes."""

from __future__ import annotations

import json
from pathlib import Path

import networkx as nx
import pytest

from personagraph.cast.build import CastSpec, build_cast, cast_from_ids
from personagraph.cast.card_spec import validate
from personagraph.cast.cards import import_cards, read_card
from personagraph.cast.loader import relation_types_in
from personagraph.cast.npc import npcs_from_texts
from personagraph.config import Settings
from personagraph.demo import cast as demo_cast
from personagraph.errors import ConfigError, ReadOnlyError, VocabularyError
from personagraph.export.cast import export_cast
from personagraph.export.view import view_data
from personagraph.ids import persona_id
from personagraph.ingest.importer import import_file
from personagraph.store import GraphStore

HARBOUR = Path(__file__).resolve().parent.parent / "data" / "harbour"
KEEPER = "A retired lighthouse keeper who still climbs the tower every night to check the lamp"
DOCTOR = "A young harbour doctor who runs the only clinic on the island"
NOTARY = "A mainland notary who stamps whatever the lawyer sends"
POTTER = "A potter on the mainland with no ties to the island"


def load_harbour(store: GraphStore) -> None:
    for name in ("personas.jsonl", "relations.jsonl"):
        import_file(store, HARBOUR / name)


def test_ego_cast_is_connected_bounded_and_typed(store: GraphStore) -> None:
    load_harbour(store)
    notes: list[str] = []
    cast = build_cast(store, CastSpec(seed="retired lighthouse keeper", hops=2, size=6), echo=notes.append)
    ids = [m.id for m in cast.members]
    assert ids[0] == persona_id(KEEPER) and len(ids) == 6 and len(set(ids)) == 6
    assert cast.connected
    graph = nx.Graph()
    graph.add_nodes_from(ids)
    graph.add_edges_from((r.src, r.dst) for r in cast.relations)
    assert nx.is_connected(graph)
    assert {r.type for r in cast.relations} <= {
        "PATIENT_OF",
        "FRIEND_OF",
        "MENTOR_OF",
        "NEIGHBOUR_OF",
        "FAMILY_OF",
        "COLLEAGUE",
    }
    assert all(m.text for m in cast.members) and all(m.community is not None for m in cast.members)

    only = build_cast(store, CastSpec(seed=persona_id(KEEPER), hops=3, relations=["PATIENT_OF"], size=12))
    assert {r.type for r in only.relations} == {"PATIENT_OF"}
    assert {m.id for m in only.members} == {persona_id(t) for t in (KEEPER, DOCTOR)} | {
        persona_id("A fishing boat captain with debts to half the harbour"),
        persona_id("A widowed innkeeper who rents rooms to sailors and listens at doors"),
    }


def test_pin_exclude_and_disconnection(store: GraphStore) -> None:
    load_harbour(store)
    pinned = build_cast(store, CastSpec(seed=KEEPER, size=5, pins=["pharmacist"], excludes=["priest"]))
    ids = [m.id for m in pinned.members]
    assert persona_id("A pharmacist who fills the harbour doctor's prescriptions and keeps their secrets") in ids
    assert persona_id("A priest who hears the harbour's confessions and keeps a ledger of favours") not in ids
    assert pinned.connected and len(ids) == 5
    notes: list[str] = []
    apart = build_cast(store, CastSpec(seed=KEEPER, size=4, pins=[NOTARY]), echo=notes.append)
    assert persona_id(NOTARY) in [m.id for m in apart.members]
    assert not apart.connected
    assert any("NOT connected" in n for n in notes)
    with pytest.raises(ConfigError, match="no persona id or text matches"):
        build_cast(store, CastSpec(seed="astronaut", size=4))


def test_community_cast(store: GraphStore) -> None:
    load_harbour(store)
    first = build_cast(store, CastSpec(community=0, size=12))
    again = build_cast(store, CastSpec(community=0, size=12))
    assert [m.id for m in first.members] == [m.id for m in again.members]
    assert first.connected and len(first.members) >= 3
    assert {m.community for m in first.members} == {0}
    seeds = build_cast(store, CastSpec(seed="smuggler", community="seed", size=3))
    assert seeds.members[0].id == persona_id("A smuggler posing as a fish buyer from the mainland")
    assert len(seeds.members) == 3 and seeds.connected
    with pytest.raises(ConfigError, match="no community 99"):
        build_cast(store, CastSpec(community=99))


def test_pattern_cast_is_read_only_and_checks_types(store: GraphStore) -> None:
    load_harbour(store)
    query = "MATCH (a:Persona)-[:RIVAL|SUPPLIER_OF]-(b:Persona) RETURN a, b"
    cast = build_cast(store, CastSpec(query=query, size=4))
    assert len(cast.members) == 4 and cast.connected
    assert {r.type for r in cast.relations} <= {
        "RIVAL",
        "SUPPLIER_OF",
        "CLIENT_OF",
        "COLLEAGUE",
        "PATIENT_OF",
        "FAMILY_OF",
    }
    by_id = build_cast(
        store,
        CastSpec(
            query="MATCH (p:Persona) WHERE p.text CONTAINS $w RETURN p.id AS id", query_params={"w": "captain"}, size=5
        ),
    )
    assert len(by_id.members) == 2  # the two captains, rivals
    with pytest.raises(ReadOnlyError):
        build_cast(store, CastSpec(query="MATCH (p:Persona) DETACH DELETE p RETURN p", size=3))
    assert store.count("Persona") == 18
    with pytest.raises(VocabularyError, match="ARCH_ENEMY"):
        build_cast(store, CastSpec(query="MATCH (a:Persona)-[:ARCH_ENEMY]->(b) RETURN a, b"))
    assert relation_types_in(
        "MATCH (a)-[r:RIVAL|`COLLEAGUE`*1..2]->(b) WHERE a.t = '[:X]' RETURN [(a)-[:FRIEND_OF]-(c) | c]"
    ) == ["RIVAL", "COLLEAGUE", "FRIEND_OF"]


def test_export_files_load_back(store: GraphStore, tmp_path: Path) -> None:
    load_harbour(store)
    cast = build_cast(store, CastSpec(seed=DOCTOR, hops=2, size=9))
    npcs = npcs_from_texts(cast)
    result = export_cast(cast, npcs, tmp_path / "out", timestamp=1_700_000_000)
    out = tmp_path / "out"
    assert not list(out.rglob(".*.partial"))
    assert len(list((out / "cards").glob("*.png"))) == 2 * len(npcs)
    for path in (out / "cards").iterdir():
        assert validate(read_card(path)) == []
    document = json.loads((out / "cast.json").read_text())
    assert [n["persona_id"] for n in document["npcs"]] == [m.id for m in cast.members]
    assert len(document["relations"]) == len(cast.relations)
    assert all(r["src_name"] and r["dst_name"] for r in document["relations"])
    for name, reader in (("cast.graphml", nx.read_graphml), ("cast.gexf", nx.read_gexf)):
        graph = reader(out / name)
        assert graph.number_of_nodes() == len(npcs), name
        assert graph.number_of_edges() == len(cast.relations), name
        types = sorted(data["relation"] for _, _, data in graph.edges(data=True))
        assert types == sorted(r.type for r in cast.relations), name
    assert result.cards == len(npcs)
    # The store's evidence sentences reach the relations, the cards' own books and the world book.
    assert cast.relations and all(r.evidence == "harbour fixture" for r in cast.relations)
    card = read_card(next((out / "cards").glob("*.v3.json")))
    assert all("harbour fixture" in e["content"] for e in card["data"]["character_book"]["entries"])
    world = json.loads((out / "sillytavern" / "world-info.json").read_text())
    relation_entries = [e for e in world["entries"].values() if "personagraph" in e["extensions"]]
    assert len(relation_entries) == len(cast.relations)
    assert all(e["content"].endswith("harbour fixture") for e in relation_entries)


def test_view_of_query_neighbourhood_and_batch(store: GraphStore) -> None:
    load_harbour(store)
    rivals = view_data(store, query="MATCH (a:Persona)-[r:RIVAL]-(b:Persona) RETURN a, r, b")
    assert len(rivals["nodes"]) == 4 and len(rivals["edges"]) == 2
    assert {e["type"] for e in rivals["edges"]} == {"RIVAL"}
    induced = view_data(
        store, query="MATCH (p:Persona) WHERE p.text CONTAINS 'captain' OR p.text CONTAINS 'chandler' RETURN p"
    )
    assert len(induced["nodes"]) == 3 and len(induced["edges"]) == 3  # RIVAL + 2 SUPPLIER_OF among them
    around = view_data(store, persona=KEEPER, hops=1)
    assert {n["id"] for n in around["nodes"]} == {persona_id(KEEPER), persona_id(DOCTOR)} | {
        persona_id("An apprentice net-mender who learns the trade from the old lighthouse keeper"),
        persona_id("A priest who hears the harbour's confessions and keeps a ledger of favours"),
    }
    # The neighbourhood marks its seed and labels people by name (the role is on hover), as casts do.
    assert around["seed"] == persona_id(KEEPER)
    labels = [n["label"] for n in around["nodes"]]
    assert len(set(labels)) == len(labels) and all(len(label.split()) >= 2 for label in labels)
    assert {n["role"] for n in around["nodes"]} >= {"Retired lighthouse keeper", "Young harbour doctor"}
    assert all(e.get("evidence") == "harbour fixture" for e in around["edges"])
    ids = [persona_id(t) for t in (KEEPER, DOCTOR, POTTER)]
    store.cypher("CREATE (:Batch {id: 'b-test', task: 'npc', strategy: 'test', size: 3})", write=True)
    store.cypher(
        "MATCH (b:Batch {id: 'b-test'}) UNWIND $ids AS id MATCH (p:Persona {id: id}) CREATE (p)-[:USED_IN]->(b)",
        {"ids": ids},
        write=True,
    )
    batch = view_data(store, batch="b-test")
    assert sorted(n["id"] for n in batch["nodes"]) == sorted(ids)
    assert [e["type"] for e in batch["edges"]] == ["PATIENT_OF"]
    assert "b-test" in batch["title"]
    with pytest.raises(ConfigError):
        view_data(store, batch="nope")
    with pytest.raises(ConfigError, match="exactly one"):
        view_data(store, persona=KEEPER, batch="b-test")


def test_cast_from_ids(store: GraphStore) -> None:
    load_harbour(store)
    cast = cast_from_ids(store, [persona_id(KEEPER), persona_id(DOCTOR), persona_id(POTTER)])
    assert not cast.connected and len(cast.relations) == 1


def test_cards_import_into_another_store(store: GraphStore, tmp_path: Path) -> None:
    from personagraph.store import open_store

    load_harbour(store)
    cast = build_cast(store, CastSpec(seed=KEEPER, hops=2, size=7))
    export_cast(cast, npcs_from_texts(cast), tmp_path / "out")
    other_dir = str(tmp_path / "other")
    with open_store(other_dir, Settings(store=other_dir)) as other:
        report = import_cards(other, sorted((tmp_path / "out" / "cards").glob("*.v3.png")))
        assert report == {"cards": 7, "personas": 7, "personas_new": 7, "relations": len(cast.relations)}
        assert import_cards(other, sorted((tmp_path / "out" / "cards").glob("*.v2.json")))["personas_new"] == 0
        assert {row["id"] for row in other.iter_personas()} == {m.id for m in cast.members}
        assert sorted((r["src"], r["type"], r["dst"]) for r in other.iter_relations()) == sorted(
            (r.src, r.type, r.dst) for r in cast.relations
        )


def test_demo_stage(embedded_store: GraphStore, tmp_path: Path) -> None:
    lines: list[str] = []
    assert demo_cast.run(embedded_store, Settings(), lines.append, tmp_path / "demo").cards == 0  # empty graph: says so
    assert "no relations yet" in lines[0]
    load_harbour(embedded_store)
    lines.clear()
    result = demo_cast.run(embedded_store, Settings(), lines.append, tmp_path / "demo")
    assert result.cards == 8 and (tmp_path / "demo" / "cast.html").is_file()
    assert lines[0].startswith("cast: 8 NPCs") and "connected" in lines[0] and "cast.html" in lines[-1]
