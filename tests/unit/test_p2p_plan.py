"""Persona-to-Persona on plain data: reply → personas and edges, frontier order, token budgets."""

from __future__ import annotations

import random

from personagraph.expand.plan import (
    P2PReply,
    apply_mapping,
    edge_ends,
    order_frontier,
    plan_expansion,
    rejection_follow_up,
    relation_lines,
    reply_model,
)
from personagraph.expand.t2p import T2PReply, normalise_stance
from personagraph.llm.tokens import approx_tokens, cut_to_budget
from personagraph.models import Persona, Relation
from personagraph.vocabulary import Vocabulary

SOURCE = {
    "id": Persona(text="A night-shift nurse on a cardiac ward").id,
    "hop": 2,
    "text": "A night-shift nurse on a cardiac ward",
}
PROV = {"run": "r1", "model": "m", "prompt": "p2p@abc"}


def reply(*items: tuple[str, str]) -> P2PReply:
    return P2PReply.model_validate(
        {"related": [{"persona": p, "relation": r, "evidence": "  They work  together. "} for p, r in items]}
    )


def test_plan_maps_synonyms_and_rejects_unknown_types() -> None:
    plan = plan_expansion(
        SOURCE,
        reply(
            ("A cardiologist at the same hospital", "coworker"),
            ("A heart patient recovering from surgery", "PATIENT_OF"),
            ("A landlord", "landlord of"),
            ('"A night-shift nurse on a cardiac ward."', "COLLEAGUE"),  # the persona itself
        ),
        Vocabulary(),
        PROV,
    )
    assert [p.text for p in plan.personas] == [
        "A cardiologist at the same hospital",
        "A heart patient recovering from surgery",
    ]
    assert all(p.hop == 3 and p.origin == "persona" for p in plan.personas)
    assert [r.type for r in plan.relations] == ["COLLEAGUE", "PATIENT_OF"]
    assert plan.rejected == {"LANDLORD_OF": 1} and plan.self_loops == 1
    patient = plan.relations[1]
    assert (patient.src, patient.dst) == (plan.personas[1].id, SOURCE["id"])  # "<patient> PATIENT_OF <nurse>"
    assert patient.props == {**PROV, "hop": 3, "evidence": "They work together.", "expanded": SOURCE["id"]}


def test_symmetric_edges_have_one_direction_per_pair() -> None:
    assert edge_ends("p_b", "p_a", "COLLEAGUE") == ("p_a", "p_b")
    assert edge_ends("p_a", "p_b", "COLLEAGUE") == ("p_a", "p_b")
    assert edge_ends("p_b", "p_a", "PATIENT_OF") == ("p_b", "p_a")
    assert edge_ends("p_b", "p_a", "PATIENT_OF", reversed=True) == ("p_a", "p_b")
    assert edge_ends("p_b", "p_a", "BANDMATE", symmetric={"BANDMATE"}, reversed=True) == ("p_a", "p_b")


def test_a_custom_vocabulary_limits_the_types() -> None:
    vocabulary = Vocabulary(["COLLEAGUE", "RIVAL"])
    plan = plan_expansion(SOURCE, reply(("A chess coach", "rival"), ("A patient", "PATIENT_OF")), vocabulary, PROV)
    assert [r.type for r in plan.relations] == ["RIVAL"] and plan.rejected == {"PATIENT_OF": 1}
    assert (
        relation_lines(vocabulary) == "- COLLEAGUE: works alongside this persona\n- RIVAL: competes with this persona"
    )
    assert relation_lines(Vocabulary(["BANDMATE"])) == "- BANDMATE"
    assert relation_lines(Vocabulary.parse("LANDLORD_OF/TENANT_OF")) == "- LANDLORD_OF\n- TENANT_OF"


def test_inverse_answers_become_canonical_edges_with_the_ends_swapped() -> None:
    patient = {"id": Persona(text="A retired docker with COPD").id, "hop": 0}
    plan = plan_expansion(
        patient,
        reply(
            ("A respiratory nurse at the district clinic", "CARES_FOR"),
            ("A GP in the docker's town", "doctor"),
            ("The docker's granddaughter, aged nine", "family member"),
            ("A night cleaner at the clinic", "boss"),  # "the cleaner is the docker's boss": docker works for them
        ),
        Vocabulary(),
        PROV,
    )
    nurse, gp, grandchild, cleaner = (p.id for p in plan.personas)
    assert [(r.src, r.type, r.dst) for r in plan.relations] == [
        (patient["id"], "PATIENT_OF", nurse),
        (patient["id"], "PATIENT_OF", gp),
        (min(grandchild, patient["id"]), "FAMILY_OF", max(grandchild, patient["id"])),  # symmetric: id order
        (patient["id"], "EMPLOYEE_OF", cleaner),
    ]
    assert all(r.type in Vocabulary().types for r in plan.relations)
    # The mapping keeps each edge's direction.
    kept, _ = apply_mapping(plan.relations[:1], {nurse: "p_known_nurse"})
    assert (kept[0].src, kept[0].dst) == (patient["id"], "p_known_nurse")


