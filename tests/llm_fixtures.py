"""Fixtures for the LLM layer: the scripted OpenAI-compatible server, and settings pointing at it.

Import them in a test module (``from tests.llm_fixtures import llm_server, llm_settings``) or
from conftest with ``from tests.llm_fixtures import *``.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from personagraph.config import Secret, Settings
from tests.llm_server import LLMTestServer

# A key that must never appear in any file the package writes (tests grep for it).
TEST_API_KEY = "sk-test-never-written-7f3a9c21"

__all__ = ["TEST_API_KEY", "LLMTestServer", "llm_server", "llm_settings", "teach_judging", "teach_math"]


@pytest.fixture
def llm_server() -> Iterator[LLMTestServer]:
    """A fresh server on 127.0.0.1:<free port> that checks the test API key."""
    with LLMTestServer(api_key=TEST_API_KEY) as server:
        yield server


@pytest.fixture
def llm_settings(llm_server: LLMTestServer, tmp_path: Path) -> Settings:
    """Settings for an embedded store in tmp_path and the test server, with a private cache dir."""
    return Settings(
        store=str(tmp_path / "store"),
        llm_base_url=llm_server.base_url,
        llm_api_key=Secret(TEST_API_KEY),
        model="test-model",
        cache_dir=str(tmp_path / "llm-cache"),
    )


# -- what the scripted server knows about math and judging (opt in per test) ---------------------
_QUOTED = re.compile(r'"""\n(.*?)\n"""', re.S)
_SUM = re.compile(r"has (\d+) jars and fills (\d+) more")
TRICKY = "(tricky)"  # a problem the solver gets wrong, so the author's answer is not confirmed


def _number(text: str) -> int:
    return int.from_bytes(hashlib.blake2b(text.encode("utf-8"), digest_size=4).digest(), "big")


def _system(messages: list[dict[str, Any]]) -> str:
    return next((str(m.get("content", "")) for m in messages if m.get("role") == "system"), "")


def math_author(question: str, schema: dict[str, Any], messages: list[dict[str, Any]]) -> Any:
    """The math generator: a sum problem about the persona; one in three is marked tricky."""
    if "problem" not in schema.get("properties", {}) or "You write math problems" not in _system(messages):
        return None
    found = _QUOTED.findall(str(messages[-1].get("content", "")))
    persona = found[-1] if found else question
    n = _number(persona)
    a, b = 10 + n % 90, 1 + (n // 100) % 50
    problem = f"{persona.rstrip('.')} has {a} jars and fills {b} more. How many jars now?"
    if n % 3 == 0:
        problem += f" {TRICKY}"
    return {"problem": problem, "solution": f"{a} + {b} = {a + b}", "answer": f"{a + b} jars"}


def math_solver(question: str, schema: dict[str, Any], messages: list[dict[str, Any]]) -> Any:
    """The solver: sums the problem's numbers (one too many when the problem is tricky)."""
    if set(schema.get("properties", {})) != {"solution", "answer"} or "Solve this problem" not in question:
        return None
    match = _SUM.search(question)
    if not match:
        return {"solution": "Not enough information.", "answer": "unsolvable"}
    total = int(match[1]) + int(match[2]) + (1 if TRICKY in question else 0)
    return {"solution": f"{match[1]} + {match[2]} = {total}", "answer": str(total)}


def judge_reply(question: str, schema: dict[str, Any], messages: list[dict[str, Any]]) -> Any:
    """The judge: a score per item from its text (2 to 5, the same on every pass), answer_correct
    2 for tricky problems and 5 otherwise, and an overall quality no higher than the lowest + 1."""
    props = schema.get("properties", {})
    if "quality" not in props or "strict reviewer" not in _system(messages):
        return None
    item = _QUOTED.findall(question)
    base = 2 + _number(item[-1] if item else question) % 4
    reply: dict[str, Any] = {}
    for name in props:
        if name in ("quality", "reason"):
            continue
        score = base
        if name == "answer_correct":  # a judge that checks the arithmetic, as the rubric asks
            score = 2 if TRICKY in question else 5
        reply[name] = {"reason": f"{name} judged {score}", "score": score}
    lowest = min(c["score"] for c in reply.values())
    reply["quality"] = min(base, lowest + 1)
    reply["reason"] = f"overall {reply['quality']}"
    return reply


def teach_math(server: LLMTestServer) -> None:
    """Math problems with a checkable answer, and a solver that checks them."""
    server.brain.add_responder(math_author)
    server.brain.add_responder(math_solver)


def teach_judging(server: LLMTestServer) -> None:
    server.brain.add_responder(judge_reply)
