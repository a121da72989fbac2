"""The main job behind `make demo`: build the example world in a store and walk through it.

Each stage is a function of a ``Demo``; stages that need an LLM endpoint say so and are skipped
when none is configured. The store is left in place so the user can go on exploring it.
"""

from __future__ import annotations

import shutil
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from personagraph.config import Settings
from personagraph.demo.examples import examples_dir
from personagraph.errors import ConfigError
from personagraph.store import GraphStore, open_store

MARKER = ".personagraph-demo"


@dataclass
class Demo:
    store: GraphStore
    settings: Settings
    out_dir: Path
    echo: Callable[[str], None]

    def heading(self, title: str) -> None:
        self.echo("")
        self.echo(f"== {title}")


def prepare(out_dir: Path) -> Path:
    """A fresh store folder inside ``out_dir``; only a folder the demo made itself is wiped."""
    store_dir = out_dir / "store"
    if out_dir.exists() and any(out_dir.iterdir()):
        if not (out_dir / MARKER).exists():
            raise ConfigError(f"{out_dir} exists and was not made by the demo; choose another out_dir", param="out_dir")
        shutil.rmtree(store_dir, ignore_errors=True)
    out_dir.mkdir(parents=True, exist_ok=True)
    (out_dir / MARKER).write_text("made by `personagraph demo`; safe to delete\n")
    return store_dir


def stage_import(demo: Demo) -> None:
    from personagraph.ingest.importer import import_file

    demo.heading("1. Import the example world")
    world = examples_dir() / "world"
    for name in ("personas.jsonl", "relations.jsonl"):
        report = import_file(demo.store, world / name)
        demo.echo(f"{name}: {report.records} records, {report.personas_new} new personas, {report.relations} relations")
    texts = examples_dir() / "texts.jsonl"
    if texts.is_file():
        report = import_file(demo.store, texts, kind="texts")
        demo.echo(f"texts.jsonl: {report.texts_new} source texts for Text-to-Persona")


def stage_stats(demo: Demo) -> None:
    demo.heading("2. What is in the graph (personagraph stats)")
    stats = demo.store.stats()
    demo.echo("nodes:     " + ", ".join(f"{k} {v}" for k, v in stats["labels"].items() if v))
    demo.echo("relations: " + ", ".join(f"{k} {v}" for k, v in stats["relations"].items()))
    degrees = {int(k): v for k, v in stats["degree"].items()}
    if degrees:
        mean = sum(d * n for d, n in degrees.items()) / max(1, sum(degrees.values()))
        demo.echo(f"degree:    mean {mean:.1f}, max {max(degrees)}, isolated {degrees.get(0, 0)}")


def stage_explore(demo: Demo) -> None:
    from personagraph import explore

    demo.heading("3. A few of the explore queries (personagraph explore)")
    hubs = explore.run(demo.store, "top_hubs", {"limit": 3})
    demo.echo("top_hubs — the most connected personas:")
    for row in hubs:
        demo.echo(f"  [{row.get('degree')}] {row.get('text')}")
    if len(hubs) >= 2:
        path = explore.run(demo.store, "shortest_path", {"a": hubs[0]["id"], "b": hubs[-1]["id"]})
        if path:
            demo.echo(
                f"shortest_path — first hub to third hub: {path[0]['hops']} hops via {' → '.join(path[0]['relations'])}"
            )
    for hub in hubs:
        rivals = explore.run(demo.store, "rivals_of_colleagues", {"id": hub["id"]})[:3]
        if rivals:
            demo.echo(f"rivals_of_colleagues — rivals of the colleagues of: {hub['text']}")
            for row in rivals:
                demo.echo(f"  {row['rival']} (rival of: {row['colleague']})")
            break


def stage_llm(demo: Demo) -> None:
    from personagraph.demo.llm import run_llm_demo

    demo.heading("4. Text-to-Persona and one hop of Persona-to-Persona (personagraph t2p, expand)")
    run_llm_demo(demo.store, demo.settings, demo.echo)


def stage_dedup(demo: Demo) -> None:
    from personagraph.demo import dedup

    dedup.run(demo.store, demo.settings, demo.echo)


def stage_sampling(demo: Demo) -> None:
    from personagraph.demo.sampling import run

    demo.heading("6. Clusters, a coverage-aware batch, and synthesis (personagraph cluster, sample, synth)")
    run(demo.store, demo.settings, demo.echo)


def stage_cast(demo: Demo) -> None:
    from personagraph.demo import cast

    demo.heading("7. A cast of related NPCs for a game (personagraph export cast)")
    cast.run(demo.store, demo.settings, demo.echo, demo.out_dir / "cast")


STAGES: list[Callable[[Demo], None]] = [
    stage_import,
    stage_stats,
    stage_explore,
    stage_llm,
    stage_dedup,
    stage_sampling,
    stage_cast,
]


def next_steps(demo: Demo) -> list[str]:
    store = demo.store.location
    return [
        f"personagraph --store {store} stats",
        f"personagraph --store {store} explore                      # the named exploration queries",
        f"personagraph --store {store} query 'MATCH (a:Persona)-[r:RIVAL]->(b:Persona) RETURN a.text, b.text LIMIT 5'",
        f"personagraph --store {store} sample -n 20 --strategy kcenter   # a coverage-aware batch",
        f"personagraph --store {store} export cast {demo.out_dir / 'cast2'} --seed-persona 'trawler skipper' --size 10",
        f"personagraph --store {store} export graph {demo.out_dir / 'export'} --format parquet",
        f"open {demo.out_dir / 'cast' / 'cast.html'} in a browser to click through the demo cast",
        "set OPENAI_BASE_URL (any OpenAI-compatible endpoint) and run the demo again for t2p, expand and synth",
    ]


def run_demo(out_dir: str | Path, settings: Settings | None = None, echo: Callable[[str], None] = print) -> Path:
    """Run every stage into ``out_dir``; returns the store folder."""
    settings = settings or Settings.from_env()
    out = Path(out_dir).resolve()
    store_dir = prepare(out)
    with open_store(str(store_dir), settings) as store:
        demo = Demo(store, settings, out, echo)
        for stage in STAGES:
            stage(demo)
        demo.heading("Next")
        for line in next_steps(demo):
            echo(f"  {line}")
    return store_dir
