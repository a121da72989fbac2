"""`personagraph attributes` and `sample --target` / `--where` on attributes, the CLI in process
(tests/cli_in_process.py: nothing here is about the process boundary), with the OpenAI-compatible
test server over HTTP, the static embedder and the embedded store."""

from __future__ import annotations

import json
import random
import subprocess
from pathlib import Path

from tests.cli_in_process import run_cli
from tests.conftest import cli_env
from tests.dedup_support import settings_with_cache
from tests.llm_fixtures import TEST_API_KEY
from tests.llm_server import LLMTestServer

COUNTRIES = ["US", "FR", "JP"]
BANDS = ["18-24", "25-34", "45-54", "65+"]
AGES = {"18-24": 21, "25-34": 30, "45-54": 50, "65+": 70}
STATIC = ("--embedder", "static")


def run(tmp_path: Path, *args: str, **env: str) -> subprocess.CompletedProcess[str]:
    settings_with_cache(tmp_path / "cache")  # the shared distilled static model
    environ = cli_env(PERSONAGRAPH_CACHE_DIR=str(tmp_path / "cache"), PERSONAGRAPH_JVM_HEAP="1g", **env)
    return run_cli(["--store", str(tmp_path / "store"), *args], env=environ, cwd=tmp_path)


def _people(count: int = 240) -> list[dict[str, object]]:
    """Nemotron-style rows, skewed: mostly US, mostly male, few older people."""
    rng = random.Random(7)
    rows = []
    for i in range(count):
        country = rng.choices(COUNTRIES, weights=[6, 3, 1])[0]
        band = rng.choices(BANDS, weights=[3, 4, 2, 1])[0]
        sex = rng.choices(["Male", "Female"], weights=[3, 1])[0]
        job = rng.choice(["nurse", "welder", "teacher", "software developer", "farmer", "baker"])
        rows.append(
            {"uuid": f"u{i}", "persona": f"A {job} ({i}) from {country} who likes topic {i % 17}.",
             "sex": sex, "age": AGES[band], "occupation": job, "country": country}
        )  # fmt: skip
    return rows


def test_sample_target_and_where_on_imported_attributes(tmp_path: Path) -> None:
    people = tmp_path / "people.jsonl"
    people.write_text("".join(json.dumps(r) + "\n" for r in _people()), encoding="utf-8")
    done = run(tmp_path, "import", str(people))
    assert done.returncode == 0, done.stderr

    target = tmp_path / "target.json"
    target.write_text(
        json.dumps(
            {"marginals": {"country": {"US": 1, "FR": 1, "JP": 1}, "gender": {"female": 1, "male": 1},
                           "age_band": {"18-24": 1, "25-34": 1, "45-54": 1, "65+": 1, "35-44": 0.5}}}
        ),
        encoding="utf-8",
    )  # fmt: skip
    # The static embedder: the target's raking is the point, and MiniLM cost torch's imports (~13-18 s of CPU).
    sampled = run(tmp_path, "sample", "-n", "48", "--target", str(target), *STATIC, "--format", "json")
    assert sampled.returncode == 0, sampled.stderr
    report = json.loads(sampled.stdout)["coverage"]["target"]
    assert report["batch"] == 48 and report["attributes"] == ["country", "gender", "age_band"]
    assert report["tvd"] < report["tvd_random"]
    assert report["marginal_tvd"]["gender"] < report["marginal_tvd_random"]["gender"]
    # No candidate is 35-44: that marginal value is named as unreachable; the few older French women
    # cannot fill their raked cells either.
    assert report["unreachable"] == [{"attribute": "age_band", "value": "35-44", "target": round(0.5 / 4.5, 6)}]
    assert report["unfillable"] and all(r["candidates"] < r["target_n"] for r in report["unfillable"])

    table = run(tmp_path, "sample", "-n", "24", "--target", str(target), "--strategy", "random", "--dry-run", *STATIC)
    assert table.returncode == 0, table.stderr
    assert "total variation distance to the target" in table.stdout
    assert "no candidate has age_band = 35-44" in table.stdout

    women = run(tmp_path, "sample", "-n", "500", "--strategy", "random", "--where", "gender = female and age >= 45",
                "--dry-run", "--format", "json", *STATIC, CI="", PERSONAGRAPH_PROGRESS_SECONDS="0")  # fmt: skip
    assert women.returncode == 0, women.stderr
    expected = sum(1 for r in _people() if r["sex"] == "Female" and int(r["age"]) >= 45)  # type: ignore[call-overload]
    assert json.loads(women.stdout)["personas"] == expected > 0
    # Progress on stderr (not a terminal, CI unset): the candidate read, in lines, the last one with
    # every persona read (the --where conditions are checked on each page, after its ids).
    read = [line for line in women.stderr.splitlines() if line.startswith("reading candidates: ")]
    assert read and read[-1].startswith(f"reading candidates: {len(_people())} personas, ")

    bad = tmp_path / "bad.csv"
    bad.write_text("country,share\nUS,0.5\nFR,half\n", encoding="utf-8")
    refused = run(tmp_path, "sample", "-n", "5", "--target", str(bad), *STATIC)
    assert refused.returncode != 0 and "bad.csv:3: weight 'half' is not a number" in refused.stderr
    assert "Traceback" not in refused.stderr and len(refused.stderr.strip().splitlines()) <= 2


def test_attributes_command_dry_run_run_and_coverage(tmp_path: Path, llm_server: LLMTestServer) -> None:
    personas = tmp_path / "personas.jsonl"
    personas.write_text("".join(json.dumps({"persona": f"A beekeeper number {i} in Wales."}) + "\n" for i in range(5)))
    assert run(tmp_path, "import", str(personas)).returncode == 0
    llm = {"OPENAI_BASE_URL": llm_server.base_url, "OPENAI_API_KEY": TEST_API_KEY}
    dry = run(tmp_path, "attributes", "--dry-run", **llm)
    assert dry.returncode == 0, dry.stderr
    assert "dry run (attributes): 5 requests" in dry.stdout and llm_server.count == 0
    done = run(tmp_path, "attributes", "--max-personas", "3", **llm)
    assert done.returncode == 0, done.stderr
    assert "3 personas asked, 3 got attributes" in done.stdout and "LLM: 3 calls" in done.stdout
    rest = run(tmp_path, "attributes", "--format", "json", **llm)
    assert rest.returncode == 0, rest.stderr
    assert json.loads(rest.stdout)["personas"] == 2 and llm_server.count == 5
    coverage = run(tmp_path, "attributes", "--coverage", "--format", "json")
    counts = json.loads(coverage.stdout)
    assert counts["personas"] == counts["with_attributes"] == counts["from_llm"] == 5
    assert TEST_API_KEY not in "".join(p.read_text(errors="ignore") for p in tmp_path.rglob("*.jsonl"))
