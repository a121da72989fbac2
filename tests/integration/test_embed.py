"""Embedders (real MiniLM, real distilled static model) and embeddings kept beside both stores."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

from personagraph.config import Settings
from personagraph.embeddings.embedders import EMBEDDERS, cache_root, embeddings_dir, get_embedder, persona_embeddings
from personagraph.models import Persona
from personagraph.store import GraphStore
from tests.dedup_support import settings_with_cache
from tests.persona_corpus import generated_personas

NEAR = (
    "A retired nurse from Ohio who volunteers at the local animal shelter.",
    "a retired nurse from ohio who volunteers at the local animal shelter",
)
OTHER = "A quantum physicist who composes heavy metal songs in her spare time."


@pytest.fixture(scope="module")
def settings(tmp_path_factory: pytest.TempPathFactory) -> Settings:
    return settings_with_cache(tmp_path_factory.mktemp("embed-cache"))


# MiniLM's cases are marked ``minilm`` (out of `make test-fast`, one xdist worker in `make test`): loading
# it costs torch's and sentence-transformers' imports; the static embedder's cases assert the same.
BOTH = [pytest.param(name, marks=pytest.mark.minilm) if name == "minilm" else name for name in EMBEDDERS]


def _sample_texts(n: int) -> list[str]:
    return list(generated_personas()[:n])


@pytest.mark.parametrize("name", BOTH)
def test_embedder_vectors(name: str, settings: Settings) -> None:
    embedder = get_embedder(name, settings)
    assert get_embedder(name, settings) is embedder  # loaded once per process
    done: list[int] = []
    vectors = embedder.encode([*NEAR, OTHER], batch_size=2, progress=done.append)
    assert vectors.dtype == np.float32 and vectors.shape == (3, embedder.dim)
    np.testing.assert_allclose(np.linalg.norm(vectors, axis=1), 1.0, rtol=1e-5)
    assert sum(done) == 3
    assert float(vectors[0] @ vectors[1]) > 0.9
    assert float(vectors[0] @ vectors[2]) < 0.6


def _near_copy(text: str) -> str:
    """Case, punctuation and one adjacent-word swap in the middle."""
    words = text.split()
    mid = len(words) // 2
    words[mid - 1], words[mid] = words[mid], words[mid - 1]
    return " ".join(words).upper().rstrip(".") + "!"


@pytest.mark.parametrize("name", BOTH)
def test_near_copies_pass_090_and_real_personas_do_not(name: str, settings: Settings) -> None:
    texts = [t for t in _sample_texts(200) if len(t.split()) >= 12][:100]
    embedder = get_embedder(name, settings)
    base = embedder.encode(texts)
    copies = embedder.encode([_near_copy(t) for t in texts])
    paired = np.sum(base * copies, axis=1)
    assert np.mean(paired >= 0.9) >= 0.9
    sims = base @ base.T
    np.fill_diagonal(sims, 0)
    assert np.mean(sims >= 0.9) < 0.001


def test_persona_embeddings_are_kept_and_reused(store: GraphStore, settings: Settings, tmp_path: Path) -> None:
    texts = _sample_texts(40)
    store.upsert_personas([Persona(text=t) for t in texts[:30]])
    computed: list[int] = []
    ids, vectors = persona_embeddings(store, settings, "static", progress=computed.append)
    assert sum(computed) == 30 and len(ids) == 30 and ids == sorted(ids)
    folder = embeddings_dir(store, settings) / "static"
    meta = json.loads((folder / "meta.json").read_text())
    assert meta["embedder"] == "static" and meta["dim"] == vectors.shape[1]
    side = store.side_folder()
    if side is not None:  # inside the store's own folder, else under the cache dir
        assert folder.is_relative_to(side)
    else:
        assert folder.is_relative_to(cache_root(settings))

    # Nothing recomputed the second time; same vectors.
    computed.clear()
    ids2, vectors2 = persona_embeddings(store, settings, "static", progress=computed.append)
    assert sum(computed) == 0 and ids2 == ids
    np.testing.assert_array_equal(vectors, vectors2)

    # New personas: only they are embedded; a subset comes back in the order asked.
    new = [Persona(text=t) for t in texts[30:]]
    store.upsert_personas(new)
    wanted = [new[3].id, ids[5], "p_0000000000000000", new[0].id]
    got_ids, got = persona_embeddings(store, settings, "static", ids=wanted, progress=computed.append)
    assert sum(computed) == 2 and got_ids == [new[3].id, ids[5], new[0].id]
    np.testing.assert_array_equal(got[1], vectors[5])
    direct = get_embedder("static", settings).encode([new[3].text])
    np.testing.assert_allclose(got[0], direct[0], atol=1e-6)


# Runs CLI commands one after another in one fresh interpreter (argv: JSON lists of arguments; "{batch}" takes
# the id of the batch the previous command printed) and reports, after each, which heavy modules are imported.
# One process for the three commands, not one each: torch imported by any of them stays in sys.modules, so
# "none after the last" holds for each, and two JVM starts and package imports are saved (~6 s of CPU).
PROBE = """
import contextlib, io, json, sys
from personagraph.cli import main
batch = ""
for argv in map(json.loads, sys.argv[1:]):
    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        try:
            code = main([a.replace("{batch}", batch) for a in argv], standalone_mode=False)
        finally:
            heavy = sorted(m for m in ("torch", "sentence_transformers", "transformers") if m in sys.modules)
            print(argv[2] + " HEAVY=" + ",".join(heavy), file=sys.stderr)
    if code:
        sys.exit(code)
    printed = out.getvalue()
    print(json.dumps(printed))
    if argv[2] == "sample":
        batch = json.loads(printed)["id"]
