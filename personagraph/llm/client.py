"""An async client for any OpenAI-compatible chat endpoint, made for long unattended runs.

- bounded concurrency (a semaphore per event loop, one connection per slot on the aiohttp transport);
- retries with exponential backoff and jitter on 429, 5xx, timeouts and dropped connections,
  honouring ``Retry-After`` (the openai package's own retries are off, so these are counted);
- structured output: JSON-schema ``response_format`` first; when the server rejects it, JSON
  mode; when that is rejected too, plain text. The client remembers the downgrade. Replies are
  parsed tolerantly (code fences, text around the JSON) and validated with pydantic; an invalid
  reply is asked again up to ``max_invalid`` times, then kept raw in the failure log;
- a persistent response cache, so a re-run of the same prompts makes no calls;
- token and cost counters. The API key is handed to the openai client and nowhere else.

Use it as ``async with LLMClient(...) as client:``: leaving the block closes the HTTP session and
the response cache, also on an error or a cancellation (``close()`` stays for sync callers). The
same object may be entered again for a later run.
"""

from __future__ import annotations

import asyncio
import functools
import json
import logging
import random
import threading
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from email.utils import parsedate_to_datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from pydantic import BaseModel

from personagraph.errors import ConfigError, LLMError, LLMUnavailableError
from personagraph.llm.cache import ResponseCache, cache_key
from personagraph.llm.parsing import parse_reply, response_schema, schema_instruction, schema_key
from personagraph.llm.stats import LLMStats, Usage, price_of
from personagraph.redaction import redact, redact_url, url_credentials

if TYPE_CHECKING:
    from personagraph.config import Secret, Settings

log = logging.getLogger("personagraph.llm")

Messages = list[dict[str, str]]
MODES = ("json_schema", "json_object", "text")
MAX_RETRY_AFTER = 120.0
# A 400 that mentions these is about the prompt's length, not the response format.
_LENGTH_WORDS = ("context length", "context_length", "too long", "maximum context", "too many tokens")


@dataclass
class LLMRequest:
    """One chat completion to make (the arguments of ``generate``)."""

    messages: Messages
    schema: type[BaseModel] | None = None
    temperature: float = 0.7
    max_tokens: int | None = None
    tag: str | None = None
    seed: int | None = None


@dataclass
class LLMResult:
    """What a request gave: the validated object (or None), the raw text, usage, and any error."""

    text: str
    parsed: Any = None
    usage: Usage = field(default_factory=Usage)
    cached: bool = False
    error: str | None = None
    tag: str | None = None
    model: str = ""
    attempts: int = 0

    @property
    def ok(self) -> bool:
        return self.error is None


class _Retryable(Exception):
    def __init__(
        self, reason: str, retry_after: float | None = None, timeout: bool = False, connection: bool = False
    ) -> None:
        super().__init__(reason)
        self.reason = reason
        self.retry_after = retry_after
        self.timeout = timeout
        self.connection = connection


class _GiveUp(Exception):
    """A request that cannot succeed (retries exhausted, or a 4xx); recorded, the run goes on."""


def default_cache_dir() -> Path:
    return Path.home() / ".cache" / "personagraph"


def retry_after_seconds(headers: Any) -> float | None:
    """Seconds to wait from ``retry-after-ms`` or ``retry-after`` (seconds or an HTTP date)."""
    if headers is None:
        return None
    raw_ms = headers.get("retry-after-ms")
    if raw_ms:
        try:
            return max(0.0, float(raw_ms) / 1000.0)
        except ValueError:
            pass
    raw = headers.get("retry-after")
    if not raw:
        return None
    try:
        return max(0.0, float(raw))
    except ValueError:
        pass
    try:
        return max(0.0, parsedate_to_datetime(raw).timestamp() - time.time())
    except (TypeError, ValueError):
        return None


