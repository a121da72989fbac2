"""The LLM client against a real HTTP server speaking the OpenAI API (tests/llm_server.py)."""

from __future__ import annotations

import asyncio
import itertools
import json
from pathlib import Path

import pytest
from pydantic import BaseModel, Field

from personagraph.config import Secret, Settings
from personagraph.errors import LLMUnavailableError
from personagraph.llm import LLMClient, LLMRequest, LLMResult
from tests.llm_fixtures import TEST_API_KEY, LLMTestServer


class Related(BaseModel):
    persona: str = Field(min_length=5)
    relation: str
    evidence: str


class Reply(BaseModel):
    related: list[Related] = Field(min_length=1, max_length=6)


def question(i: int) -> list[dict[str, str]]:
    return [
        {"role": "system", "content": "You grow a network of personas. Reply in JSON."},
        {
            "role": "user",
            "content": f"Persona: a nurse number {i}.\nTypes:\n- COLLEAGUE: works with\n- RIVAL: competes",
        },
    ]


def client(server: LLMTestServer, tmp_path: Path, **options: object) -> LLMClient:
    options.setdefault("backoff_base", 0.01)
    return LLMClient(server.base_url, Secret(TEST_API_KEY), "test-model", cache_dir=tmp_path / "cache", **options)  # type: ignore[arg-type]


def run(llm: LLMClient, *requests: LLMRequest) -> list[LLMResult]:
    async def go() -> list[LLMResult]:
        async with llm:
            return await llm.generate_many(list(requests))

    return asyncio.run(go())


def test_structured_output_with_json_schema(llm_server: LLMTestServer, tmp_path: Path) -> None:
    llm = client(llm_server, tmp_path)
    [result] = run(llm, LLMRequest(question(1), Reply, tag="p2p"))
    assert result.ok and isinstance(result.parsed, Reply) and len(result.parsed.related) == 3
    assert {r.relation for r in result.parsed.related} <= {"COLLEAGUE", "RIVAL"}
    assert result.usage.prompt_tokens > 0 and result.usage.completion_tokens > 0 and not result.cached
    body = llm_server.brain.bodies()[0]
    assert body["response_format"]["type"] == "json_schema"
    assert body["response_format"]["json_schema"]["schema"]["required"] == ["related"]
    assert llm.stats.calls == 1 and llm.stats.prompt_tokens == result.usage.prompt_tokens


def test_varied_replies_for_different_inputs(llm_server: LLMTestServer, tmp_path: Path) -> None:
    results = run(client(llm_server, tmp_path, cache=False), *(LLMRequest(question(i % 5), Reply) for i in range(10)))
    texts = [tuple(r.persona for r in res.parsed.related) for res in results]
    assert len(set(texts)) == 5  # same input, same answer; different inputs, different answers
    assert texts[:5] == texts[5:]


def test_json_mode_fallback_is_remembered(llm_server: LLMTestServer, tmp_path: Path) -> None:
    llm_server.brain.reject_json_schema = True
    llm = client(llm_server, tmp_path, concurrency=1)
    results = run(llm, *(LLMRequest(question(i), Reply) for i in range(4)))
    assert all(r.ok for r in results)
    assert llm.mode == "json_object" and llm.stats.fallbacks == 1
    statuses = [r["status"] for r in llm_server.requests]
    assert statuses == [400, 200, 200, 200, 200]
    later = llm_server.brain.bodies()[1]
    assert later["response_format"] == {"type": "json_object"}
    assert "JSON schema" in later["messages"][0]["content"]  # the schema travels in the prompt instead


def test_plain_text_fallback_when_json_mode_is_refused_too(llm_server: LLMTestServer, tmp_path: Path) -> None:
    llm_server.brain.reject_json_schema = llm_server.brain.reject_json_object = True
    llm_server.enqueue("fenced")
    llm = client(llm_server, tmp_path)
    [result] = run(llm, LLMRequest(question(1), Reply))
    assert result.ok and llm.mode == "text" and llm.stats.fallbacks == 2
    assert "response_format" not in llm_server.brain.bodies()[-1]


def test_malformed_and_invalid_replies_are_retried(llm_server: LLMTestServer, tmp_path: Path) -> None:
    llm_server.enqueue("malformed", "invalid")
    llm = client(llm_server, tmp_path)
    [result] = run(llm, LLMRequest(question(1), Reply))
    assert result.ok and result.attempts == 3
    assert llm.stats.invalid == 2 and llm.stats.failures == 0
    # The retry shows the model its mistake.
    assert "not valid" in llm_server.brain.bodies()[1]["messages"][-1]["content"]


