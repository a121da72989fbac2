"""Opt-in per-test CPU profile of the suite: PERSONAGRAPH_TEST_CPU=path.jsonl.

Each test writes one line: its node id, markers, wall and CPU seconds (user+sys of the worker process,
of its waited children, so a CLI subprocess counts, and of its running children, so the Bolt server's
counts) for setup+call+teardown, and the fixtures set
up during it with each one's own CPU (a session or module fixture's cost lands on the first test that
uses it). Each pytest-xdist worker appends to the same file (one ``write`` a line). Rank the lines with
``python -m tests.cpu_profile path.jsonl``. Off (no hooks do anything) when the variable is unset.
"""

from __future__ import annotations

import json
import os
import resource
import sys
import time
from collections import defaultdict
from collections.abc import Generator
from pathlib import Path
from typing import Any

import pytest

ENV = "PERSONAGRAPH_TEST_CPU"


def _children_cpu() -> float:
    children = resource.getrusage(resource.RUSAGE_CHILDREN)
    return children.ru_utime + children.ru_stime


_TICK = os.sysconf("SC_CLK_TCK") if hasattr(os, "sysconf") else 100


def _live_children_cpu() -> float:
    """CPU so far of the children still running (the session's Bolt server): counted as they spend it, so a
    server's seconds land on the tests that kept it busy, not all on the test whose teardown reaps it."""
    total = 0
    for children in Path("/proc/self/task").glob("*/children"):
        try:
            pids = children.read_text().split()
        except OSError:
            continue
        for pid in pids:
            try:
                fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
            except (OSError, IndexError):
                continue
            total += sum(int(v) for v in fields[11:15])  # utime stime cutime cstime
    return total / _TICK


def _cpu() -> float:
    own = resource.getrusage(resource.RUSAGE_SELF)
    return own.ru_utime + own.ru_stime + _children_cpu() + _live_children_cpu()


class CpuProfile:
    def __init__(self, path: Path) -> None:
        self.path = path
        self.fixtures: list[dict[str, Any]] = []
        self.depth = 0

    @pytest.hookimpl(hookwrapper=True)
    def pytest_fixture_setup(self, fixturedef: pytest.FixtureDef[Any], request: pytest.FixtureRequest) -> Generator:
        # Nested fixtures: each one's own CPU is its inclusive time minus the fixtures it set up inside.
        cpu, wall = _cpu(), time.perf_counter()
        start = len(self.fixtures)
        self.depth += 1
        yield
        self.depth -= 1
        inclusive = _cpu() - cpu
        inner = sum(f["cpu_incl"] for f in self.fixtures[start:] if f["depth"] == self.depth + 1)
        self.fixtures.append(
            {
                "name": fixturedef.argname,
                "scope": fixturedef.scope,
                "depth": self.depth,
                "cpu_incl": round(inclusive, 3),
                "cpu": round(inclusive - inner, 3),
                "wall": round(time.perf_counter() - wall, 3),
            }
        )

    @pytest.hookimpl(hookwrapper=True)
    def pytest_runtest_protocol(self, item: pytest.Item, nextitem: pytest.Item | None) -> Generator:
        self.fixtures = []
        cpu, children, wall = _cpu(), _children_cpu(), time.perf_counter()
        yield
        line = {
            "test": item.nodeid,
            "file": item.nodeid.split("::")[0],
            "markers": sorted({m.name for m in item.iter_markers()} - {"parametrize", "usefixtures"}),
            "cpu": round(_cpu() - cpu, 3),
            "children_cpu": round(_children_cpu() - children, 3),  # waited child processes only
            "last": nextitem is None,  # its teardown ends the session: session fixtures (the Bolt server) land here
            "wall": round(time.perf_counter() - wall, 3),
            "worker": os.environ.get("PYTEST_XDIST_WORKER", "main"),
            "fixtures": [{k: v for k, v in f.items() if k != "depth"} for f in self.fixtures],
        }
        with self.path.open("a") as out:
            out.write(json.dumps(line) + "\n")

    @pytest.hookimpl(trylast=True)
    def pytest_sessionfinish(self, session: pytest.Session) -> None:
        # The whole process (collection, imports, the JVM start, session fixtures' teardown): what no test carries.
        line = {"session": os.environ.get("PYTEST_XDIST_WORKER", "main"), "cpu": round(_cpu(), 3)}
        with self.path.open("a") as out:
            out.write(json.dumps(line) + "\n")