"""


@pytest.mark.subprocess  # what a fresh process imports: one CLI process, three commands
@pytest.mark.minilm
def test_cached_vectors_never_import_torch(embedded_store: GraphStore, tmp_path: Path) -> None:
    import subprocess
    import sys

    from personagraph.embeddings.embeddings import Embeddings
    from personagraph.ingest.importer import import_file
    from tests.conftest import ROOT, cli_env

    world = ROOT / "examples" / "world"
    import_file(embedded_store, world / "personas.jsonl")
    ids = sorted(r["id"] for r in embedded_store.iter_personas(fields=("id",)))
    embeddings = Embeddings.for_store(embedded_store, "minilm", Settings(cache_dir=str(tmp_path / "cache")))
    assert embeddings.dim == 384
    got, kept = embeddings.vectors(ids)  # computes and keeps every persona's vector (loads MiniLM here)
    texts = {r["id"]: r["text"] for r in embedded_store.iter_personas(fields=("id", "text"))}
    folder = embedded_store.location
    embedded_store.close()

    environ = cli_env(PERSONAGRAPH_CACHE_DIR=str(tmp_path / "cache"), PERSONAGRAPH_JVM_HEAP="1g", CI="1")

    commands = [
        ["--store", folder, "cluster", "--clusters", "3", "--format", "json"],
        ["--store", folder, "sample", "-n", "6", "--strategy", "kcenter", "--format", "json"],
        ["--store", folder, "report", "{batch}", "--format", "json"],
    ]
    probe = subprocess.run(
        [sys.executable, "-c", PROBE, *map(json.dumps, commands)],
        env=environ,
        capture_output=True,
        text=True,
        timeout=600,
        cwd=tmp_path,
    )
    assert probe.returncode == 0, probe.stderr[-400:]
    for command in ("cluster", "sample", "report"):
        assert f"{command} HEAVY=\n" in probe.stderr, probe.stderr[-400:]
    clustered, sampled, shown = (json.loads(line) for line in probe.stdout.splitlines())
    assert json.loads(clustered) and json.loads(shown)
    batch = json.loads(sampled)
    assert batch["coverage"]["radius"]["max"] > 0  # the kept vectors were used

    # The kept vectors are the model's vectors for those texts.
    direct = get_embedder("minilm").encode([texts[i] for i in got[:8]])
    np.testing.assert_allclose(kept[:8], direct, atol=1e-5)