def test_the_reply_schema_offers_the_vocabulary_as_an_enum_but_validates_leniently() -> None:
    vocabulary = Vocabulary.parse("COLLEAGUE,PATIENT_OF")
    model = reply_model(vocabulary)
    assert model is reply_model(Vocabulary.parse("COLLEAGUE,PATIENT_OF")) and model.__name__ == "P2PReply"
    schema = model.model_json_schema()
    relation = schema["$defs"]["RelatedPersona"]["properties"]["relation"]
    assert relation["enum"] == ["COLLEAGUE", "PATIENT_OF", "CARES_FOR"]
    parsed = model.model_validate({"related": [{"persona": "A family doctor", "relation": "doctor"}]})
    assert isinstance(parsed, P2PReply) and parsed.related[0].relation == "doctor"


def test_an_all_rejected_reply_gets_a_follow_up_naming_the_types() -> None:
    vocabulary = Vocabulary.parse("COLLEAGUE,RIVAL")
    rejected = plan_expansion(
        SOURCE, reply(("A landlord", "landlord of"), ("A chess coach", "arch nemesis")), vocabulary, PROV
    )
    turns = rejection_follow_up(rejected, '{"related": []}', vocabulary)
    assert turns is not None and [t["role"] for t in turns] == ["assistant", "user"]
    assert turns[0]["content"] == '{"related": []}'
    assert "ARCH_NEMESIS, LANDLORD_OF" in turns[1]["content"] and "COLLEAGUE, RIVAL" in turns[1]["content"]
    partly = plan_expansion(SOURCE, reply(("A landlord", "landlord of"), ("A chess coach", "rival")), vocabulary, PROV)
    assert rejection_follow_up(partly, "{}", vocabulary) is None  # one edge is enough


def test_apply_mapping_redirects_edges_and_drops_new_self_loops() -> None:
    rels = [
        Relation(src="p_new1", dst="p_src", type="PATIENT_OF", props={"expanded": "p_src"}),
        Relation(src="p_new2", dst="p_src", type="PATIENT_OF", props={"expanded": "p_src"}),
    ]
    kept, loops = apply_mapping(rels, {"p_new1": "p_old", "p_new2": "p_src"})
    assert loops == 1 and [(r.src, r.dst) for r in kept] == [("p_old", "p_src")]
    assert apply_mapping(rels, {}) == (rels, 0)


def test_frontier_order_lowest_hop_then_least_represented() -> None:
    pool = [
        {"id": "a", "hop": 1, "origin": "import", "cluster": 1},
        {"id": "b", "hop": 0, "origin": "import", "cluster": 1},
        {"id": "c", "hop": 0, "origin": "import", "cluster": 2},
        {"id": "d", "hop": 0, "origin": "text", "cluster": 1},
    ]
    clusters = {"1": 100, "2": 5}
    origins = {"import": 1000, "text": 10}
    assert order_frontier(pool, 4, clusters, origins, random.Random(1)) == ["c", "d", "b", "a"]
    assert order_frontier(pool, 1, {}, {}, random.Random(1)) in (["b"], ["c"], ["d"])
    assert order_frontier(pool, 3, {}, {}, random.Random(1))[-1] != "a"


def test_token_budget_cuts_latin_and_cjk() -> None:
    latin = "word " * 2000
    cut, was_cut = cut_to_budget(latin, 100)
    assert was_cut and approx_tokens(cut) <= 104 and cut.endswith("[…]") and not cut[:-4].endswith("wor")
    cjk = "東京の小さなパン屋" * 100
    assert approx_tokens(cjk) == 900
    cut, was_cut = cut_to_budget(cjk, 50)
    assert was_cut and len(cut) <= 55
    assert cut_to_budget("short", 10) == ("short", False)


def test_t2p_reply_is_tolerant_about_stances() -> None:
    parsed = T2PReply.model_validate(
        {"personas": [{"persona": "A tram enthusiast", "stance": "Fan"}, {"persona": "A shop owner"}]}
    )
    assert [p.stance for p in parsed.personas] == ["like", "read"]
    assert normalise_stance("critic of the plan") == "dislike" and normalise_stance("neutral") == "other"


def test_plan_uses_at_most_the_number_asked_for() -> None:
    answers = reply(*((f"A harbour pilot number {i}", "COLLEAGUE") for i in range(6)))
    assert len(plan_expansion(SOURCE, answers, Vocabulary(), PROV, limit=3).personas) == 3
    assert len(plan_expansion(SOURCE, answers, Vocabulary(), PROV).personas) == 6
