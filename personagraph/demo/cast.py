"""The demo's cast stage: a cast of up to 8 NPCs from the example world, exported with its cards."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from personagraph.config import Settings
from personagraph.export.cast import CastExport, export_cast, make_npcs
from personagraph.store import GraphStore


def run(store: GraphStore, settings: Settings, echo: Callable[[str], None], out_dir: str | Path) -> CastExport:
    """``personagraph demo``: pick a cast of up to 8 from the example world, export it, list the files."""
    from personagraph.cast.build import CastSpec, build_cast
    from personagraph.cast.loader import load_relation_graph
    from personagraph.cast.select import most_central, undirected

    graph = load_relation_graph(store)
    if graph.number_of_nodes() == 0:
        echo("cast: the graph has no relations yet; import examples/world/relations.jsonl first")
        return CastExport(Path(out_dir))
    seed = most_central(undirected(graph), graph.nodes)
    cast = build_cast(store, CastSpec(seed=seed, hops=2, size=8), echo=echo)
    client = None
    if settings.llm_configured:
        from personagraph.llm import LLMClient

        client = LLMClient.from_settings(settings)
    npcs = make_npcs(cast, client, echo=echo)
    result = export_cast(cast, npcs, out_dir, title="PersonaGraph demo cast")
    echo(
        f"cast: {len(npcs)} NPCs, {len(cast.relations)} relations, {'connected' if cast.connected else 'NOT connected'}"
    )
    for npc in npcs:
        echo(f"  {npc.name}: {npc.role}")
    echo(f"cast: wrote {len(result.files)} files to {result.out_dir} (open {result.out_dir / 'cast.html'})")
    return result
