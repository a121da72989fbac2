"""Scale benchmark: every all-persona stage as a CLI child on one store, at N and at a baseline scale.

    python benchmarks/scale.py                          # 1M personas + 3M relations, baseline 100k
    python benchmarks/scale.py --scale 100000           # baseline 10k
    python benchmarks/scale.py --scale 10000000 --baseline-scale 1000000 --work W --keep   # the issue's 10M run
    python benchmarks/scale.py --scale 10000000 --baseline-scale 1000000 --resume W/personagraph-scale-XXXX

For each scale (the baseline first), persona and relation files are generated (streamed, the
generator of ``benchmarks/ingest.py``; N personas and 3N relations between random personas), then
these run one after the other as ``python -m personagraph`` children on one embedded store:
``import``, ``embed --embedder static``, ``dedup --embedder static``, ``cluster``, ``sample`` of
10k and of 100k (kcenter; at most half the personas), ``export graph`` (JSONL).

Each stage's wall time, CPU time (user + sys of the child, from wait4: the figure to trust on a
busy machine) and peak RSS are printed beside the same stage at the baseline scale, as ratios, so
the growth is visible against the data's growth (x10 by default). Peak RSS is the larger of the
child's kernel high-water mark (VmHWM, JVM included since the JVM runs in the process) and the
largest sum of RSS over the child's process tree seen by polling every 0.25 s (a stage that starts
worker processes). The load average is recorded beside every stage: figures taken while the
machine is shared are slower than on an idle one.

Persona texts come from the word-bigram corpus of ``benchmarks/dedup_corpus.py`` (learnt from the
Persona Hub sample in shared/, 5% planted near-duplicates, made chunk by chunk) when the sample is
there, so dedup has realistic work; otherwise (or with ``--texts template``) from ingest.py's
word-list template, whose personas collide often under dedup's thresholds (one serial number apart).
Results go to benchmarks/results/scale-<N>.json.

A run at 10M takes hours. With ``--keep`` its stores stay in the work folder, and ``--resume FOLDER``
continues a run that was cut short: the results saved so far (``--out``) are read back, stages that
have figures are not run again, and a scale whose import finished is not generated again. A stage that
was killed half-way runs again from the start on its store (every stage finishes on a re-run).
"""

from __future__ import annotations

import argparse
import contextlib
import io
import json
import os
import platform
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "benchmarks"))

import ingest  # noqa: E402
from results_file import save_results  # noqa: E402

SAMPLE_SIZES = (10_000, 100_000)
RELATIONS_PER_PERSONA = 3
CORPUS_CHUNK = 100_000  # texts made at once (the bigram walk holds a words x texts matrix)


def corpus_texts(n: int, seed: int) -> Iterator[str]:
    """``n`` persona texts of the dedup corpus, made a chunk at a time (5% near-copies of texts in
    the same chunk, at random places in it), so memory stays flat at any ``n``."""
    import numpy as np
    from dedup_corpus import KINDS, _render, near_copy

    chain = _chain()
    vocabulary = [w for w in chain.words.tolist() if w.isalpha()]
    rng = np.random.default_rng(seed)
    made = 0
    while made < n:
        size = min(CORPUS_CHUNK, n - made)
        n_dup = round(size * 0.05)
        n_base = size - n_dup
        lengths = np.clip(rng.normal(21, 5, n_base).round().astype(np.int64), 8, 40)
        texts = [_render(words) for words in chain.walk(n_base, lengths, rng)]
        originals = rng.choice(n_base, size=n_dup, replace=False)
        texts += [near_copy(texts[o], KINDS[i % len(KINDS)], rng, vocabulary) for i, o in enumerate(originals.tolist())]
        for position in rng.permutation(size).tolist():
            yield texts[position]
        made += size


