"""Several `personagraph` processes on one Bolt server, as the worker tests start them (issue 12).

Each worker asks the LLM test server with its own API key: the server logs a hash of it
(``llm_server.client_of``), which tells a killed process's requests from the others'.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Any

from tests.conftest import BoltServer, cli_env
from tests.llm_server import LLMTestServer


def worker_env(bolt: BoltServer, server: LLMTestServer, cache: Path, key: str) -> dict[str, str]:
    """The environment of one worker: the Bolt server, the LLM server with ``key``, a cache shared by all."""
    return cli_env(
        PERSONAGRAPH_STORE=bolt.url,
        PERSONAGRAPH_USER=bolt.user,
        PERSONAGRAPH_PASSWORD=bolt.password,
        PERSONAGRAPH_DATABASE=bolt.database,
        OPENAI_BASE_URL=server.base_url,
        OPENAI_API_KEY=key,
        PERSONAGRAPH_CACHE_DIR=str(cache),  # one cache for every worker, as on one machine
        PERSONAGRAPH_MODEL="test-model",
        CI="1",
    )


def start(environ: dict[str, str], cwd: Path, *args: str) -> subprocess.Popen[str]:
    """``python -m personagraph ARGS`` in the background, its output captured."""
    return subprocess.Popen(
        [sys.executable, "-m", "personagraph", *args],
        env=environ,
        cwd=cwd,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def finish(proc: subprocess.Popen[str]) -> tuple[dict[str, Any], str]:
    """Wait for a worker started with ``--format json``: it must exit 0; its report and its stderr."""
    out, err = proc.communicate(timeout=600)
    assert proc.returncode == 0, err
    return json.loads(out), err
