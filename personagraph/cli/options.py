"""Options shared by several commands, and the parsing of their values (one meaning per option name)."""

from __future__ import annotations

import functools
import json
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click

from personagraph.cli.context import App
from personagraph.errors import ConfigError, MissingFileError
from personagraph.synth import task_names

if TYPE_CHECKING:
    from personagraph.cast.build import CastSpec


Decorator = Callable[[Callable[..., Any]], Callable[..., Any]]

# Deeper values are refused: the driver and the JVM bridge convert them recursively, and no query
# parameter needs more (a 3,000-deep list was a RecursionError before the query ran).
PARAM_DEPTH = 64


def parse_param(raw: str) -> tuple[str, Any]:
    """``name=value``: the value is read as JSON when it parses (numbers, lists, objects), else a string."""
    name, sep, value = raw.partition("=")
    if not sep or not name.strip():
        raise ConfigError(f"--param {raw[:80]!r} must look like name=value")
    name = name.strip()
    too_deep = False
    try:
        parsed = json.loads(value)
    except json.JSONDecodeError:
        parsed = value
    except RecursionError:
        parsed, too_deep = None, True
    if too_deep or nesting_depth(parsed) > PARAM_DEPTH:
        raise ConfigError(f"--param {name}: the value is nested deeper than {PARAM_DEPTH} levels")
    return name, parsed


def nesting_depth(value: Any) -> int:
    """How deep lists and objects nest in ``value`` (a scalar is 0), without recursion."""
    deepest, stack = 0, [(value, 0)]
    while stack:
        item, depth = stack.pop()
        children = item.values() if isinstance(item, dict) else item if isinstance(item, list) else None
        if children is not None:
            deepest = max(deepest, depth + 1)
            if deepest > PARAM_DEPTH:
                return deepest
            stack.extend((child, depth + 1) for child in children)
    return deepest


EMBEDDER = click.Choice(["minilm", "static"])


STRATEGY = click.Choice(["random", "stratified", "kcenter", "graph"])


ALLOCATION = click.Choice(["proportional", "uniform", "sqrt"])


TASK_NAMES = list(task_names.TASK_NAMES)  # the registry's names (tests/unit/test_core.py checks them against TASKS)


def carver_options(fn: Callable[..., Any]) -> Callable[..., Any]:
    """The filters shared by `sample` and `synth`."""
    for option in reversed(
        [
            click.option(
                "--where",
                metavar="EXPR",
                help='Attribute filter, e.g. "hop <= 2 and uses = 0" '
                "(fields: hop, uses, cluster, community, degree, origin, quality (the judge's score, see "
                "`personagraph judge`), and the typed attributes age, age_band, gender, occupation, isco, country, "
                "region, settlement, education, ...; joined by 'and').",
            ),
            click.option(
                "--origin", metavar="LIST", help="Only these origins: text, persona, import (comma-separated)."
            ),
            click.option("--cluster", "clusters", metavar="LIST", help="Only these clusters, e.g. 3,7."),
            click.option("--text", metavar="WORDS", help="Only personas whose text contains this (case-insensitive)."),
            click.option(
                "--match",
                metavar="PATTERN",
                help='Only personas p in this graph pattern, e.g. "(p)-[:PATIENT_OF]->(:Persona)" '
                "(read-only; labels and relation types checked; literals become parameters).",
            ),
        ]
    ):
        fn = option(fn)
    return fn


def make_carver(
    app: App, where: str | None, origin: str | None, clusters: str | None, text: str | None, match: str | None
) -> Any:
    from personagraph.sampling.carver import Carver

    return Carver.parse(where=where, origin=origin, cluster=clusters, text=text, match=match, vocabulary=app.vocabulary)


def shown_default(flag: str, kind: Any, default: Any, help: str | None = None) -> Decorator:
    """An option with a typed value whose default ``--help`` shows (the shape of most options here)."""
    return click.option(flag, type=kind, default=default, show_default=True, help=help)


