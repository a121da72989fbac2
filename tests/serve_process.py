"""Local servers in child processes for tests and benchmarks: a free port, waiting for a listener,
and `personagraph serve` on a folder. Everything listens on 127.0.0.1 only."""

from __future__ import annotations

import socket
import subprocess
import sys
import time
from pathlib import Path
from typing import IO, Any


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def wait_for_port(port: int, proc: subprocess.Popen[Any] | None = None, timeout: float = 90.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc is not None and proc.poll() is not None:
            raise RuntimeError(f"server exited early with code {proc.returncode}")
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=1):
                return
        except OSError:
            time.sleep(0.2)
    raise TimeoutError(f"nothing listens on 127.0.0.1:{port} after {timeout} s")


def serve_process(
    folder: Path,
    port: int,
    env: dict[str, str],
    stdout: IO[Any] | int,
    cwd: Path | None = None,
    text: bool = False,
) -> subprocess.Popen[Any]:
    """``personagraph --store FOLDER serve --port PORT`` (and a free HTTP port), stderr into stdout.
    Not waited for: call :func:`wait_for_port` (or read its output up to ``ready``)."""
    command = ["--store", str(folder), "serve", "--port", str(port), "--http-port", str(free_port())]
    return subprocess.Popen(
        [sys.executable, "-m", "personagraph", *command],
        env=env,
        stdout=stdout,
        stderr=subprocess.STDOUT,
        cwd=cwd,
        text=text,
    )
