"""The graph store: ``open_store()`` picks the executor from a path or a Bolt URL."""

from __future__ import annotations

from personagraph.config import Settings
from personagraph.store.graph import GraphStore
from personagraph.vocabulary import Vocabulary

BOLT_SCHEMES = ("bolt://", "bolt+s://", "bolt+ssc://", "neo4j://", "neo4j+s://", "neo4j+ssc://")


def is_bolt_url(target: str) -> bool:
    return target.lower().startswith(BOLT_SCHEMES)


def open_store(
    target: str | None = None,
    settings: Settings | None = None,
    vocabulary: Vocabulary | None = None,
    workload: str = "bulk",
) -> GraphStore:
    """Open the store at ``target`` (a folder, or a Bolt URL), defaulting to the settings' store.

    ``workload`` tunes an embedded store's JVM when this call starts it: ``bulk`` (default) for
    imports, dedup and queries; ``llm`` for runs that mostly wait on a model (expand, t2p, synth),
    which start the JVM without its C2 compiler. ``PERSONAGRAPH_JVM_JIT=full|quick`` overrides.
    """
    settings = settings or Settings.from_env()
    target = target or settings.store
    vocabulary = vocabulary or Vocabulary.parse(settings.relations)
    if is_bolt_url(target):
        from personagraph.store.bolt import BoltExecutor

        executor: object = BoltExecutor(target, settings.user, settings.password.reveal(), settings.database)
    else:
        from personagraph.store.embedded import EmbeddedExecutor

        executor = EmbeddedExecutor(target, settings.database, workload)
    store = GraphStore(executor, vocabulary)  # type: ignore[arg-type]
    store.ensure_schema()
    return store


__all__ = ["GraphStore", "is_bolt_url", "open_store"]
