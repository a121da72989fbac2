"""Settings from the environment (and CLI flags, which override). Nothing else reads os.environ.

Secrets (passwords, API keys) are held as ``Secret`` so that they never print, log or pickle.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from typing import Any

from personagraph.redaction import remember

DEFAULT_STORE = "personagraph-store"
DEFAULT_DATABASE = "personas"


class Secret:
    """A string that shows as ``'***'`` everywhere except ``.reveal()``."""

    __slots__ = ("_value",)

    def __init__(self, value: str) -> None:
        self._value = value
        remember(value)  # masked in every message redaction.redact cleans

    def reveal(self) -> str:
        return self._value

    def __bool__(self) -> bool:
        return bool(self._value)

    def __repr__(self) -> str:
        return "Secret('***')"

    __str__ = __repr__

    def __reduce__(self) -> Any:
        raise TypeError("secrets are not serialisable")


@dataclass(frozen=True)
class Settings:
    store: str = DEFAULT_STORE
    user: str = "neo4j"
    password: Secret = field(default_factory=lambda: Secret(""))
    database: str = DEFAULT_DATABASE
    relations: str | None = None
    llm_base_url: str | None = None
    llm_api_key: Secret = field(default_factory=lambda: Secret(""))
    model: str = "gpt-4o-mini"
    cache_dir: str | None = None

    @classmethod
    def from_env(cls, env: Mapping[str, str] | None = None) -> Settings:
        env = os.environ if env is None else env
        return cls(
            store=env.get("PERSONAGRAPH_STORE", DEFAULT_STORE),
            user=env.get("PERSONAGRAPH_USER") or env.get("NEO4J_USER") or env.get("NEO4J_USERNAME") or "neo4j",
            password=Secret(env.get("PERSONAGRAPH_PASSWORD") or env.get("NEO4J_PASSWORD") or ""),
            database=env.get("PERSONAGRAPH_DATABASE", DEFAULT_DATABASE),
            relations=env.get("PERSONAGRAPH_RELATIONS") or None,
            llm_base_url=env.get("OPENAI_BASE_URL") or None,
            llm_api_key=Secret(env.get("OPENAI_API_KEY", "")),
            model=env.get("PERSONAGRAPH_MODEL", "gpt-4o-mini"),
            cache_dir=env.get("PERSONAGRAPH_CACHE_DIR") or None,
        )

    def with_overrides(self, **values: Any) -> Settings:
        """A copy with the non-None values replaced (CLI flags)."""
        return replace(self, **{k: v for k, v in values.items() if v is not None})

    @property
    def llm_configured(self) -> bool:
        return bool(self.llm_base_url)