class LLMClient:
    """Chat completions with retries, structured output and a cache; see the module docstring."""

    def __init__(
        self,
        base_url: str,
        api_key: Secret | str | None,
        model: str,
        *,
        concurrency: int = 16,
        cache_dir: str | Path | None = None,
        cache: bool = True,
        timeout: float = 60.0,
        max_retries: int = 5,
        max_invalid: int = 2,
        backoff_base: float = 0.5,
        backoff_max: float = 30.0,
        price: tuple[float, float] | None = None,
    ) -> None:
        if not base_url:
            raise LLMUnavailableError("no LLM endpoint configured", hint="set OPENAI_BASE_URL (and OPENAI_API_KEY)")
        if url_credentials(base_url):
            # The openai package refuses such a URL (ValueError), and a user or key there would be
            # printed with every error that names the endpoint.
            raise ConfigError(
                f"OPENAI_BASE_URL {redact_url(base_url)} carries credentials in the URL",
                hint="give the key in OPENAI_API_KEY and the URL without user or password",
            )
        if concurrency < 1:
            raise LLMError("concurrency must be at least 1")
        self.base_url = base_url.rstrip("/")
        self._api_key = api_key  # a Secret; revealed only when the openai client is built
        self.model = model
        self.concurrency = concurrency
        self.timeout = timeout
        self.max_retries = max_retries
        self.max_invalid = max_invalid
        self.backoff_base = backoff_base
        self.backoff_max = backoff_max
        self.cache_dir = Path(cache_dir) if cache_dir else default_cache_dir()
        self.cache_dir.mkdir(parents=True, exist_ok=True)
        self._use_cache = cache
        self.cache = ResponseCache(self.cache_dir / "llm-cache.sqlite3") if cache else None
        self.failures_path = self.cache_dir / "llm-failures.jsonl"
        self.stats = LLMStats(price=price or price_of(model))
        self.mode = "json_schema"
        self._log_lock = threading.Lock()
        self._loop: asyncio.AbstractEventLoop | None = None
        self._openai: Any = None
        self._slots: asyncio.Semaphore | None = None
        _import_transport()  # here, not on the first request: a quarter second the calls need not wait

    @classmethod
    def from_settings(
        cls,
        settings: Settings,
        concurrency: int = 16,
        cache_dir: str | Path | None = None,
        timeout: float = 60.0,
        max_retries: int = 5,
        **options: Any,
    ) -> LLMClient:
        """A client for the endpoint in ``settings``; LLMUnavailableError if none is configured."""
        if not settings.llm_base_url:
            raise LLMUnavailableError(
                "no LLM endpoint configured", hint="set OPENAI_BASE_URL (and OPENAI_API_KEY), and model", param="model"
            )
        return cls(
            settings.llm_base_url,
            settings.llm_api_key,
            settings.model,
            concurrency=concurrency,
            cache_dir=cache_dir or settings.cache_dir,
            timeout=timeout,
            max_retries=max_retries,
            **options,
        )

    def __repr__(self) -> str:
        return f"LLMClient(base_url={self.base_url!r}, model={self.model!r}, concurrency={self.concurrency})"

    # -- plumbing ---------------------------------------------------------------------------
    def _bind_loop(self) -> tuple[Any, asyncio.Semaphore]:
        """The openai client and the concurrency bound of the running loop (both belong to one loop).

        The client runs on the openai package's aiohttp transport (the ``openai[aiohttp]`` extra, a
        dependency) with one connection per slot: measured 1.2 ms of CPU per call against 1.9 ms
        for the default httpx transport.
        """
        loop = asyncio.get_running_loop()
        if self._loop is not loop or self._openai is None or self._slots is None:
            import httpx2
            from openai import AsyncOpenAI, DefaultAioHttpClient

            key = self._api_key if isinstance(self._api_key, str) or self._api_key is None else self._api_key.reveal()
            limits = httpx2.Limits(max_connections=self.concurrency, max_keepalive_connections=self.concurrency)
            tls = _tls_context()
            self._openai = AsyncOpenAI(
                base_url=self.base_url,
                api_key=key or "not-needed",  # local servers need none; the package insists on one
                max_retries=0,
                timeout=self.timeout,
                http_client=DefaultAioHttpClient(limits=limits, timeout=self.timeout, verify=tls),
            )
            self._slots = asyncio.Semaphore(self.concurrency)
            self._loop = loop
        return self._openai, self._slots

    def prepare(self) -> None:
        """Build the HTTP client for the running loop now (call inside it), so the first requests
        do not wait for it; ``generate`` does it anyway when this was not called."""
        self._bind_loop()

    async def aclose(self) -> None:
        """Close the HTTP session of the running loop (the cache stays open; see ``close``)."""
        openai, self._openai, self._slots, self._loop = self._openai, None, None, None
        if openai is not None:
            await openai.close()

    def close(self) -> None:
        """Close the response cache (sync callers; ``aclose`` inside the loop for the HTTP connections)."""
        cache, self.cache = self.cache, None
        if cache is not None:
            cache.close()

    def open(self) -> None:
        """(Re)open the response cache after ``close``: one client may serve several runs, one after another."""
        if self._use_cache and self.cache is None:
            self.cache = ResponseCache(self.cache_dir / "llm-cache.sqlite3")

    async def __aenter__(self) -> LLMClient:
        self.open()
        self.prepare()  # now, so the first requests do not wait for the HTTP client
        return self

    async def __aexit__(self, *exc: object) -> None:
        # Also on an error or a cancellation: the session and the sqlite cache never outlive the run.
        try:
            await self.aclose()
        finally:
            self.close()

    def _backoff(self, attempt: int, retry_after: float | None) -> float:
        if retry_after is not None:
            # Jitter on top, so a burst of clients told the same moment do not all come back at once.
            return min(retry_after, MAX_RETRY_AFTER) + random.uniform(0, 0.1 * max(retry_after, 0.1))
        ceiling = min(self.backoff_max, self.backoff_base * (2**attempt))
        return random.uniform(ceiling / 2, ceiling)

    def _body_messages(self, messages: Messages, schema: type[BaseModel] | None, mode: str) -> Messages:
        if schema is None or mode == "json_schema":
            return messages
        instruction = schema_instruction(schema)
        if messages and messages[0].get("role") == "system":
            return [{"role": "system", "content": f"{messages[0]['content']}\n\n{instruction}"}, *messages[1:]]
        return [{"role": "system", "content": instruction}, *messages]

    def _response_format(self, schema: type[BaseModel] | None, mode: str) -> dict[str, Any] | None:
        if schema is None or mode == "text":
            return None
        if mode == "json_object":
            return {"type": "json_object"}
        return {
            "type": "json_schema",
            "json_schema": {"name": schema.__name__, "schema": response_schema(schema), "strict": False},
        }

    def _downgrade(self, used: str) -> bool:
        """Step down from ``used`` (only once per mode, though many requests learn it together)."""
        index = MODES.index(used)
        if index + 1 >= len(MODES):
            return False
        if self.mode == used:
            self.mode = MODES[index + 1]
            log.info("endpoint refused response_format %s; using %s from now on", used, self.mode)
        return True

    # -- one HTTP request, with retries ------------------------------------------------------
    async def _send(
        self,
        openai: Any,
        messages: Messages,
        schema: type[BaseModel] | None,
        temperature: float,
        max_tokens: int | None,
        seed: int | None = None,
    ) -> tuple[str, Usage, int]:
        """The reply text and usage, after retries; raises _GiveUp when it cannot get one."""
        import openai as oa

        attempt = 0
        sent = 0
        while True:
            mode = self.mode
            body: dict[str, Any] = {
                "model": self.model,
                "messages": self._body_messages(messages, schema, mode),
                "temperature": temperature,
            }
            if max_tokens is not None:
                body["max_tokens"] = max_tokens
            if seed is not None:
                body["seed"] = seed
            response_format = self._response_format(schema, mode)
            if response_format is not None:
                body["response_format"] = response_format
            sent += 1
            self.stats.calls += 1
            try:
                try:
                    # The raw POST skips the SDK's per-request transformation of the body and its
                    # pydantic response model (a few ms of CPU per call); errors map the same way.
                    response = await openai.post("/chat/completions", cast_to=object, body=body)
                except oa.APITimeoutError as exc:
                    refused = _refused(exc)
                    raise _Retryable(
                        f"connection failed ({refused})" if refused else "timed out",
                        timeout=not refused,
                        connection=bool(refused),
                    ) from exc
                except oa.APIConnectionError as exc:
                    cause = type(exc.__cause__).__name__ if exc.__cause__ else "dropped"
                    raise _Retryable(f"connection failed ({cause})", connection=True) from exc
                except oa.APIStatusError as exc:
                    status = exc.status_code
                    if status == 429 or status >= 500 or status in (408, 409):
                        raise _Retryable(f"HTTP {status}", retry_after_seconds(exc.response.headers)) from exc
                    message = _error_text(exc)
                    if status in (401, 403):
                        raise LLMUnavailableError(
                            f"{self.base_url}: HTTP {status}, the API key was refused", hint="check OPENAI_API_KEY"
                        ) from exc
                    if status == 404:
                        raise LLMUnavailableError(
                            f"{self.base_url}: HTTP 404 ({message})",
                            hint="check OPENAI_BASE_URL and model",
                            param="model",
                        ) from exc
                    rejected_format = (
                        status == 400
                        and response_format is not None
                        and not any(w in message.lower() for w in _LENGTH_WORDS)
                    )
                    if rejected_format and self._downgrade(mode):
                        self.stats.fallbacks += 1
                        continue
                    raise _GiveUp(f"HTTP {status}: {message}") from exc
            except _Retryable as exc:
                if exc.timeout:
                    self.stats.timeouts += 1
                if attempt >= self.max_retries:
                    if exc.connection:
                        # No connection through the whole backoff window: every other request would
                        # fail the same way, so stop the run instead of logging each one.
                        raise LLMUnavailableError(
                            f"{self.base_url}: unreachable after {sent} attempts ({exc.reason})",
                            hint="is the server running? check OPENAI_BASE_URL",
                        ) from exc
                    raise _GiveUp(f"gave up after {sent} attempts: {exc.reason}") from exc
                delay = self._backoff(attempt, exc.retry_after)
                attempt += 1
                self.stats.retries += 1
                log.debug("retry %d in %.2f s: %s", attempt, delay, exc.reason)
                await asyncio.sleep(delay)
                continue
            text = _reply_text(response)
            reported = response.get("usage") if isinstance(response, dict) else None
            reported = reported if isinstance(reported, dict) else {}
            usage = Usage(int(reported.get("prompt_tokens") or 0), int(reported.get("completion_tokens") or 0))
            self.stats.add_usage(usage)
            return text, usage, sent

    # -- public API ---------------------------------------------------------------------------
    async def generate(
        self,
        messages: Messages,
        schema: type[BaseModel] | None = None,
        temperature: float = 0.7,
        max_tokens: int | None = None,
        tag: str | None = None,
        seed: int | None = None,
    ) -> LLMResult:
        """One chat completion, validated against ``schema`` when given; never raises for a bad reply.

        ``seed`` is sent as OpenAI's sampling seed and is part of the cache key, so a second,
        independent reply to the same messages (a judge's second pass, a second solution) is
        asked for and cached apart; without it the key is what it always was.

        ``result.error`` is set (and the raw reply logged to ``failures_path``) when no valid reply
        came within the retry bounds. LLMUnavailableError is raised for an endpoint that refuses
        the key or does not exist, since no later request could succeed either.
        """
        self.stats.requests += 1
        sampling: dict[str, Any] = {"temperature": temperature, "max_tokens": max_tokens}
        if seed is not None:
            sampling["seed"] = seed
        key = cache_key(self.model, messages, sampling, schema_key(schema))
        if self.cache is not None:
            hit = self.cache.get(key)
            if hit is not None:
                text, prompt_tokens, completion_tokens = hit
                try:
                    parsed = parse_reply(text, schema) if schema is not None else None
                    self.stats.cached += 1
                    return LLMResult(
                        text, parsed, Usage(prompt_tokens, completion_tokens), True, None, tag, self.model, 0
                    )
                except ValueError:
                    pass  # the schema changed in a way the key did not see; ask again
        openai, slots = self._bind_loop()
        async with slots:
            return await self._generate_uncached(openai, key, messages, schema, temperature, max_tokens, tag, seed)

    async def _generate_uncached(
        self,
        openai: Any,
        key: str,
        messages: Messages,
        schema: type[BaseModel] | None,
        temperature: float,
        max_tokens: int | None,
        tag: str | None,
        seed: int | None = None,
    ) -> LLMResult:
        conversation = list(messages)
        attempts = 0
        total = Usage()
        text = ""
        error = ""
        for round_ in range(self.max_invalid + 1):
            try:
                text, usage, sent = await self._send(openai, conversation, schema, temperature, max_tokens, seed)
            except _GiveUp as exc:
                return self._failed(str(exc), text, messages, tag, total, attempts)
            attempts += sent
            total = Usage(total.prompt_tokens + usage.prompt_tokens, total.completion_tokens + usage.completion_tokens)
            if schema is None:
                parsed = None
            else:
                try:
                    parsed = parse_reply(text, schema)
                except ValueError as exc:
                    error = f"invalid reply: {exc}"
                    self.stats.invalid += 1
                    log.debug("invalid reply (round %d): %s", round_ + 1, exc)
                    # Show the model its mistake: more likely to fix than asking the same thing again.
                    conversation = [
                        *messages,
                        {"role": "assistant", "content": text[:4000]},
                        {
                            "role": "user",
                            "content": f"That reply was not valid ({exc}). Answer again with only the JSON object.",
                        },
                    ]
                    continue
            if self.cache is not None:
                self.cache.put(key, self.model, tag, text, usage.prompt_tokens, usage.completion_tokens)
            return LLMResult(text, parsed, total, False, None, tag, self.model, attempts)
        return self._failed(f"{error} (after {self.max_invalid + 1} replies)", text, messages, tag, total, attempts)

    def _failed(
        self, error: str, raw: str, messages: Messages, tag: str | None, usage: Usage, attempts: int
    ) -> LLMResult:
        self.stats.failures += 1
        record = {
            "time": time.strftime("%Y-%m-%dT%H:%M:%S%z"),
            "tag": tag,
            "model": self.model,
            "error": redact(error),
            "raw": redact(raw),  # a server may echo the request's headers or key back in its reply
            "messages": [
                {"role": m.get("role"), "content": redact(str(m.get("content", ""))[:4000])} for m in messages
            ],
        }
        line = json.dumps(record, ensure_ascii=False) + "\n"
        with self._log_lock, self.failures_path.open("a", encoding="utf-8") as handle:
            handle.write(line)
        return LLMResult(raw, None, usage, False, error, tag, self.model, attempts)

    async def generate_many(
        self, requests: Sequence[LLMRequest], progress: Callable[[int], None] | None = None
    ) -> list[LLMResult]:
        """All ``requests`` at bounded concurrency; results in the order of the requests."""

        async def one(request: LLMRequest) -> LLMResult:
            result = await self.generate(
                request.messages, request.schema, request.temperature, request.max_tokens, request.tag, request.seed
            )
            if progress is not None:
                progress(1)
            return result

        return list(await asyncio.gather(*(one(r) for r in requests)))


