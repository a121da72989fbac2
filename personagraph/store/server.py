"""Serve an embedded store over Bolt (ArcadeDB's Bolt plugin) on 127.0.0.1.

While it runs, the folder carries a ``serve.json`` marker (pid and URL, never the password), so
a command that tries to open the folder directly is told which Bolt URL to use instead.

The server's users live in a private temporary config folder made at each start and removed at
exit, never in the store: ArcadeDB writes the root password's hash to
``<config>/server-users.jsonl`` at its first start and ignores the password it is given on every
later one, so a users file kept in the store made a second ``serve`` accept the first password
and refuse its own (issue #15).
"""

from __future__ import annotations

import json
import os
import shutil
import signal
import tempfile
import threading
from collections.abc import Callable
from pathlib import Path

from personagraph.errors import ConfigError, StoreError, StoreLockedError
from personagraph.store.embedded import SERVE_MARKER, _locked, _start_jvm, clean_message, served_by

MIN_PASSWORD = 8
USERS_FILE = "server-users.jsonl"


def serve(
    folder: str | os.PathLike[str],
    password: str,
    database: str = "personas",
    bolt_port: int = 7687,
    http_port: int = 2480,
    on_ready: Callable[[str], None] | None = None,
    stop: threading.Event | None = None,
) -> None:
    """Block serving ``folder`` until SIGINT/SIGTERM (or ``stop`` is set)."""
    if len(password) < MIN_PASSWORD:
        raise ConfigError(
            f"the server password must have at least {MIN_PASSWORD} characters", hint="set PERSONAGRAPH_PASSWORD"
        )
    root = Path(folder).expanduser().resolve()
    running = served_by(root)
    if running:
        raise StoreLockedError(f"store {root} is already served by pid {running['pid']} at {running['url']}")
    (root / "databases").mkdir(parents=True, exist_ok=True)
    # A users file an earlier version left in the store holds an old password's hash: remove it.
    (root / "config" / USERS_FILE).unlink(missing_ok=True)
    _start_jvm()
    import arcadedb_embedded as adb

    users = Path(tempfile.mkdtemp(prefix="personagraph-serve-"))  # mode 0700, this user only
    config = {
        "host": "127.0.0.1",
        "http_port": http_port,
        "server_plugins": "Bolt:com.arcadedb.bolt.BoltProtocolPlugin",
        "bolt_port": bolt_port,
        "server_configDirectory": str(users),
    }
    url = f"bolt://127.0.0.1:{bolt_port}"
    marker = root / SERVE_MARKER
    # The marker goes first, so that nobody opens the folder directly while the server starts.
    marker.write_text(
        json.dumps({"pid": os.getpid(), "folder": str(root), "url": url, "database": database, "http_port": http_port})
    )
    try:
        # Create the database before the server listens: a client that can connect finds it there.
        database_path = str(root / "databases" / database)
        if not adb.database_exists(database_path):
            adb.create_database(database_path).close()
        server = adb.create_server(str(root), root_password=password, config=config)
        server.start()
    except Exception as exc:
        marker.unlink(missing_ok=True)
        shutil.rmtree(users, ignore_errors=True)
        if _locked(exc):
            raise StoreLockedError(f"store {root} is open in another process") from exc
        raise StoreError(f"cannot start the Bolt server on 127.0.0.1:{bolt_port}: {clean_message(exc)}") from exc
    stop = stop or threading.Event()
    try:
        if threading.current_thread() is threading.main_thread():
            for sig in (signal.SIGINT, signal.SIGTERM):
                signal.signal(sig, lambda *_: stop.set())
        if on_ready:
            on_ready(url)
        while not stop.wait(0.5):
            pass
    finally:
        marker.unlink(missing_ok=True)
        try:
            server.stop()
        finally:
            shutil.rmtree(users, ignore_errors=True)


def studio_status(http_port: int) -> tuple[str | None, str]:
    """(Studio's URL or None, one line saying where to browse), from a real GET of the HTTP port.

    The arcadedb-embedded wheel serves ArcadeDB's HTTP API but not the Studio web app (checked with
    26.10: ``/`` answers with a page saying Studio "is not bundled in this distribution"), so the
    line names the HTTP API instead; a build that bundles Studio gets its URL.
    """
    import urllib.error
    import urllib.request

    base = f"http://127.0.0.1:{http_port}"
    try:
        with urllib.request.urlopen(f"{base}/", timeout=5) as reply:
            page = reply.read(20_000).decode("utf-8", "replace")
    except (urllib.error.URLError, OSError):
        return None, f"ArcadeDB Studio: not available (nothing answers on {base})"
    if "not bundled" in page or "Studio" not in page:
        return None, (
            f"ArcadeDB Studio: not available in this package (arcadedb-embedded ships without it); "
            f"HTTP API at {base}/api/v1 (user root); `personagraph shell` explores interactively"
        )
    return f"{base}/", f"ArcadeDB Studio: {base}/ (user root)"