def test_a_reply_that_never_validates_is_logged_and_the_run_goes_on(llm_server: LLMTestServer, tmp_path: Path) -> None:
    llm_server.add_rule("nurse number 2.", "invalid", times=-1)
    llm = client(llm_server, tmp_path, max_invalid=2)
    results = run(llm, *(LLMRequest(question(i), Reply, tag=f"q{i}") for i in range(4)))
    assert [r.ok for r in results] == [True, True, False, True]
    failed = results[2]
    assert failed.parsed is None and "invalid reply" in (failed.error or "") and "unexpected" in failed.text
    assert llm.stats.failures == 1 and llm.stats.invalid == 3
    [record] = [json.loads(line) for line in llm.failures_path.read_text().splitlines()]
    assert record["tag"] == "q2" and record["raw"] == failed.text and "related" in record["error"]
    assert record["messages"][1]["content"].startswith("Persona: a nurse number 2.")
    # A failure is not cached: the next run asks again.
    llm_server.brain.rules.clear()
    [again] = run(client(llm_server, tmp_path), LLMRequest(question(2), Reply))
    assert again.ok and not again.cached


def test_429_burst_honours_retry_after(llm_server: LLMTestServer, tmp_path: Path) -> None:
    llm_server.brain.retry_after = 0.3
    llm_server.enqueue("429", "429", "429")
    llm = client(llm_server, tmp_path, backoff_base=5.0)  # were Retry-After ignored, waits would be seconds
    [result] = run(llm, LLMRequest(question(1), Reply))
    assert result.ok and llm.stats.retries == 3 and llm.stats.calls == 4
    times = [r["time"] for r in llm_server.requests]
    gaps = [b - a for a, b in itertools.pairwise(times)]
    assert all(gap >= 0.3 for gap in gaps), gaps
    assert all(gap < 2.5 for gap in gaps), gaps


def test_server_errors_drops_and_timeouts_are_retried(llm_server: LLMTestServer, tmp_path: Path) -> None:
    llm_server.enqueue("500", "drop", "slow:3", "503")
    llm = client(llm_server, tmp_path, timeout=0.5, concurrency=1)
    [result] = run(llm, LLMRequest(question(1), Reply))
    assert result.ok
    assert llm.stats.retries == 4 and llm.stats.timeouts == 1 and llm.stats.calls == 5


def test_retries_are_bounded_then_recorded(llm_server: LLMTestServer, tmp_path: Path) -> None:
    llm_server.add_rule("nurse number 1.", "500", times=-1)
    llm = client(llm_server, tmp_path, max_retries=2)
    results = run(llm, LLMRequest(question(1), Reply), LLMRequest(question(3), Reply))
    assert not results[0].ok and "gave up after 3 attempts: HTTP 500" in (results[0].error or "")
    assert results[1].ok
    assert llm_server.count == 4 and llm.stats.failures == 1
    assert "HTTP 500" in llm.failures_path.read_text()


def test_cache_makes_a_rerun_free(llm_server: LLMTestServer, tmp_path: Path) -> None:
    requests = [LLMRequest(question(i), Reply, temperature=0.7) for i in range(12)]
    first = run(client(llm_server, tmp_path), *requests)
    assert llm_server.count == 12
    second_client = client(llm_server, tmp_path)
    second = run(second_client, *requests)
    assert llm_server.count == 12  # counted at the server: zero new calls
    assert all(r.cached for r in second) and second_client.stats.cached == 12 and second_client.stats.calls == 0
    assert [r.parsed for r in second] == [r.parsed for r in first]
    # Different sampling parameters are a different request.
    run(client(llm_server, tmp_path), LLMRequest(question(0), Reply, temperature=0.1))
    assert llm_server.count == 13


def test_concurrency_is_bounded_and_order_kept(tmp_path: Path) -> None:
    with LLMTestServer(latency=0.1) as server:
        llm = LLMClient(server.base_url, None, "m", concurrency=4, cache=False, cache_dir=tmp_path)
        seen: list[int] = []
        requests = [LLMRequest(question(i), Reply, tag=str(i)) for i in range(16)]

        async def go() -> list[LLMResult]:
            try:
                return await llm.generate_many(requests, progress=seen.append)
            finally:
                await llm.aclose()

        results = asyncio.run(go())
        assert [r.tag for r in results] == [str(i) for i in range(16)] and sum(seen) == 16
        assert server.brain.max_in_flight == 4


def test_plain_text_without_schema(llm_server: LLMTestServer, tmp_path: Path) -> None:
    [result] = run(client(llm_server, tmp_path), LLMRequest([{"role": "user", "content": "hello"}]))
    assert result.ok and result.parsed is None and result.text.startswith("Here is")
    assert "response_format" not in llm_server.brain.bodies()[0]


