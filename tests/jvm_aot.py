"""An AOT cache of ArcadeDB's classes for every JVM the tests start (JDK 25, JEP 483/514).

The suite starts a JVM in each pytest-xdist worker, in each CLI child process and in each Bolt server.
Loading and linking ArcadeDB's classes is most of a JVM start: `stats` on a small store in a fresh
process took 5.3-5.8 s of CPU without the cache and 4.1-4.4 s with it (at load ~20 on the shared
machine). The cache is made once per machine (one training run, ~11 s of CPU: an import and a few
reads) and kept beside the distilled test models, keyed by the JRE, the jars and the JVM flags, so a
new arcadedb-embedded makes a new one. Without a usable cache (an older JDK, a failed training run)
the tests run exactly as before: the JVM treats a cache it cannot map as absent.
"""

from __future__ import annotations

import fcntl
import hashlib
import os
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
# The training workload: open a store (schema), import the example personas, read them back.
TRAIN = """
import sys
from pathlib import Path
from personagraph.config import Settings
from personagraph.ingest.importer import import_file
from personagraph.store import open_store
folder = sys.argv[1]
with open_store(folder, Settings(store=folder)) as store:
    import_file(store, Path(sys.argv[2]))
    store.stats()
    list(store.iter_personas(fields=("id", "text")))
"""


def _jre() -> Path | None:
    try:
        import arcadedb_embedded
    except ImportError:
        return None
    return Path(arcadedb_embedded.__file__).parent


def _key(package: Path, flags: str) -> str | None:
    """What the cache depends on: the JRE's release file, the jars (name, size, time) and the flags."""
    release = package / "jre" / "release"
    if not release.is_file():
        return None
    text = release.read_text(errors="replace")
    version = next((line for line in text.splitlines() if line.startswith("JAVA_VERSION=")), "")
    try:
        major = int(version.split("=", 1)[1].strip('"').split(".")[0])
    except (IndexError, ValueError):
        return None
    if major < 25:  # -XX:AOTCacheOutput (one-step training) is JDK 25's
        return None
    digest = hashlib.blake2b(text.encode(), digest_size=10)
    for jar in sorted((package / "jars").glob("*.jar")):
        stat = jar.stat()
        digest.update(f"{jar.name} {stat.st_size} {stat.st_mtime_ns}\n".encode())
    digest.update(flags.encode())
    return digest.hexdigest()


def aot_cache(flags: str, jit: str) -> Path | None:
    """The machine's AOT cache for JVMs started with ``flags`` (made now if missing); None if unavailable."""
    package = _jre()
    key = _key(package, f"{flags} jit={jit}") if package else None
    if key is None:
        return None
    folder = Path(os.environ.get("PERSONAGRAPH_TEST_JVM_CACHE") or Path.home() / ".cache" / "personagraph" / "test-jvm")
    target = folder / f"arcadedb-{key}.aot"
    if target.is_file():
        return target
    folder.mkdir(parents=True, exist_ok=True)
    with (folder / ".train.lock").open("w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)  # one training run, whichever process (xdist worker, session) is first
        if not target.is_file():
            _train(target, flags, jit)
    return target if target.is_file() else None


def _train(target: Path, flags: str, jit: str) -> None:
    with tempfile.TemporaryDirectory(prefix=".train-", dir=target.parent) as work:
        partial = Path(work) / "cache.aot"
        env = {k: v for k, v in os.environ.items() if not k.startswith("PERSONAGRAPH_")}
        env |= {
            "PYTHONPATH": str(ROOT) + os.pathsep + env.get("PYTHONPATH", ""),
            "PERSONAGRAPH_JVM_HEAP": "1g",
            "PERSONAGRAPH_JVM_JIT": jit,
            "ARCADEDB_JVM_ARGS": f"{flags} -XX:AOTCacheOutput={partial}",
        }
        personas = ROOT / "examples" / "world" / "personas.jsonl"
        try:
            done = subprocess.run(
                [sys.executable, "-c", TRAIN, str(Path(work) / "store"), str(personas)],
                env=env,
                cwd=work,
                capture_output=True,
                timeout=600,
            )
        except subprocess.TimeoutExpired:
            return
        if done.returncode == 0 and partial.is_file():
            os.replace(partial, target)  # whole or not at all: readers never see a half-written cache
