"""runtime.py's kill points and interrupt handling, in plain Python subprocesses (no JVM)."""

from __future__ import annotations

import signal
import subprocess
import sys
import time

import pytest

from personagraph.runtime import INTERRUPTED
from tests.conftest import cli_env

SWALLOWS = """
import time
from personagraph.runtime import interrupts_end_the_process


def swallow():
    while True:  # code that swallows KeyboardInterrupt, as a long engine call ignores it
        try:
            time.sleep(0.05)
        except KeyboardInterrupt:
            pass


with interrupts_end_the_process(grace=1.0):
    try:  # one signal raises once; wherever it lands (even before the loop), it is swallowed
        print("ready", flush=True)
        swallow()
    except KeyboardInterrupt:
        swallow()
"""

CHECKPOINT = """
from personagraph.runtime import checkpoint, interrupts_end_the_process
with interrupts_end_the_process():
    try:
        for n in range(5):
            checkpoint("stage")
            print(n, flush=True)
    except KeyboardInterrupt:
        print("interrupted", flush=True)
"""


@pytest.mark.parametrize(("sig", "code"), [(signal.SIGINT, 130), (signal.SIGTERM, 143)])
def test_the_watchdog_ends_a_process_whose_main_thread_does_not(sig: signal.Signals, code: int) -> None:
    proc = subprocess.Popen(
        [sys.executable, "-c", SWALLOWS], env=cli_env(), stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
    )
    assert proc.stdout is not None and proc.stdout.readline().strip() == "ready"
    sent = time.monotonic()
    proc.send_signal(sig)
    _, err = proc.communicate(timeout=30)
    assert proc.returncode == code
    assert err.strip() == INTERRUPTED
    assert time.monotonic() - sent < 5


def test_a_second_signal_ends_it_at_once() -> None:
    proc = subprocess.Popen(
        [sys.executable, "-c", SWALLOWS.replace("grace=1.0", "grace=60")],
        env=cli_env(),
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    assert proc.stdout is not None and proc.stdout.readline().strip() == "ready"
    proc.send_signal(signal.SIGINT)
    time.sleep(0.3)
    proc.send_signal(signal.SIGINT)
    proc.communicate(timeout=30)
    assert proc.returncode == 130


@pytest.mark.parametrize(
    ("plan", "code", "printed"),
    [
        ("stage:3", -signal.SIGKILL, "0\n1\n"),
        ("stage:2:TERM", 0, "0\ninterrupted\n"),
        ("other:1", 0, "0\n1\n2\n3\n4\n"),
    ],
)
def test_kill_points_fire_at_the_nth_pass(plan: str, code: int, printed: str) -> None:
    done = subprocess.run(
        [sys.executable, "-c", CHECKPOINT],
        env=cli_env(PERSONAGRAPH_KILL_AT=plan),
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode == code, done.stderr
    assert done.stdout == printed
