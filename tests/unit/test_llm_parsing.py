"""Tolerant parsing of LLM replies, and prompts as versioned files."""

from __future__ import annotations

import pytest
from pydantic import BaseModel, Field

from personagraph import prompts
from personagraph.errors import ConfigError
from personagraph.llm.cache import cache_key
from personagraph.llm.client import retry_after_seconds
from personagraph.llm.parsing import extract_json, parse_reply
from personagraph.llm.stats import LLMStats, price_of


class Item(BaseModel):
    persona: str
    stance: str


class Reply(BaseModel):
    personas: list[Item] = Field(min_length=1)


GOOD = '{"personas": [{"persona": "A welder", "stance": "read"}]}'


@pytest.mark.parametrize(
    "text",
    [
        GOOD,
        f"```json\n{GOOD}\n```",
        f"Sure, here it is:\n```\n{GOOD}\n```\nAnything else?",
        f"The answer is {GOOD} as requested.",
        '[{"persona": "A welder", "stance": "read"}]',  # a bare list where the model has one list field
    ],
)
def test_tolerant_parsing_finds_the_object(text: str) -> None:
    parsed = parse_reply(text, Reply)
    assert isinstance(parsed, Reply) and parsed.personas[0].persona == "A welder"


@pytest.mark.parametrize(
    ("text", "reason"),
    [
        ('{"personas": [{"persona": "A welder", ', "no JSON object"),
        ('{"personas": []}', "personas"),
        ('{"wrong": 1}', "personas"),
        ("", "empty"),
    ],
)
def test_bad_replies_give_a_reason(text: str, reason: str) -> None:
    with pytest.raises(ValueError, match=reason):
        parse_reply(text, Reply)


def test_extract_json_prefers_the_fenced_block() -> None:
    assert extract_json('noise {"a": 1 ```json\n{"b": 2}\n```') == {"b": 2}


def test_cache_key_changes_with_every_input() -> None:
    base = cache_key("m", [{"role": "user", "content": "x"}], {"temperature": 0.7}, "s")
    assert base == cache_key("m", [{"role": "user", "content": "x"}], {"temperature": 0.7}, "s")
    assert base != cache_key("m2", [{"role": "user", "content": "x"}], {"temperature": 0.7}, "s")
    assert base != cache_key("m", [{"role": "user", "content": "y"}], {"temperature": 0.7}, "s")
    assert base != cache_key("m", [{"role": "user", "content": "x"}], {"temperature": 0.2}, "s")
    assert base != cache_key("m", [{"role": "user", "content": "x"}], {"temperature": 0.7}, None)


def test_retry_after_header_forms() -> None:
    assert retry_after_seconds({"retry-after": "2"}) == 2.0
    assert retry_after_seconds({"retry-after-ms": "250"}) == 0.25
    assert retry_after_seconds({}) is None
    assert retry_after_seconds({"retry-after": "Wed, 21 Oct 2015 07:28:00 GMT"}) == 0.0  # in the past


def test_cost_estimate() -> None:
    assert price_of("gpt-4o-mini-2024-07-18") == (0.15, 0.60)
    assert price_of("openai/gpt-4o") == (2.50, 10.00)
    assert price_of("llama-3-8b") is None
    stats = LLMStats(prompt_tokens=1_000_000, completion_tokens=500_000, price=(0.15, 0.60))
    assert stats.cost == pytest.approx(0.45)
    assert LLMStats().as_dict()["cost_usd"] is None


def test_packaged_prompts_load_and_render() -> None:
    assert {"t2p", "p2p"} <= set(prompts.names())
    t2p = prompts.load("t2p")
    assert t2p.name == "t2p" and len(t2p.version) == 12 and t2p.ref == f"t2p@{t2p.version}"
    assert set(t2p.blocks) == {"coarse", "fine"}
    messages = t2p.render(text="Le boulanger ouvre à six heures.", granularity=t2p.blocks["fine"], count=3)
    assert [m["role"] for m in messages] == ["system", "user"]
    assert "Le boulanger ouvre à six heures." in messages[1]["content"] and "{{" not in messages[1]["content"]
    with pytest.raises(ConfigError, match="text"):
        t2p.render(granularity="x", count=1)
    with pytest.raises(ConfigError):
        prompts.load("no_such_prompt")


def test_prompt_version_is_a_content_hash_and_few_shot(tmp_path) -> None:
    (tmp_path / "demo.prompt").write_text('# demo\n=== system\nBe brief.\n=== user\nQ: {{ q }} {"json": true} $x$\n')
    first = prompts.load("demo", tmp_path)
    assert first.render(q="why")[1]["content"] == 'Q: why {"json": true} $x$'
    (tmp_path / "demo.examples.jsonl").write_text(
        '{"vars": {"q": "one"}, "reply": {"a": 1}}\n{"vars": {"q": "two"}, "reply": "2"}\n'
    )
    prompts._load.cache_clear()
    second = prompts.load("demo", tmp_path)
    assert second.version != first.version
    shots = second.render(shots=2, q="why")
    assert [m["role"] for m in shots] == ["system", "user", "assistant", "user", "assistant", "user"]
    assert (
        shots[1]["content"].startswith("Q: one")
        and shots[2]["content"] == '{"a": 1}'
        and shots[5]["content"].startswith("Q: why")
    )
    assert second.render(q="why") == first.render(q="why")  # zero-shot by default
    with pytest.raises(ConfigError):
        second.render(shots=3, q="why")