def llm_options(fn: Callable[..., Any] | None = None, *, temperature: float = 0.7, json_flag: bool = True) -> Any:
    """The one option set of every LLM command (t2p, expand, synth, judge, attributes, export cast --llm).

    The command receives them as one ``llm: LLMRunOptions`` argument (and ``fmt``, the ``--format``
    of the end report, when ``json_flag``). Use as ``@llm_options`` or ``@llm_options(temperature=0.8)``.
    Each option's parameter name is the ``LLMRunOptions`` field it fills.
    """

    def decorate(command: Callable[..., Any]) -> Callable[..., Any]:
        @functools.wraps(command)
        def wrapper(*args: Any, **kwargs: Any) -> Any:
            from dataclasses import fields

            from personagraph.llm.lifecycle import LLMRunOptions  # here: the CLI's --help imports no LLM code

            names = [f.name for f in fields(LLMRunOptions)]
            kwargs["llm"] = LLMRunOptions(**{name: kwargs.pop(name) for name in names})
            return command(*args, **kwargs)

        options: list[Decorator] = [
            click.option(
                "--model",
                help="Model name (env PERSONAGRAPH_MODEL; default gpt-4o-mini). "
                "Endpoint: OPENAI_BASE_URL, key: OPENAI_API_KEY.",
            ),
            shown_default("--concurrency", click.IntRange(1, 1024), 16, "LLM requests in flight at most."),
            shown_default("--temperature", click.FloatRange(0, 2), temperature),
            shown_default("--timeout", click.FloatRange(0.1), 60.0, "Seconds per request before it is retried."),
            shown_default(
                "--max-retries", click.IntRange(0, 50), 5, "Retries on 429, 5xx, timeouts, dropped connections."
            ),
            click.option(
                "--no-cache", is_flag=True, help="Do not read or write the response cache (PERSONAGRAPH_CACHE_DIR)."
            ),
            click.option(
                "--dry-run",
                is_flag=True,
                help="Print the prompts, the number of requests and the estimated tokens; no calls, no writes.",
            ),
        ]
        if json_flag:
            from personagraph.cli.output import output_option

            options.append(output_option())  # type: ignore[arg-type]
        decorated: Callable[..., Any] = wrapper
        for option in reversed(options):
            decorated = option(decorated)
        return decorated

    return decorate(fn) if fn is not None else decorate


class CommunityType(click.ParamType):
    """A community index (0 is the largest) or the word ``seed``."""

    name = "N|seed"

    def convert(self, value: Any, param: click.Parameter | None, ctx: click.Context | None) -> int | str:
        if isinstance(value, int) or value == "seed":
            return value  # type: ignore[no-any-return]
        try:
            number = int(value)
        except ValueError:
            self.fail(f"{value!r} is neither a community number nor 'seed'", param, ctx)
        if number < 0:
            self.fail("community numbers start at 0", param, ctx)
        return number


def relation_types(raw: str | None, app: App | None = None) -> list[str] | None:
    """A comma-separated list of relation types (``--follow``), checked against the vocabulary before
    the store is opened."""
    if not raw:
        return None
    types = [part.strip().upper() for part in raw.split(",") if part.strip()]
    if app is not None:
        for name in types:
            app.vocabulary.check(name)
    return types


def query_text(query: str | None, query_file: Path | None) -> str | None:
    if query and query_file:
        raise ConfigError("give --query or --query-file, not both")
    if query_file:
        if not query_file.is_file():
            raise MissingFileError(f"{query_file}: no such file")
        return query_file.read_text(encoding="utf-8")
    return query


# `-p/--param` and `-f/--file` mean the same on every command that runs a Cypher query (query, view,
# explore, cast --query); only the help's example differs.
def param_option(help: str) -> Decorator:
    """``-p/--param NAME=VALUE`` (repeatable), read by :func:`parse_param`."""
    return click.option("-p", "--param", "params", multiple=True, metavar="NAME=VALUE", help=help)