def _chain() -> Any:
    """The word bigram chain of the Persona Hub sample, read as dedup_corpus.generate reads it."""
    import re

    from dedup_corpus import _WORD, BigramChain, sample_dir

    sentences = []
    for line in (sample_dir() / "personas.jsonl").read_text(encoding="utf-8").splitlines():
        for sentence in re.split(r"(?<=[.!?])\s+", json.loads(line)["persona"]):
            words = [w for w in _WORD.findall(sentence) if w not in {".", ","}]
            if words:
                words[0] = words[0].lower() if words[0] in {"A", "An", "The"} else words[0]
                sentences.append(words)
    return BigramChain(sentences)


def sample_available() -> bool:
    try:
        from dedup_corpus import sample_dir

        return (sample_dir() / "personas.jsonl").is_file()
    except SystemExit:
        return False


def _tree_rss_mb(root: int) -> int:
    """RSS of ``root`` and every process under it, summed (0 once it is gone)."""
    import psutil

    try:
        proc = psutil.Process(root)
        procs = [proc, *proc.children(recursive=True)]
    except psutil.Error:
        return 0
    total = 0
    for p in procs:
        try:
            total += p.memory_info().rss
        except psutil.Error:
            continue
    return total // 2**20


# The JVM's memory per stage: --jvm-heap "8g,import=12g" (a default, then stages by their first word)
# and --page-cache 0.75 (the engine's page cache as a share of that heap; it keeps a quarter unless told).
# At 10M the store outgrows a 1 GB cache and random edges are written page by page (README, scaling).
HEAPS: dict[str, str] = {"": "4g"}
PAGE_CACHE: list[float | None] = [None]


def parse_heaps(text: str) -> dict[str, str]:
    heaps = {"": "4g"}
    for part in filter(None, (p.strip() for p in text.split(","))):
        stage, _, size = part.rpartition("=")
        heaps[stage.strip()] = size.strip()
    return heaps


def _mb(size: str) -> int:
    unit = size[-1].lower()
    return int(float(size[:-1]) * {"g": 1024, "m": 1, "k": 1 / 1024}[unit]) if unit in "gmk" else int(size) // 2**20


def jvm_memory(name: str) -> tuple[str, int | None]:
    """The heap of stage ``name`` and its page cache in MB (None: the engine's default)."""
    heap = HEAPS.get(name.split()[0], HEAPS[""])
    share = PAGE_CACHE[0]
    return heap, (int(_mb(heap) * share) if share else None)


def stage_env(name: str) -> dict[str, str]:
    heap, cache_mb = jvm_memory(name)
    extra = {"PERSONAGRAPH_JVM_HEAP": heap}
    if cache_mb:
        extra["ARCADEDB_JVM_ARGS"] = (
            f"{os.environ.get('ARCADEDB_JVM_ARGS', '')} -Darcadedb.maxPageRAM={cache_mb}".strip()
        )
    return ingest.env(**extra)


def run_stage(name: str, store: Path, argv: list[str], log_dir: Path) -> dict[str, Any]:
    """One CLI child: wall and CPU seconds, peak RSS, load average, and its last JSON line if any."""
    cmd = [sys.executable, "-m", "personagraph", "--store", str(store), *argv]
    load_start = os.getloadavg()
    out_path, err_path = log_dir / f"{name}.out", log_dir / f"{name}.err"
    started = time.perf_counter()
    with out_path.open("wb") as out, err_path.open("wb") as err:
        proc = subprocess.Popen(cmd, env=stage_env(name), stdout=out, stderr=err, cwd=log_dir)
        hwm = tree = 0
        while True:
            pid, status, usage = os.wait4(proc.pid, os.WNOHANG)
            if pid:
                break
            hwm = max(hwm, ingest.peak_rss_mb(proc.pid))
            tree = max(tree, _tree_rss_mb(proc.pid))
            time.sleep(0.25)
    proc.returncode = os.waitstatus_to_exitcode(status)
    wall = time.perf_counter() - started
    if proc.returncode != 0:
        tail = err_path.read_text(errors="replace").strip()[-2000:]
        raise RuntimeError(f"stage {name} failed ({proc.returncode}): {' '.join(argv)}\n{tail}")
    heap, cache_mb = jvm_memory(name)
    result: dict[str, Any] = {
        "jvm_heap": heap,
        "page_cache_mb": cache_mb,  # None: the engine's default, a quarter of the heap
        "wall_s": round(wall, 2),
        "cpu_s": round(usage.ru_utime + usage.ru_stime, 2),
        "peak_rss_mb": max(hwm, tree),
        "vm_hwm_mb": hwm,
        "loadavg_start": round(load_start[0], 2),
        "loadavg_end": round(os.getloadavg()[0], 2),
    }
    report = stage_report(out_path.read_text(errors="replace"))
    if report is not None:
        result["report"] = _brief(report)
    return result


