"""Fixtures for the LLM layer: the scripted OpenAI-compatible server, and settings pointing at it.

Import them in a test module (``from tests.llm_fixtures import llm_server, llm_settings``) or
from conftest with ``from tests.llm_fixtures import *``.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from personagraph.config import Secret, Settings
from tests.llm_server import LLMTestServer

# A key that must never appear in any file the package writes (tests grep for it).
TEST_API_KEY = "sk-test-never-written-7f3a9c21"

__all__ = ["TEST_API_KEY", "LLMTestServer", "llm_server", "llm_settings"]


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
