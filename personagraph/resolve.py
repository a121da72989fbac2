"""Duplicate resolution at insert time: the interface the pipelines call before writing personas.

Text-to-Persona and Persona-to-Persona pass the personas they are about to write to a
``Resolver``; a persona mapped to a canonical id is not created, and its edges go to the
canonical node instead. The default resolves exact duplicates only, which the content-hash ids
already do (``MERGE`` on ``id``), so it maps nothing. Near-duplicate resolvers (MinHash,
embeddings) implement the same protocol.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Protocol, runtime_checkable

if TYPE_CHECKING:
    from personagraph.models import Persona
    from personagraph.store import GraphStore


@runtime_checkable
class Resolver(Protocol):
    def resolve(self, store: GraphStore, personas: list[Persona]) -> dict[str, str]:
        """Map the id of each new persona that duplicates one already in the graph (or an earlier
        one in the list) to the canonical id; personas not in the map are new."""
        ...


class ExactResolver:
    """Exact duplicates only: same content id means same node, which MERGE already ensures."""

    def resolve(self, store: GraphStore, personas: list[Persona]) -> dict[str, str]:
        return {}


__all__ = ["ExactResolver", "Resolver"]
