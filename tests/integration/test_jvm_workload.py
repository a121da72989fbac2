"""The embedded store starts its JVM tuned for the workload: C1 only for LLM-bound runs."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from personagraph.errors import StoreError
from personagraph.store.embedded import jit_for

ROOT = Path(__file__).resolve().parents[2]
pytestmark = pytest.mark.subprocess  # each probe is a child process with its own JVM

PROBE = """
import json, sys
from personagraph.config import Settings
from personagraph.store import open_store
store = open_store(sys.argv[1], Settings(store=sys.argv[1]), workload=sys.argv[2])
import jpype
args = [str(a) for a in jpype.JClass("java.lang.management.ManagementFactory").getRuntimeMXBean().getInputArguments()]
store.close()
print(json.dumps(args))
"""


def jvm_args(folder: Path, workload: str, **env: str) -> list[str]:
    environ = {k: v for k, v in os.environ.items() if k != "PERSONAGRAPH_JVM_JIT"}
    environ.update({"PERSONAGRAPH_JVM_HEAP": "1g", "PYTHONPATH": str(ROOT), **env})
    out = subprocess.run(
        [sys.executable, "-c", PROBE, str(folder), workload],
        cwd=folder.parent,
        env=environ,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert out.returncode == 0, out.stderr
    return list(json.loads(out.stdout.strip().splitlines()[-1]))


def test_llm_workload_starts_c1_only_and_bulk_keeps_c2(tmp_path: Path) -> None:
    assert "-XX:TieredStopAtLevel=1" in jvm_args(tmp_path / "a", "llm")
    assert "-XX:TieredStopAtLevel=1" not in jvm_args(tmp_path / "b", "bulk")


def test_environment_overrides_the_workload(tmp_path: Path) -> None:
    assert "-XX:TieredStopAtLevel=1" not in jvm_args(tmp_path / "a", "llm", PERSONAGRAPH_JVM_JIT="full")


def test_jit_choice_rules(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("PERSONAGRAPH_JVM_JIT", raising=False)
    assert (jit_for("llm"), jit_for("bulk")) == ("quick", "full")
    monkeypatch.setenv("PERSONAGRAPH_JVM_JIT", "Quick")
    assert jit_for("bulk") == "quick"
    monkeypatch.setenv("PERSONAGRAPH_JVM_JIT", "turbo")
    with pytest.raises(StoreError, match="PERSONAGRAPH_JVM_JIT"):
        jit_for("llm")


def test_an_unknown_workload_is_refused(tmp_path: Path) -> None:
    from personagraph.config import Settings
    from personagraph.errors import ConfigError
    from personagraph.store import open_store

    with pytest.raises(ConfigError, match="workload 'LLM'"):
        open_store(str(tmp_path / "s"), Settings(store=str(tmp_path / "s")), workload="LLM")
    assert not (tmp_path / "s").exists()