@functools.cache
def _tls_context() -> Any:
    """One TLS context for every client of the process: making one loads the CA bundle, ~20 ms of CPU
    (the test suite made one per client: 4.7% of the fast tier's samples). A context is safe to share
    between connections and threads; it holds no per-connection state."""
    import ssl

    return ssl.create_default_context()


def _refused(exc: BaseException) -> str | None:
    """The name of the connection failure behind a "timeout", if it was not one.

    The aiohttp transport reports a refused connect and a connection dropped mid-request as
    connect timeouts; their causes say which it was.
    """
    import aiohttp

    kinds = (ConnectionError, aiohttp.ClientConnectionError)
    seen: BaseException | None = exc
    for _ in range(8):
        if seen is None or isinstance(seen, TimeoutError):
            return None
        if isinstance(seen, kinds):
            return type(seen).__name__
        seen = seen.__cause__ or seen.__context__
    return None


def _import_transport() -> None:
    """Import what the first request needs.

    ``openai.DefaultAioHttpClient`` is the package's public name for its aiohttp transport; importing
    it loads the vendored transport modules too (openai 1.x-3.x), so no private module is named here.
    """
    import aiohttp  # noqa: F401
    from openai import DefaultAioHttpClient  # noqa: F401


def _reply_text(response: Any) -> str:
    try:
        return str(response["choices"][0]["message"]["content"] or "")
    except (KeyError, IndexError, TypeError):
        return ""


def _error_text(exc: Any) -> str:
    """The server's error message, cleaned of anything shaped like a key (some echo the request's
    Authorization header back)."""
    return redact(" ".join(_error_body(exc).split()))[:300]


def _error_body(exc: Any) -> str:
    body = getattr(exc, "body", None)
    if isinstance(body, dict):
        inner = body.get("error", body)
        if isinstance(inner, dict) and inner.get("message"):
            return str(inner["message"])[:2000]
        if isinstance(inner, str):
            return inner[:2000]
    return str(getattr(exc, "message", exc))[:2000]