def test_refused_key_and_missing_endpoint_raise(llm_server: LLMTestServer, tmp_path: Path) -> None:
    llm = LLMClient(llm_server.base_url, Secret("sk-wrong"), "m", cache_dir=tmp_path)
    with pytest.raises(LLMUnavailableError, match="401"):
        run(llm, LLMRequest(question(1), Reply))
    with pytest.raises(LLMUnavailableError, match="OPENAI_BASE_URL"):
        LLMClient.from_settings(Settings(cache_dir=str(tmp_path)))


def test_the_api_key_is_never_written(llm_server: LLMTestServer, tmp_path: Path) -> None:
    settings = Settings(
        llm_base_url=llm_server.base_url,
        llm_api_key=Secret(TEST_API_KEY),
        model="test-model",
        cache_dir=str(tmp_path / "cache"),
    )
    llm = LLMClient.from_settings(settings, concurrency=4, backoff_base=0.01)
    llm_server.add_rule("nurse number 3.", "invalid", times=-1)
    results = run(llm, *(LLMRequest(question(i), Reply) for i in range(5)))
    assert sum(r.ok for r in results) == 4
    llm.close()
    files = [p for p in (tmp_path / "cache").rglob("*") if p.is_file()]
    assert {p.name for p in files} >= {"llm-cache.sqlite3", "llm-failures.jsonl"}
    for path in files:
        assert TEST_API_KEY.encode() not in path.read_bytes(), path
    assert TEST_API_KEY not in repr(llm) and TEST_API_KEY not in repr(settings)
    # ...but it was sent, since the server checks it.
    assert llm_server.count >= 5 and all(r["status"] != 401 for r in llm_server.requests)


def test_concurrency_spans_several_connection_pools(tmp_path: Path) -> None:
    with LLMTestServer(latency=0.3) as server:
        llm = LLMClient(server.base_url, None, "m", concurrency=20, cache=False, cache_dir=tmp_path)
        results = run(llm, *(LLMRequest(question(i), Reply) for i in range(40)))
        assert all(r.ok for r in results)
        assert server.brain.max_in_flight == 20  # 3 pools of up to 8, never more than asked


def test_an_unreachable_endpoint_stops_the_run(tmp_path: Path) -> None:
    from tests.conftest import free_port

    llm = LLMClient(
        f"http://127.0.0.1:{free_port()}/v1", None, "m", cache_dir=tmp_path, max_retries=2, backoff_base=0.01
    )
    with pytest.raises(LLMUnavailableError, match="unreachable after 3 attempts"):
        run(llm, LLMRequest(question(1), Reply))
    assert llm.stats.retries == 2


def test_the_client_is_an_async_context_manager_closed_on_error_and_cancel(tmp_path: Path) -> None:
    with LLMTestServer(latency=2.0) as server:
        llm = LLMClient(server.base_url, None, "m", cache_dir=tmp_path, backoff_base=0.01)
        seen: dict[str, object] = {}

        async def fails() -> None:
            async with llm:
                seen["http"], seen["cache"] = llm._openai, llm.cache
                raise ValueError("a stage failed")

        with pytest.raises(ValueError):
            asyncio.run(fails())
        assert seen["http"] is not None and seen["http"].is_closed()  # type: ignore[attr-defined]
        assert llm.cache is None and llm._openai is None
        with pytest.raises(Exception, match="closed"):
            seen["cache"]._db.execute("SELECT 1")  # type: ignore[attr-defined]

        async def cancelled() -> None:
            async def call() -> None:
                async with llm:
                    seen["http"] = llm._openai
                    await llm.generate(question(1), Reply)  # the server answers after 2 s

            task = asyncio.create_task(call())
            while server.count == 0:
                await asyncio.sleep(0.01)
            task.cancel()
            with pytest.raises(asyncio.CancelledError):
                await task

        asyncio.run(cancelled())
        assert seen["http"].is_closed() and llm.cache is None  # type: ignore[attr-defined]


def test_one_client_serves_several_runs_and_the_lifecycle_reports_them(
    llm_server: LLMTestServer, tmp_path: Path
) -> None:
    from personagraph.llm.lifecycle import end_line, end_report, run_stage

    llm = client(llm_server, tmp_path)
    llm_server.add_rule("nurse number 2.", "invalid", times=-1)

    async def work(c: LLMClient) -> list[LLMResult]:
        return await c.generate_many([LLMRequest(question(i), Reply) for i in range(3)])

    first = run_stage(llm, work)
    assert llm.cache is None and sum(r.ok for r in first) == 2
    second = run_stage(llm, work)  # entered again: the cache reopens and answers the two good ones
    assert [r.cached for r in second] == [True, True, False]
    report = end_report(llm)
    assert report["cached"] == 2 and report["failures"] == 2 and report["failures_path"].endswith("llm-failures.jsonl")
    line = end_line(report)
    assert "2 cached" in line and "2 failures" in line and report["failures_path"] in line
