"""The ``personagraph`` command run inside the test process, answering like ``subprocess.run``.

A CLI subprocess pays a JVM start and the package imports (3-5 s of CPU each, and an e2e test runs
ten to twenty of them); in process the JVM and the loaded modules are shared. Tests whose point is
the process boundary (a kill, a signal, a fresh import, two processes on one store, a server) keep
real subprocesses.

Same contract as a subprocess: the environment given is the whole environment of the run (as from
``cli_env``: PERSONAGRAPH_* and OPENAI_* variables not in it are unset for the run), the exit code of
the error's class, stdout and stderr apart, and an exception that escapes the command becomes its
traceback on stderr and exit code 1, as Python would print it.
"""

from __future__ import annotations

import contextlib
import os
import subprocess
import traceback
from collections.abc import Mapping
from pathlib import Path

from click.testing import CliRunner

# The JVM of the test process is started once, with the session's heap and JIT: a run must not
# choose them by being the first to open a store.
_JVM_VARIABLES = ("PERSONAGRAPH_JVM_HEAP", "PERSONAGRAPH_JVM_JIT")


def run_cli(
    args: list[str] | tuple[str, ...],
    env: Mapping[str, str] | None = None,
    cwd: str | os.PathLike[str] | None = None,
) -> subprocess.CompletedProcess[str]:
    """``python -m personagraph *args`` in this process; ``env`` like subprocess's (None: this process's)."""
    from personagraph.cli import main

    changes: dict[str, str | None] = {}
    if env is not None:
        changes = {key: None for key in os.environ if key not in env}
        changes.update(env)
        for key in _JVM_VARIABLES:
            changes.pop(key, None)
    runner = CliRunner()
    with contextlib.chdir(Path(cwd) if cwd is not None else Path.cwd()):
        result = runner.invoke(main, list(args), env=changes, catch_exceptions=True)
    stderr = result.stderr
    if result.exception is not None and not isinstance(result.exception, SystemExit):
        stderr += "".join(traceback.format_exception(result.exception))
    return subprocess.CompletedProcess(["personagraph", *args], result.exit_code, result.stdout, stderr)
