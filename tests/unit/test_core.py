"""Pure code: ids, vocabulary, the query loader, the read-only guard, settings, errors, the CLI's output and error lines."""

from __future__ import annotations

import ast
import csv
import io
import json
import pickle
import re
from collections.abc import Iterator
from pathlib import Path

import click
import pytest

from personagraph import queries
from personagraph.cli import error_line, main
from personagraph.cli.options import parse_param
from personagraph.cli.output import plain, render, to_json
from personagraph.config import Secret, Settings
from personagraph.errors import ConfigError, MalformedInputError, PersonaGraphError, VocabularyError
from personagraph.ids import normalise, persona_id
from personagraph.sampling.carver import CarverError
from personagraph.store.guard import write_clause
from personagraph.vocabulary import DEFAULT_RELATIONS, Vocabulary


def test_ids_are_content_hashes_of_normalised_text() -> None:
    assert persona_id("A  Nurse in Ohio.") == persona_id("a nurse in ohio")
    assert persona_id("A nurse in Ohio") != persona_id("A nurse in Iowa")
    assert persona_id("x").startswith("p_") and len(persona_id("x")) == 18
    assert normalise("  Ｆｕｌｌ　width\tTEXT. ") == "full width text"


def test_vocabulary_checks_and_resolves() -> None:
    vocab = Vocabulary()
    for name in ("COLLEAGUE", "PATIENT_OF", "RIVAL", "MENTOR_OF", "FAMILY_OF", "FRIEND_OF", "CLIENT_OF"):
        assert name in DEFAULT_RELATIONS and vocab.check(name) == name
    assert vocab.resolve("co-worker") == "COLLEAGUE"
    assert vocab.resolve("Patient of") == "PATIENT_OF"
    assert vocab.resolve("arch nemesis") is None
    with pytest.raises(VocabularyError):
        vocab.check("RIVAL]->() DETACH DELETE (n")
    with pytest.raises(VocabularyError):
        Vocabulary(["bad type"])
    with pytest.raises(VocabularyError):
        Vocabulary(["DERIVED_FROM"])
    assert Vocabulary.parse("colleague, rival").types == ("COLLEAGUE", "RIVAL")
    # a synonym whose target is outside the vocabulary is not offered
    assert Vocabulary.parse("RIVAL").resolve("coworker") is None


def test_every_query_file_parses_with_header() -> None:
    for name in queries.names():
        query = queries.load(name)
        assert query.text and query.description, name
        assert query.params, f"{name} has no '// params:' line"
    assert queries.load("upsert_personas").write is True
    assert queries.load("page_personas").write is False


def test_type_slot_only_takes_valid_types() -> None:
    query = queries.load("add_relations")
    assert "[e:RIVAL]" in query.with_type("RIVAL").text
    with pytest.raises(VocabularyError):
        query.with_type("RIVAL]->(x) DELETE x//")
    with pytest.raises(ConfigError):
        queries.load("no_such_query")


@pytest.mark.parametrize(
    ("cypher", "clause"),
    [
        ("MATCH (p) RETURN p", None),
        ("MATCH (p) WHERE p.text CONTAINS 'CREATE' RETURN p", None),
        ("MATCH (p) // DELETE p\nRETURN p", None),
        ("MATCH (p) DETACH DELETE p", "DETACH"),
        ("match (p) set p.x = 1", "SET"),
        ("MERGE (p:Persona {id: 'x'})", "MERGE"),
        ("CALL db.createLabel('X')", "CALL db.createLabel"),
        ("LOAD CSV FROM 'file:///x' AS row RETURN row", "LOAD CSV"),
        ("MATCH (p) RETURN p.offset AS settled", None),
    ],
)
def test_write_clause_detection(cypher: str, clause: str | None) -> None:
    assert write_clause(cypher) == clause


def test_param_parsing_is_typed() -> None:
    assert parse_param("n=3") == ("n", 3)
    assert parse_param("x=0.5") == ("x", 0.5)
    assert parse_param("q=nurse") == ("q", "nurse")
    assert parse_param('ids=["a","b"]') == ("ids", ["a", "b"])
    assert parse_param("s=a=b") == ("s", "a=b")
    with pytest.raises(ConfigError):
        parse_param("novalue")


def test_secrets_never_show() -> None:
    settings = Settings.from_env({"PERSONAGRAPH_PASSWORD": "hunter22", "OPENAI_API_KEY": "sk-secret"})
    assert "hunter22" not in repr(settings) and "sk-secret" not in repr(settings)
    assert settings.password.reveal() == "hunter22"
    with pytest.raises(TypeError):
        pickle.dumps(Secret("x"))


def test_error_tree_and_exit_codes() -> None:
    error = MalformedInputError("a.jsonl", 7, "invalid JSON")
    assert str(error) == "a.jsonl:7: invalid JSON"
    assert isinstance(error, PersonaGraphError) and error.exit_code == 3
    assert VocabularyError("x").exit_code == 2


# -- one CLI surface: errors name parameters, the CLI shows flags; task names; output formats ----

FLAG = re.compile(r"(?<![\w-])--[a-z][a-z0-9-]*")
PACKAGE = Path(__file__).resolve().parents[2] / "personagraph"


def _message_strings(tree: ast.AST) -> Iterator[tuple[int, str]]:
    """String parts of what errors say: arguments of ``...Error(...)`` calls, ``raise`` expressions, ``hint=``."""
    seen: set[int] = set()
    for node in ast.walk(tree):
        parts: list[ast.AST] = []
        if isinstance(node, ast.Raise) and node.exc is not None:
            parts.append(node.exc)
        elif isinstance(node, ast.Call):
            name = getattr(node.func, "id", None) or getattr(node.func, "attr", "")
            if name.endswith("Error"):
                parts.extend([*node.args, *(k.value for k in node.keywords)])
            parts.extend(k.value for k in node.keywords if k.arg == "hint")
        for part in parts:
            for leaf in ast.walk(part):
                if isinstance(leaf, ast.Constant) and isinstance(leaf.value, str) and id(leaf) not in seen:
                    seen.add(id(leaf))
                    yield leaf.lineno, leaf.value


