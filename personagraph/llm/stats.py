"""Counters of one client: calls, cache hits, retries, failures, tokens and an estimated cost."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

# USD per million tokens (input, output), for the cost estimate only. Prefix match on the model
# name; a model not listed has no estimate (local servers cost nothing we can know).
PRICES: dict[str, tuple[float, float]] = {
    "gpt-4o-mini": (0.15, 0.60),
    "gpt-4o": (2.50, 10.00),
    "gpt-4.1-nano": (0.10, 0.40),
    "gpt-4.1-mini": (0.40, 1.60),
    "gpt-4.1": (2.00, 8.00),
    "gpt-5-nano": (0.05, 0.40),
    "gpt-5-mini": (0.25, 2.00),
    "gpt-5": (1.25, 10.00),
    "gpt-3.5-turbo": (0.50, 1.50),
}


def price_of(model: str) -> tuple[float, float] | None:
    """(input, output) USD per million tokens of ``model``, longest listed prefix first."""
    name = model.split("/")[-1].lower()
    for prefix in sorted(PRICES, key=len, reverse=True):
        if name.startswith(prefix):
            return PRICES[prefix]
    return None


@dataclass
class Usage:
    prompt_tokens: int = 0
    completion_tokens: int = 0

    @property
    def total_tokens(self) -> int:
        return self.prompt_tokens + self.completion_tokens


@dataclass
class LLMStats:
    """``calls`` counts HTTP requests sent (retries included); ``requests`` counts generate() calls."""

    requests: int = 0
    calls: int = 0
    cached: int = 0
    retries: int = 0
    timeouts: int = 0
    invalid: int = 0
    fallbacks: int = 0
    failures: int = 0
    prompt_tokens: int = 0
    completion_tokens: int = 0
    price: tuple[float, float] | None = field(default=None, repr=False)

    @property
    def cost(self) -> float | None:
        """Estimated USD spent by the calls made (cache hits cost nothing), or None if the price is unknown."""
        if self.price is None:
            return None
        return (self.prompt_tokens * self.price[0] + self.completion_tokens * self.price[1]) / 1e6

    def add_usage(self, usage: Usage) -> None:
        self.prompt_tokens += usage.prompt_tokens
        self.completion_tokens += usage.completion_tokens

    def as_dict(self) -> dict[str, Any]:
        return {
            "requests": self.requests,
            "calls": self.calls,
            "cached": self.cached,
            "retries": self.retries,
            "timeouts": self.timeouts,
            "invalid": self.invalid,
            "fallbacks": self.fallbacks,
            "failures": self.failures,
            "prompt_tokens": self.prompt_tokens,
            "completion_tokens": self.completion_tokens,
            "cost_usd": None if self.cost is None else round(self.cost, 6),
        }