def query_file_option() -> Decorator:
    """``-f/--file``: the query from a .cypher file (see :func:`query_text`)."""
    return click.option(
        "-f", "--file", "query_file", type=click.Path(path_type=Path), help="Read the query from a .cypher file."
    )


def hops_option(help: str) -> Decorator:
    """``--hops`` from a persona, 1 to 6 (default 2), as ``cast`` and ``view`` reach."""
    return shown_default("--hops", click.IntRange(1, 6), 2, help)


def follow_option(help: str) -> Decorator:
    """``--follow TYPES``: relation types, read by :func:`relation_types`."""
    return click.option("--follow", metavar="TYPES", help=help)


def cast_options(command: Callable[..., Any]) -> Callable[..., Any]:
    """The options that choose a cast, shared by ``cast`` and ``export cast``."""
    options: list[Decorator] = [
        click.option(
            "--seed-persona",
            "seed",
            metavar="ID|TEXT",
            help="Start from this persona: its id, or a phrase of its text (the best connected match wins).",
        ),
        hops_option("How far from the seed the cast may reach (ego network)."),
        follow_option("Only follow these relation types, e.g. COLLEAGUE,RIVAL (default: all in the vocabulary)."),
        click.option(
            "--community",
            type=CommunityType(),
            help="Choose from a Louvain community of the relation graph: its number (0 is the largest) "
            "or 'seed' for the seed persona's community.",
        ),
        click.option(
            "--query",
            metavar="CYPHER",
            help="Choose among the personas a read-only Cypher query returns (nodes, relationships or ids).",
        ),
        click.option("--query-file", type=click.Path(path_type=Path), help="Read --query from a .cypher file."),
        param_option("Parameter of --query (JSON value or string)."),
        shown_default(
            "--size",
            click.IntRange(1, 500),
            8,
            "At most this many NPCs; the cast grows in BFS order from the seed, most connected first.",
        ),
        click.option(
            "--pin", "pins", multiple=True, metavar="ID|TEXT", help="Always include this persona (repeatable)."
        ),
        click.option(
            "--exclude", "excludes", multiple=True, metavar="ID|TEXT", help="Never include this persona (repeatable)."
        ),
    ]
    for option in reversed(options):
        command = option(command)
    return command


def cast_spec(
    app: App,
    seed: str | None,
    hops: int,
    follow: str | None,
    community: int | str | None,
    query: str | None,
    query_file: Path | None,
    params: tuple[str, ...],
    size: int,
    pins: tuple[str, ...],
    excludes: tuple[str, ...],
) -> CastSpec:
    from personagraph.cast.build import CastSpec

    return CastSpec(
        seed=seed,
        hops=hops,
        relations=relation_types(follow, app),
        community=community,
        query=query_text(query, query_file),
        query_params=dict(parse_param(p) for p in params),
        size=size,
        pins=pins,
        excludes=excludes,
    )


def engine_options(fn: Callable[..., Any]) -> Callable[..., Any]:
    """``--engine``, ``--scheduler`` and ``--work-dir`` of the stages that read every persona (embed, dedup, cluster)."""
    options = [
        click.option(
            "--engine",
            type=click.Choice(["local", "dask"]),
            default="local",
            show_default=True,
            help="local: Parquet shards of the graph, one at a time in this process (out of core); "
            "dask: the same shards on a Dask cluster (--scheduler, else a LocalCluster on 127.0.0.1).",
        ),
        click.option(
            "--scheduler",
            metavar="ADDRESS",
            help="Dask scheduler (tcp://host:8786) for --engine dask [env: DASK_SCHEDULER_ADDRESS]; its workers "
            "must see --work-dir at the same path. None: two local worker processes on 127.0.0.1.",
        ),
        click.option(
            "--work-dir",
            type=click.Path(file_okay=False, path_type=Path),
            help="Folder for the run's shard files (default: beside the store); every worker must see it "
            "at the same path. Removed when the run ends.",
        ),
    ]
    for option in reversed(options):
        fn = option(fn)
    return fn
