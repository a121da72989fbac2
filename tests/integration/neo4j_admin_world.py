"""A small graph with every kind of node and edge that `export graph --format neo4j-admin` writes.

Built with the package's own writes (no hand-made store state): personas with aliases, labels,
hop, uses and cluster; texts with DERIVED_FROM; a ledger batch with USED_IN; samples with
GENERATED_BY; cluster nodes; a dedup run. The texts carry the quoting edge cases.
"""

from __future__ import annotations

from typing import Any

from personagraph.models import Persona, Relation, SourceText
from personagraph.store import GraphStore

NASTY = [
    'A welder, "the quiet one", who reads Pascal; at night',  # comma, quotes, semicolon
    "A nurse who writes\nmultiline notes\r\nand CRLF ones",  # newlines inside a field
    "Une chimiste à Zürich — 化学者 👩‍🔬 ‘curly’",  # unicode beyond the BMP
    'A coder who types back\\slashes \\" and ends with a backslash\\',  # backslashes, \" (not an escape)
    "A poet, | pipes | and \t tabs",
    "A plain persona number six",
]


def build_world(store: GraphStore) -> dict[str, Any]:
    """Write the graph into ``store``; returns the ids the tests look at."""
    personas = [Persona(text=text, hop=i % 3, cluster=i % 2) for i, text in enumerate(NASTY)]
    personas[0].labels = ["Trades", "Night shift; late", 'Quote "label"']
    store.upsert_personas(personas)
    ids = [p.id for p in personas]
    store.add_relations(
        [
            Relation(
                src=ids[0], dst=ids[1], type="COLLEAGUE", props={"run": "r1", "hop": 1, "evidence": 'said "hi", twice'}
            ),
            Relation(src=ids[1], dst=ids[2], type="RIVAL", props={"run": "r1", "hop": 2, "model": "m", "evidence": ""}),
            Relation(src=ids[2], dst=ids[0], type="COLLEAGUE", props={"run": "r2", "hop": 1}),
            Relation(src=ids[3], dst=ids[4], type="MENTOR_OF", props={"run": "r2", "hop": 3, "score": 0.25}),
        ]
    )
    # Near-duplicates recorded as aliases (the insert-time resolver's write).
    store.run(
        "dedup_add_alias",
        rows=[{"canon": ids[0], "ids": ["p_00000000000000aa", "p_00000000000000bb"], "texts": ['a, "b"', "c\nd"]}],
    )
    texts = [
        SourceText(text='A forum post about welding, with "quotes"\nand lines', source="forum"),
        SourceText(text="Ein Text", source=""),
    ]
    store.upsert_texts(texts)
    store.link_derived_from(
        [
            {"persona": ids[0], "text": texts[0].id, "props": {"model": "m", "prompt": "t2p", "run": "t1"}},
            {"persona": ids[1], "text": texts[1].id, "props": {"model": "m", "prompt": "t2p", "run": "t1"}},
        ]
    )
    store.run(
        "sampling/set_strata", rows=[{"id": pid, "cluster": i % 2, "community": i % 3} for i, pid in enumerate(ids)]
    )
    store.run(
        "sampling/create_clusters",
        rows=[
            {
                "id": c,
                "label": f"cluster {c}",
                "words": ["w1", f"w{c}"],
                "size": 3,
                "k": 2,
                "seed": 7,
                "embedder": "static",
                "method": "kmeans",
                "created_at": "2026-01-01T00:00:00+00:00",
            }
            for c in (0, 1)
        ],
    )
    store.run(
        "sampling/record_batch",
        id="b_1",
        props={
            "task": "math",
            "strategy": "stratified",
            "size": 3,
            "created_at": "2026-01-01T00:00:00+00:00",
            "radius": 0.5,
            "uses_gini": 0.0,
        },
        ids=ids[:3],
    )
    store.run(
        "synth/create_samples",
        rows=[
            {
                "id": f"s_{n}",
                "props": {
                    "task": "math",
                    "mode": "zero-shot",
                    "text": f'Problem {n}: 2, "3"\n4',
                    "data": '{"a": 1}',
                    "batch": "b_1",
                    "created_at": "2026-01-01T00:00:00+00:00",
                },
                "personas": [{"id": ids[n], "role": "author"}]
                + ([{"id": ids[n + 1], "role": "other"}] if n == 0 else []),
            }
            for n in range(3)
        ],
        edge={"task": "math", "mode": "zero-shot", "batch": "b_1", "model": "m"},
    )
    store.run(
        "dedup_record_run",
        props={
            "id": "d_1",
            "stage": "minhash",
            "jaccard": 0.9,
            "personas_before": 8,
            "personas_after": 6,
            "created_at": "2026-01-01T00:00:00+00:00",
        },
    )
    return {"personas": ids, "texts": [t.id for t in texts]}
