"""`serve` says where to browse the graph, checked with a real HTTP GET of what it prints."""

from __future__ import annotations

import re
import time
import urllib.request

import pytest

from tests.conftest import BoltServer


@pytest.mark.bolt
def test_serve_names_studio_or_says_it_is_not_there(bolt_server: BoltServer) -> None:
    if bolt_server.folder is None:
        pytest.skip("the Bolt server is an outside one (PERSONAGRAPH_TEST_BOLT_URL), not `personagraph serve`")
    log = ""
    deadline = time.monotonic() + 120  # the port listens a moment before serve prints its lines
    while "\nready" not in f"\n{log}" and time.monotonic() < deadline:
        time.sleep(0.5)
        log = (bolt_server.folder / "serve.log").read_text()
    line = next(line for line in log.splitlines() if line.startswith("ArcadeDB Studio:"))
    url = re.search(r"http://127\.0\.0\.1:\d+/\S*", line)
    assert url is not None, line
    with urllib.request.urlopen(url.group().rstrip("/").removesuffix("/api/v1") + "/", timeout=10) as reply:
        page = reply.read().decode("utf-8", "replace")
    if "not available" in line:
        # What the line says is what the server says: this build has the HTTP API and no Studio.
        assert "not bundled" in page and "/api/v1" in line
    else:
        assert "not bundled" not in page and "Studio" in page