def register(config: pytest.Config) -> None:
    path = os.environ.get(ENV)
    if path:
        config.pluginmanager.register(CpuProfile(Path(path)), "personagraph-cpu-profile")


def _table(rows: list[tuple[str, float, float, int]], head: str) -> list[str]:
    out = [f"| {head} | CPU s | wall s | n |", "|---|---:|---:|---:|"]
    out += [f"| {name} | {cpu:.1f} | {wall:.1f} | {n} |" for name, cpu, wall, n in rows]
    return out


def report(path: Path, top_tests: int = 40, top_files: int = 20, top_fixtures: int = 25) -> str:
    """The ranking as Markdown: tests, files, fixtures (own CPU), markers."""
    every = [json.loads(line) for line in path.read_text().splitlines() if line.strip()]
    lines = [t for t in every if "test" in t]
    # pytest's main process waits for its xdist workers, so its figure holds theirs; without xdist it is the only one.
    ends = {s["session"]: s["cpu"] for s in every if "session" in s}
    sessions = ends.get("main", sum(ends.values()))
    total_cpu = sum(t["cpu"] for t in lines)
    total_wall = sum(t["wall"] for t in lines)
    out = [f"{len(lines)} tests, {total_cpu:.1f} s CPU, {total_wall:.1f} s wall (sum over tests)"]
    out += [f"the run in all: {sessions:.1f} s CPU (tests + collection, imports, session teardown)"]
    last = [t for t in lines if t.get("last")]
    if last:
        out += [
            f"(the last test of a worker carries the session's teardown: the Bolt server's CPU when reaped: {last[0]['test']})"
        ]
    out += [""]
    tests = sorted(lines, key=lambda t: -t["cpu"])[:top_tests]
    out += ["### Tests", *_table([(t["test"], t["cpu"], t["wall"], 1) for t in tests], "test"), ""]
    by_file: dict[str, list[float]] = defaultdict(lambda: [0.0, 0.0, 0])
    for t in lines:
        acc = by_file[t["file"]]
        acc[0] += t["cpu"]
        acc[1] += t["wall"]
        acc[2] += 1
    files = sorted(by_file.items(), key=lambda kv: -kv[1][0])[:top_files]
    out += ["### Files", *_table([(k, v[0], v[1], int(v[2])) for k, v in files], "file"), ""]
    by_fixture: dict[str, list[float]] = defaultdict(lambda: [0.0, 0.0, 0])
    for t in lines:
        for f in t["fixtures"]:
            acc = by_fixture[f"{f['name']} ({f['scope']})"]
            acc[0] += f["cpu"]
            acc[1] += f["wall"]
            acc[2] += 1
    fixtures = sorted(by_fixture.items(), key=lambda kv: -kv[1][0])[:top_fixtures]
    out += ["### Fixtures (own setup CPU, inner fixtures excluded)"]
    out += [*_table([(k, v[0], v[1], int(v[2])) for k, v in fixtures], "fixture"), ""]
    by_marker: dict[str, list[float]] = defaultdict(lambda: [0.0, 0.0, 0])
    for t in lines:
        for m in t["markers"] or ["(none)"]:
            acc = by_marker[m]
            acc[0] += t["cpu"]
            acc[1] += t["wall"]
            acc[2] += 1
    markers = sorted(by_marker.items(), key=lambda kv: -kv[1][0])
    out += ["### Markers (a test counts under each of its markers)"]
    out += [*_table([(k, v[0], v[1], int(v[2])) for k, v in markers], "marker"), ""]
    return "\n".join(out)


if __name__ == "__main__":
    print(report(Path(sys.argv[1])))
