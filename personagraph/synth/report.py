"""Reports on what a batch produced: diversity (stored on the batch) and lineage of a sample."""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any

import numpy as np

from personagraph.errors import ConfigError
from personagraph.sampling.candidates import Vectors, align_vectors, load_vectors
from personagraph.synth.diversity import diversity_report
from personagraph.vocabulary import STRUCTURAL

if TYPE_CHECKING:
    from personagraph.embeddings.embeddings import Embeddings
    from personagraph.store import GraphStore


def batch_diversity(
    store: GraphStore,
    embeddings: Embeddings,
    batch_id: str,
    *,
    persona_vectors: Vectors | None = None,
    keep: bool = True,
) -> dict[str, Any]:
    """Diversity of the samples of one batch; kept on the :Batch node unless ``keep`` is False.

    Samples are embedded with the same embedder as the personas; a sample of several personas is
    compared through the mean of their vectors.
    """
    rows = store.run("synth/batch_samples", id=batch_id)
    if not rows:
        return {"samples": 0}
    texts = [r["text"] or "" for r in rows]
    samples = np.asarray(embeddings.encode(texts), dtype=np.float32)
    ids = sorted({p for r in rows for p in r["persona_ids"]})
    matrix = align_vectors(ids, persona_vectors) if persona_vectors is not None else load_vectors(embeddings, ids)
    where = {pid: i for i, pid in enumerate(ids)}
    stacked = np.stack([matrix[[where[p] for p in r["persona_ids"]]].mean(axis=0) for r in rows])
    personas: np.ndarray | None = stacked
    if persona_vectors is not None and stacked.shape[1] != samples.shape[1]:
        personas = None  # embeddings made elsewhere: not comparable with the samples' space
    report = diversity_report(texts, samples, personas)
    report["embedder"] = embeddings.name
    if keep:
        props = {
            "diversity": json.dumps(report, sort_keys=True),
            "samples": report["samples"],
            "distinct_2": report["distinct_2"],
            "near_dup_rate": report["near_duplicates"]["rate"],
        }
        if "vendi" in report:
            props.update(vendi=report["vendi"], mean_cosine=report["mean_cosine"])
        store.run("synth/set_batch_diversity", id=batch_id, props=props)
    return report


def lineage(store: GraphStore, sample_id: str, max_hops: int = 12) -> dict[str, Any]:
    """sample → persona(s) → the text each came from, or the chain of personas it was expanded from."""
    rows = store.run("synth/sample_lineage", id=sample_id)
    if not rows:
        raise ConfigError(f"no sample {sample_id!r} in the store")
    head = rows[0]
    out: dict[str, Any] = {k: head[k] for k in ("id", "task", "mode", "text", "batch", "model", "prompt")}
    out["personas"] = []
    structural = sorted(STRUCTURAL)
    for row in rows:
        persona = {
            "id": row["persona_id"],
            "role": row["role"],
            "text": row["persona_text"],
            "hop": row["hop"],
            "origin": row["origin"],
            "texts": [t for t in row["texts"] or [] if t.get("id")],
            "expanded_from": [],
        }
        current = row["persona_id"]
        for _ in range(max_hops):  # bounded: a hop chain in a sane graph is at most 6 long
            parent = store.run("synth/persona_parent", id=current, structural=structural)
            if not parent:
                break
            step = parent[0]
            persona["expanded_from"].append(
                {k: step[k] for k in ("id", "text", "hop", "relation", "outgoing", "text_id", "source_text")}
            )
            current = step["id"]
        out["personas"].append(persona)
    return out
