"""Attribute extraction benchmark: coverage of each typed attribute on the 5,000 real Persona Hub personas,
extracted by an OpenAI-compatible endpoint, beside a no-LLM baseline measured in the same run.

    OPENAI_BASE_URL=... OPENAI_API_KEY=... python benchmarks/attributes.py [--model NAME] [--limit 5000]
    python benchmarks/attributes.py --test-server --limit 50   # the script itself, against tests/llm_server.py

The endpoint comes from OPENAI_BASE_URL (key OPENAI_API_KEY, model --model or PERSONAGRAPH_MODEL). The
personas (shared/personahub-sample/personas.jsonl beside the checkout, or PERSONAGRAPH_SAMPLE_DIR) are
imported into a temporary embedded store and ``extract_attributes`` runs over them exactly as
``personagraph attributes`` does. Figures: the share of personas with each field, the distribution of
the categorical fields, failures, tokens and time. The baseline is what the package gets without a
model: the ISCO-08 keyword table on the persona text, and gender from gendered words.

Against --test-server the replies are scripted (every field filled from the schema), so its coverage
says nothing about a real model; that run checks the script and is not saved.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from results_file import save_results  # noqa: E402

RESULTS = ROOT / "benchmarks" / "results" / "attributes.json"
_GENDERED = re.compile(
    r"\b(she|her|woman|mother|wife|daughter|girl|he|his|man|father|husband|son|boy)\b", re.IGNORECASE
)
_FEMALE = {"she", "her", "woman", "mother", "wife", "daughter", "girl"}


def sample_file() -> Path:
    if os.environ.get("PERSONAGRAPH_SAMPLE_DIR"):
        return Path(os.environ["PERSONAGRAPH_SAMPLE_DIR"]) / "personas.jsonl"
    for parent in ROOT.parents:
        candidate = parent / "shared" / "personahub-sample" / "personas.jsonl"
        if candidate.is_file():
            return candidate
    raise SystemExit("the Persona Hub sample (shared/personahub-sample) was not found; set PERSONAGRAPH_SAMPLE_DIR")


def baseline(texts: list[str]) -> dict[str, float]:
    """Coverage without a model: ISCO group from the keyword table, gender from gendered words."""
    from personagraph import isco

    coded = sum(1 for t in texts if isco.code_for(t))
    gendered = 0
    for text in texts:
        words = {w.lower() for w in _GENDERED.findall(text)}
        if words and (words <= _FEMALE or not words & _FEMALE):
            gendered += 1
    return {"isco": round(coded / len(texts), 4), "gender": round(gendered / len(texts), 4)}


def distributions(store: Any) -> dict[str, dict[str, int]]:
    fields = ("age_band", "gender", "isco", "settlement", "education", "life_stage", "openness")
    out: dict[str, dict[str, int]] = {}
    for name in fields:
        rows = store.cypher(f"MATCH (p:Persona) WHERE p.{name} IS NOT NULL RETURN p.{name} AS v")
        counts = Counter(str(r["v"]) for r in rows)
        out[name] = dict(counts.most_common(12))
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--limit", type=int, default=5000, help="personas from the sample")
    parser.add_argument("--model", default=None)
    parser.add_argument("--concurrency", type=int, default=16)
    parser.add_argument("--test-server", action="store_true", help="run against tests/llm_server.py (not saved)")
    args = parser.parse_args()

    from personagraph.attributes import AttributeOptions, extract_attributes
    from personagraph.config import Settings
    from personagraph.ingest import import_file
    from personagraph.llm.lifecycle import LLMRunOptions, client_for
    from personagraph.store import open_store

    texts = []
    with sample_file().open(encoding="utf-8") as handle:
        for line in handle:
            texts.append(json.loads(line)["persona"])
            if len(texts) >= args.limit:
                break
    server = None
    settings = Settings.from_env()
    if args.test_server:
        from tests.llm_server import LLMTestServer

        server = LLMTestServer(api_key="sk-benchmark").start()
        os.environ["OPENAI_API_KEY"] = "sk-benchmark"
        settings = Settings.from_env({**os.environ, "OPENAI_BASE_URL": server.base_url})
    elif not os.environ.get("OPENAI_BASE_URL"):
        raise SystemExit("set OPENAI_BASE_URL (and OPENAI_API_KEY) to an OpenAI-compatible endpoint")
    with tempfile.TemporaryDirectory() as folder:
        source = Path(folder) / "personas.jsonl"
        source.write_text("".join(json.dumps({"persona": t}) + "\n" for t in texts), encoding="utf-8")
        settings = settings.with_overrides(store=str(Path(folder) / "store"), cache_dir=str(Path(folder) / "cache"))
        store = open_store(settings.store, settings)
        try:
            import_file(store, source)
            client = client_for(settings, LLMRunOptions(model=args.model, concurrency=args.concurrency))
            started = time.perf_counter()
            report = extract_attributes(store, client, AttributeOptions(temperature=0.0))
            seconds = time.perf_counter() - started
            spread = distributions(store)
        finally:
            store.close()
            if server is not None:
                server.stop()
    unique = list(dict.fromkeys(texts))
    base = baseline(unique)
    coverage = report.coverage()
    print(
        f"{report.personas:,} personas, {report.extracted:,} extracted, {report.failures:,} failures in {seconds:.0f} s"
    )
    print(f"{'field':>18}  {'model':>7}  {'baseline (no model)':>20}")
    for name, share in coverage.items():
        print(f"{name:>18}  {share:>7.1%}  {base[name]:>20.1%}" if name in base else f"{name:>18}  {share:>7.1%}")
    if args.test_server:
        print("test server: scripted replies, figures not saved (they say nothing about a real model)")
        return
    save_results(
        RESULTS,
        {
            "personas": report.personas,
            "model": report.model,
            "prompt": report.prompt,
            "extracted": report.extracted,
            "failures": report.failures,
            "seconds": round(seconds, 1),
            "coverage": coverage,
            "baseline_coverage": base,
            "distributions": spread,
            "llm": report.llm,
        },
    )


if __name__ == "__main__":
    main()