def stage_report(text: str) -> Any:
    """The stage's JSON report: its whole output (indented JSON) or else its last one-line JSON."""
    with contextlib.suppress(json.JSONDecodeError):
        return json.loads(text)
    for line in reversed(text.splitlines()):
        if line.startswith(("{", "[")):
            with contextlib.suppress(json.JSONDecodeError):
                return json.loads(line)
    return None


def _brief(report: Any) -> Any:
    """The stage's JSON report without long lists (groups, clusters, chosen personas)."""
    if isinstance(report, dict):
        return {k: _brief(v) for k, v in report.items() if not (isinstance(v, list) and len(v) > 8)}
    return report


def folder_mb(folder: Path) -> float:
    return round(sum(p.stat().st_size for p in folder.rglob("*") if p.is_file()) / 2**20, 1)


def stages(n: int, data: dict[str, Any], out_dir: Path) -> list[tuple[str, list[str]]]:
    steps: list[tuple[str, list[str]]] = [
        (
            "import",
            ["import", data["personas_file"], data["relations_file"], "--allow-self-loops", "--format", "jsonl"],
        ),
        ("embed", ["embed", "--embedder", "static", "--format", "json"]),
        ("dedup", ["dedup", "--embedder", "static", "--limit", "3", "--format", "json"]),
        ("cluster", ["cluster", "--embedder", "static", "--seed", "1", "--format", "json"]),
    ]
    for size in SAMPLE_SIZES:
        k = min(size, n // 2)
        steps.append(
            (
                f"sample {size // 1000}k",
                ["sample", "-n", str(k), "--embedder", "static", "--seed", "1", "--show", "0", "--format", "json"],
            )
        )
    steps.append(("export graph", ["export", "graph", str(out_dir)]))
    return steps


def run_scale(
    work: Path, n: int, seed: int, texts: str, only: set[str] | None, result: dict[str, Any], save: Callable[[], None]
) -> dict[str, Any]:
    """Generate the files and run every stage at ``n`` personas, filling ``result``; ``save`` after
    each stage, so a long run cut short keeps the stages it finished. Stages already in ``result``
    (a resumed run) are skipped, and so is the generation once the import is there."""
    folder = work / f"n{n}"
    same = result.get("personas") == n
    done = set(result.get("stages", {})) if same else set()
    files = result.get("files") if same else None
    if files:  # saved results keep file names only (no absolute paths): they live in the folder
        files = {**files, **{key: str(folder / Path(files[key]).name) for key in ("personas_file", "relations_file")}}
    folder.mkdir(exist_ok=True)  # a run cut while generating left it: generated again below
    resumed_import = False
    if "import" in done:
        data = {"personas_file": "", "relations_file": ""}
        for name in done:  # reports an earlier version of this script could not read (indented JSON)
            out = folder / f"{name}.out"
            if "report" not in result["stages"][name] and out.is_file():
                report = stage_report(out.read_text(errors="replace"))
                if report is not None:
                    result["stages"][name]["report"] = _brief(report)
        print(f"\n== {n:,} personas: resumed, {len(done)} stages done ({', '.join(sorted(done))})")
    elif files and all(Path(f).is_file() for f in (files["personas_file"], files["relations_file"])):
        # The import was cut (a session's end): the same files again, into the same store. Ids are
        # content hashes, so the import skips what the store already holds and completes it.
        # A store that is not there (removed for a clean figure) makes it a whole import again.
        data, resumed_import = files, (folder / "store").exists()
        what = "into the same store" if resumed_import else "into a new store (a whole import)"
        print(f"\n== {n:,} personas: the files are there; importing them {what}")
    else:
        done = set()
        if not same:  # a resumed import whose files are gone: the same seed makes the same files again
            shutil.rmtree(folder / "store", ignore_errors=True)
        t = time.perf_counter()
        stream = corpus_texts(n, seed) if texts == "corpus" else None
        data = ingest.generate(folder, n, RELATIONS_PER_PERSONA * n, seed, f"scale{n}", texts=stream)
        print(
            f"\n== {n:,} personas ({data['personas_mb']} MB), {data['relations']:,} relations "
            f"({data['relations_mb']} MB): generated in {time.perf_counter() - t:.0f} s; "
            f"load average {os.getloadavg()[0]:.1f}"
        )
        result.update({"personas": n, "relations": data["relations"], "stages": {}, "files": data})
        save()
    store, out_dir = folder / "store", folder / "export"
    for name, argv in stages(n, data, out_dir):
        if only and name.split()[0] not in only and name not in only:
            continue
        if name in done:
            continue
        figures = run_stage(name, store, argv, folder)
        if name == "import":
            figures["store_mb"] = folder_mb(store)
            if resumed_import:
                figures["resumed"] = "an earlier run of this import was cut short; these figures are the second run's"
        if name == "export graph":
            figures["export_mb"] = folder_mb(out_dir)
            shutil.rmtree(out_dir, ignore_errors=True)
        if name.startswith("sample"):
            figures["size"] = int(argv[argv.index("-n") + 1])
        result["stages"][name] = figures
        save()
        print(
            f"  {name:<14} wall {figures['wall_s']:>8.1f} s  cpu {figures['cpu_s']:>8.1f} s  "
            f"peak RSS {figures['peak_rss_mb']:>6,} MB  (load {figures['loadavg_start']:.1f} -> {figures['loadavg_end']:.1f})"
        )
    for path in (data["personas_file"], data["relations_file"]):
        if path:
            Path(path).unlink(missing_ok=True)
    result.pop("files", None)
    return result


def _times(a: float | None, b: float | None) -> float | None:
    """``b`` as a multiple of ``a``; None where either was not measured (a stage cut short and
    finished by a second process has no CPU time of the whole)."""
    return round(b / a, 2) if a and b is not None else None


def ratio(a: float | None, b: float | None) -> str:
    times = _times(a, b)
    return f"x{times:.1f}" if times is not None else "-"


def _figure(value: float | None, spec: str) -> str:
    """A figure of the growth table, or a dash where it was not measured."""
    return format(value, spec) if value is not None else format("-", ">7")


def print_growth(base: dict[str, Any], big: dict[str, Any]) -> dict[str, dict[str, float | None]]:
    growth = big["personas"] / base["personas"]
    print(f"\n== growth: {base['personas']:,} -> {big['personas']:,} personas (data x{growth:g})")
    print(f"  {'stage':<14} {'wall':>21} {'cpu':>21} {'peak RSS MB':>23}")
    table: dict[str, dict[str, float | None]] = {}
    for name, b in big["stages"].items():
        a = base["stages"].get(name)
        if a is None:
            continue
        print(
            f"  {name:<14} {_figure(a['wall_s'], '>7.1f')} {_figure(b['wall_s'], '>7.1f')} "
            f"{ratio(a['wall_s'], b['wall_s']):>5} {_figure(a['cpu_s'], '>7.1f')} {_figure(b['cpu_s'], '>7.1f')} "
            f"{ratio(a['cpu_s'], b['cpu_s']):>5} {_figure(a['peak_rss_mb'], '>7,')} "
            f"{_figure(b['peak_rss_mb'], '>7,')} {ratio(a['peak_rss_mb'], b['peak_rss_mb']):>5}"
        )
        table[name] = {
            x: _times(a[key], b[key]) for x, key in (("wall_x", "wall_s"), ("cpu_x", "cpu_s"), ("rss_x", "peak_rss_mb"))
        }
    return table


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scale", type=int, default=1_000_000, help="personas (relations: three times as many)")
    parser.add_argument("--baseline-scale", type=int, default=None, help="default: a tenth of --scale")
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument(
        "--texts", choices=("corpus", "template"), default=None, help="default: corpus if the sample is there"
    )
    parser.add_argument(
        "--jvm-heap",
        default="4g",
        help='PERSONAGRAPH_JVM_HEAP of every stage, then per stage: "8g,import=12g" (stages by first word)',
    )
    parser.add_argument(
        "--page-cache",
        type=float,
        default=None,
        help="the engine's page cache as a share of each stage's heap (0.1-0.8; default: the engine's 0.25)",
    )
    parser.add_argument("--only", default="", help="comma-separated stages to run (import always runs first)")
    parser.add_argument("--work", type=Path, default=None, help="folder for the stores (default: a temp folder)")
    parser.add_argument("--keep", action="store_true", help="keep the stores")
    parser.add_argument(
        "--resume",
        type=Path,
        default=None,
        help="a kept work folder of a run cut short: go on from the stages saved in --out (implies --keep)",
    )
    parser.add_argument("--out", type=Path, default=None, help="default: benchmarks/results/scale-<N>.json")
    args = parser.parse_args()
    baseline = args.baseline_scale or max(1, args.scale // 10)
    texts = args.texts or ("corpus" if sample_available() else "template")
    only = {s.strip() for s in args.only.split(",") if s.strip()} | {"import"} if args.only else None
    HEAPS.update(parse_heaps(args.jvm_heap))
    ingest.JVM_HEAP[0] = HEAPS[""]
    if args.page_cache is not None and not 0.1 <= args.page_cache <= 0.8:
        parser.error("--page-cache is a share of the heap between 0.1 and 0.8 (the engine halves anything above 0.8)")
    PAGE_CACHE[0] = args.page_cache
    out = args.out or ROOT / "benchmarks" / "results" / f"scale-{args.scale}.json"
    earlier: dict[str, Any] = {}
    if args.resume:
        if not args.resume.is_dir() or not out.is_file():
            parser.error(f"--resume needs the kept work folder and the results saved so far ({args.resume}, {out})")
        earlier = json.loads(out.read_text(encoding="utf-8"))
        if earlier.get("scale") != args.scale or earlier.get("baseline_scale") != baseline:
            parser.error(
                f"{out} holds a run at {earlier.get('scale')} / {earlier.get('baseline_scale')}, not these scales"
            )
        work, args.keep = args.resume, True
    else:
        work = Path(tempfile.mkdtemp(prefix="personagraph-scale-", dir=args.work))
    load = os.getloadavg()
    print(f"work folder {work}; texts: {texts}; load average at start {load[0]:.2f} on {os.cpu_count()} cores")
    results: dict[str, Any] = {
        "benchmark": "scale",
        "scale": args.scale,
        "baseline_scale": baseline,
        "seed": args.seed,
        "texts": texts,
        "machine": {
            "cpus": os.cpu_count(),
            "python": platform.python_version(),
            "jvm_heap": args.jvm_heap,
            "page_cache_share": args.page_cache,
            "loadavg_at_start": [round(x, 2) for x in load],
            "note": "wall time is polluted by other work on a shared machine: compare cpu_s, and the load averages",
        },
    }
    for key in ("baseline", "run"):
        if key in earlier:
            results[key] = earlier[key]
    if "machine" in earlier:
        before = dict(earlier["machine"])
        results["machine"]["earlier_sessions"] = [*before.pop("earlier_sessions", []), before]

    def save() -> None:
        results["machine"]["loadavg_at_end"] = [round(x, 2) for x in os.getloadavg()]
        with contextlib.redirect_stdout(io.StringIO()):
            save_results(out, results)

    try:
        run_scale(work, baseline, args.seed, texts, only, results.setdefault("baseline", {}), save)
        run_scale(work, args.scale, args.seed, texts, only, results.setdefault("run", {}), save)
        results["growth"] = print_growth(results["baseline"], results["run"])
    finally:
        if not args.keep:
            shutil.rmtree(work, ignore_errors=True)
    print()
    save()
    print(f"saved {out}")


if __name__ == "__main__":
    main()
