"""Planted secrets never reach an output stream or a file (issue 15, part 7).

Real processes (``python -m personagraph``), the real test LLM server, a real store folder: the
API key from the environment, a password in a Bolt URL, a password in PERSONAGRAPH_PASSWORD,
credentials in OPENAI_BASE_URL, and a server that echoes the Authorization header back in its
error body and in its replies. Every stdout and stderr, and every file written under the test's
folder (store, LLM cache and failure log, outputs), is searched for each of them.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from tests.conftest import cli_env, free_port
from tests.llm_server import LLMTestServer

API_KEY = "sk-planted-ApiKey-5e1f9b7c3d"
URL_PASSWORD = "SuperSecret99"
ENV_PASSWORD = "PlantedPass-4d2a"
ENDPOINT_PASSWORD = "EndpointPass-77c1"
SECRETS = (API_KEY, URL_PASSWORD, ENV_PASSWORD, ENDPOINT_PASSWORD, API_KEY.removeprefix("sk-"))


def cli(args: list[str], cwd: Path, **environ: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "personagraph", *args],
        env=cli_env(PERSONAGRAPH_JVM_HEAP="1g", CI="1", **environ),
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=240,
    )


def test_no_planted_secret_in_any_output_or_file(tmp_path: Path) -> None:
    texts = tmp_path / "texts.jsonl"
    texts.write_text(
        json.dumps({"text": "Harbour dues rise again: the ferry company blames the new pontoon."})
        + "\n"
        + json.dumps({"text": "Night market stalls may stay open until two, the council says."})
        + "\n"
    )
    store = tmp_path / "store"
    cache = tmp_path / "cache"
    outputs: list[str] = []
    with LLMTestServer(api_key=API_KEY, model="test-model") as server:
        # One text meets a server that puts the Authorization header in its 400 error body, the
        # other one whose replies quote the header (invalid replies, kept in llm-failures.jsonl).
        server.add_rule("Harbour dues", "echo-auth", times=-1)
        server.add_rule("Night market", "echo-auth-reply", times=-1)
        llm_env = {
            "OPENAI_BASE_URL": server.base_url,
            "OPENAI_API_KEY": API_KEY,
            "PERSONAGRAPH_MODEL": "test-model",
            "PERSONAGRAPH_CACHE_DIR": str(cache),
            "PERSONAGRAPH_PASSWORD": ENV_PASSWORD,
        }
        t2p = cli(["--store", str(store), "t2p", str(texts), "--max-retries", "0"], tmp_path, **llm_env)
        outputs += [t2p.stdout, t2p.stderr]
        assert server.count >= 2  # the key really went out, and came back in the server's words
        # every text failed: a non-zero exit (LLM errors exit 5), and the failures were logged
        assert t2p.returncode == 5, t2p.stderr
        assert "every one of the 2 texts failed" in t2p.stderr
        failures = (cache / "llm-failures.jsonl").read_text()
        # both texts logged, the header shown masked (the error body's and the reply's)
        logged = [json.loads(line) for line in failures.splitlines()]
        assert len(logged) == 2, failures
        assert any("Authorization: Bearer ***" in entry["error"] for entry in logged), failures
        assert any("Bearer ***" in entry["raw"] for entry in logged), failures

        # Credentials in the endpoint URL: refused, and not repeated.
        base = server.base_url.replace("http://", f"http://planted:{ENDPOINT_PASSWORD}@")
        refused = cli(["--store", str(store), "t2p", str(texts)], tmp_path, **{**llm_env, "OPENAI_BASE_URL": base})
        outputs += [refused.stdout, refused.stderr]
        assert refused.returncode == 2 and "carries credentials" in refused.stderr

    # A Bolt URL with a password, and one from the environment, to a server that is not there.
    url = f"bolt://root:{URL_PASSWORD}@127.0.0.1:{free_port()}"
    for args, extra in (
        (["--store", url, "stats"], {}),
        (["--store", f"bolt://127.0.0.1:{free_port()}", "stats"], {"PERSONAGRAPH_PASSWORD": ENV_PASSWORD}),
        (["--store", url, "query", "RETURN 1"], {"PERSONAGRAPH_PASSWORD": ENV_PASSWORD}),
    ):
        result = cli(args, tmp_path, **extra)
        outputs += [result.stdout, result.stderr]
        assert result.returncode == 4, result.stderr
        lines = [line for line in result.stderr.splitlines() if line.strip()]
        assert len(lines) == 1 and lines[0].startswith("error: "), result.stderr

    assert "root:***@127.0.0.1" in "".join(outputs)
    for secret in SECRETS:
        for number, text in enumerate(outputs):
            assert secret not in text, f"{secret!r} in output {number}: {text[-500:]}"
    written = [path for path in tmp_path.rglob("*") if path.is_file() and path != texts]
    assert any(path.name == "llm-failures.jsonl" for path in written)
    for path in written:
        data = path.read_bytes()
        for secret in SECRETS:
            assert secret.encode() not in data, f"{secret!r} written to {path.relative_to(tmp_path)}"
        assert b"Bearer sk-" not in data, path
