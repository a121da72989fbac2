"""The demo's dedup stage: plant near-copies of world personas, dry-run, merge, and run again."""

from __future__ import annotations

from collections.abc import Callable

from personagraph.config import Settings
from personagraph.dedup.run import DedupOptions, DedupReport, dedup_graph
from personagraph.store import GraphStore

Echo = Callable[[str], None]


def run(store: GraphStore, settings: Settings, echo: Echo = print) -> DedupReport:
    """For ``personagraph demo``: plant three near-copies of world personas, dry-run, then merge them."""
    from personagraph.models import Persona, Relation

    echo("")
    echo("== Near-duplicates resolved as entities (personagraph dedup)")
    rows = store.run("dedup_personas")
    world = sorted((r for r in rows if r.get("text")), key=lambda r: r["id"])[:4]
    if len(world) < 4:
        echo("(the graph has too few personas for this stage)")
        return DedupReport(DedupOptions(), dry_run=True)

    def swap(text: str) -> str:  # adjacent words swapped: the same word set
        w = text.split()
        w[3], w[4] = w[4], w[3]
        return " ".join(w)

    def fillers(text: str) -> str:  # three filler words: word Jaccard below 0.9, so the embeddings catch it
        w = text.split()
        for k, filler in ((len(w) - 2, "really"), (len(w) // 2, "truly"), (2, "very")):
            w.insert(k, filler)
        return " ".join(w)

    def case_punct(text: str) -> str:
        return text.upper().rstrip(".").replace(" ", ", ", 1) + "!"

    copies = [
        Persona(text=edit(row["text"]), origin="import", hop=1)
        for row, edit in zip(world, (swap, fillers, case_punct), strict=False)
    ]
    store.upsert_personas(copies)
    store.add_relations([Relation(src=copies[0].id, dst=world[3]["id"], type="RIVAL", props={"run": "demo"})])
    echo(f"planted {len(copies)} near-copies of world personas (one with a RIVAL edge), e.g.:")
    echo(f"  original: {world[0]['text'][:90]}")
    echo(f"  copy:     {copies[0].text[:90]}")
    from personagraph.embeddings.embeddings import Embeddings

    options = DedupOptions(embedder="minilm")
    embeddings = Embeddings.for_store(store, options.embedder, settings)
    dry = dedup_graph(store, embeddings, options, dry_run=True)
    echo(f"dry run: {len(dry.groups)} groups, {dry.duplicates} personas would merge; nothing changed")
    for row in dry.group_rows(5):
        echo(f"  group {row['group']} [{row['stage']}] {row['action']:<5} {row['text'][:80]}")
    report = dedup_graph(store, embeddings, options)
    merged = report.merge
    echo(
        f"merged {merged.get('personas_merged', 0)} personas, moved {merged.get('edges_moved', 0)} edges "
        f"({report.personas_before} -> {report.personas_after} personas); recorded as :DedupRun {report.run_id}"
    )
    kept = store.run("get_persona", id=world[0]["id"])
    if kept and kept[0].get("aliases"):
        echo(f"  {world[0]['id']} now carries aliases {kept[0]['aliases']}")
    again = dedup_graph(store, embeddings, options, dry_run=True)
    echo(f"running dedup again finds {len(again.groups)} groups (idempotent)")
    return report