def test_no_library_message_names_a_command_line_flag() -> None:
    found = [
        f"{path.relative_to(PACKAGE)}:{line}: {text!r}"
        for path in sorted(PACKAGE.rglob("*.py"))
        if "cli" not in path.relative_to(PACKAGE).parts
        for line, text in _message_strings(ast.parse(path.read_text(encoding="utf-8")))
        if FLAG.search(text)
    ]
    assert len(list(PACKAGE.rglob("*.py"))) > 50  # the scan saw the package
    assert found == []


def test_the_scan_finds_a_flag_in_a_message() -> None:
    code = 'raise ConfigError("--size must be at least 1")\nx = Error(f"{n}", hint="pass --write")\n'
    assert [text for _, text in _message_strings(ast.parse(code)) if FLAG.search(text)] == [
        "--size must be at least 1",
        "pass --write",
    ]


def test_errors_carry_their_parameters() -> None:
    assert str(ConfigError("must be at least 1", param="size")) == "size: must be at least 1"
    error = ConfigError("min_overlap must be in [0, 1], got 2", param="min_overlap")
    assert str(error) == "min_overlap must be in [0, 1], got 2" and error.params == ("min_overlap",)
    assert ConfigError("x", hint="raise size to 3", param="size").message == "x"  # named in the hint
    assert ConfigError("plain").params == ()
    assert CarverError("where: cannot read 'x'").params == ("where",)


@click.command()
@click.option("--seed-persona", "seed")
@click.option("--community")
@click.option("--cluster", "clusters")
@click.option("--min-overlap", type=float)
@click.option("--write", is_flag=True)
def _command(**_: object) -> None:
    """A command with the shapes of option the CLI has: renamed, plain, flag."""


def test_the_cli_shows_parameters_as_the_commands_flags() -> None:
    def line(error: PersonaGraphError) -> str:
        return error_line(error, [_command])

    assert line(ConfigError("community 'seed' needs seed", param=("community", "seed"))) == (
        "error: --community 'seed' needs --seed-persona"
    )
    assert line(ConfigError("min_overlap must be in [0, 1]", param="min_overlap")) == (
        "error: --min-overlap must be in [0, 1]"
    )
    assert line(CarverError("cluster: 'a' must be numbers")) == "error: --cluster: 'a' must be numbers"
    assert line(ConfigError("read-only", hint="pass write=True to allow writes", param="write")) == (
        "error: read-only (pass --write to allow writes)"
    )
    assert line(ConfigError("query: no rows", param="query")) == "error: query: no rows"  # not an option here
    assert line(ConfigError("plain")) == "error: plain"


def test_task_choices_are_the_registry() -> None:
    from personagraph.synth.task_names import TASK_NAMES
    from personagraph.synth.tasks import TASKS

    assert tuple(TASKS) == TASK_NAMES
    synth = main.get_command(click.Context(main), "synth")
    assert synth is not None
    (task,) = [p for p in synth.params if p.name == "task"]
    assert isinstance(task.type, click.Choice) and tuple(task.type.choices) == TASK_NAMES


REPORT = {"k": 2, "vendi": float("nan"), "radius": {"max": float("inf"), "mean": 0.25}, "ids": ["a", "b"]}
ROWS = [{"id": "a", "score": float("nan"), "tags": ["x"]}, {"id": "b", "score": 1.5, "extra": None}]


@pytest.mark.parametrize("fmt", ["table", "json", "jsonl", "csv"])
def test_render_reports_and_rows_in_each_format(fmt: str, capsys: pytest.CaptureFixture[str]) -> None:
    render(REPORT, fmt)
    report = capsys.readouterr().out
    render(ROWS, fmt, title="rows")
    rows = capsys.readouterr().out
    if fmt == "json":  # strict: NaN and infinities are null, never a bare NaN
        assert json.loads(report) == {"k": 2, "vendi": None, "radius": {"max": None, "mean": 0.25}, "ids": ["a", "b"]}
        assert json.loads(rows) == [{"id": "a", "score": None, "tags": ["x"]}, {"id": "b", "score": 1.5, "extra": None}]
        assert "NaN" not in report + rows and "Infinity" not in report + rows
    elif fmt == "jsonl":
        assert [json.loads(line) for line in report.splitlines()] == [json.loads(to_json(REPORT))]
        assert [json.loads(line)["score"] for line in rows.splitlines()] == [None, 1.5]
    elif fmt == "csv":
        assert list(csv.DictReader(io.StringIO(report))) == [
            {"k": "2", "vendi": "", "radius.max": "", "radius.mean": "0.25", "ids": '["a", "b"]'}
        ]
        assert list(csv.DictReader(io.StringIO(rows))) == [
            {"id": "a", "score": "", "tags": '["x"]', "extra": ""},
            {"id": "b", "score": "1.5", "tags": "", "extra": ""},
        ]
    else:
        assert "radius.mean" in report and "0.25" in report and "nan" not in report.lower()
        assert "rows" in rows and "(2 rows)" in rows


def test_plain_values_for_json() -> None:
    import numpy as np

    assert plain({"a": np.float32(0.5), "b": np.array([1, 2]), "c": (1, float("-inf")), 3: {np.int64(4)}}) == {
        "a": 0.5,
        "b": [1, 2],
        "c": [1, None],
        "3": [4],
    }
