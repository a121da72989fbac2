"""A small persona world for the sampling and synthesis tests: four professions, typed relations,
hops 0-3, and embeddings made from the profession (tight clusters), so no model is needed."""

from __future__ import annotations

import numpy as np

from personagraph.models import Persona, Relation
from personagraph.sampling.strata import compute_strata
from personagraph.store import GraphStore

TOPICS = {
    "nurse": "A night-shift nurse in a {} hospital ward who cares for elderly patients",
    "chess": "A chess coach in {} who trains teenagers for regional tournaments",
    "welder": "A ship welder at the {} docks who repairs hulls in winter",
    "baker": "A sourdough baker in {} who opens the bakery at four every morning",
}
PLACES = ["Leeds", "Lyon", "Porto", "Turin", "Gdansk", "Bergen", "Cork", "Graz", "Ghent", "Malmo", "Split", "Tartu"]


def build_world(store: GraphStore, seed: int = 0) -> tuple[list[Persona], np.ndarray]:
    """48 personas (12 per topic), their relations, and 32-d unit vectors aligned with the list."""
    personas: list[Persona] = []
    for template in TOPICS.values():
        for i, place in enumerate(PLACES):
            personas.append(
                Persona(
                    text=template.format(place), origin="text" if i < 4 else "persona", hop=0 if i < 4 else 1 + (i % 3)
                )
            )
    store.upsert_personas(personas)
    by_topic = {name: personas[t * 12 : (t + 1) * 12] for t, name in enumerate(TOPICS)}
    relations: list[Relation] = []
    for group in by_topic.values():
        for i in range(0, 12, 2):
            relations.append(Relation(src=group[i].id, dst=group[i + 1].id, type="COLLEAGUE"))
    chess, nurse = by_topic["chess"], by_topic["nurse"]
    for i in range(6):
        relations.append(Relation(src=chess[i].id, dst=chess[11 - i].id, type="RIVAL"))
    for i in range(4):  # bakers and welders are patients of nurses
        relations.append(Relation(src=by_topic["baker"][i].id, dst=nurse[i].id, type="PATIENT_OF"))
        relations.append(Relation(src=by_topic["welder"][i].id, dst=nurse[4 + i].id, type="PATIENT_OF"))
    store.add_relations(relations)
    rng = np.random.default_rng(seed)
    centres = rng.standard_normal((4, 32))
    vectors = np.repeat(centres, 12, axis=0) + 0.2 * rng.standard_normal((48, 32))
    vectors /= np.linalg.norm(vectors, axis=1, keepdims=True)
    return personas, vectors.astype(np.float32)


def clustered_world(store: GraphStore) -> tuple[list[Persona], tuple[list[str], np.ndarray]]:
    """``build_world``, then its four clusters (one per profession) from its vectors: the personas and
    (ids, vectors)."""
    personas, vectors = build_world(store)
    ids = [p.id for p in personas]
    compute_strata(store, clusters=4, seed=1, vectors=(ids, vectors))
    return personas, (ids, vectors)
