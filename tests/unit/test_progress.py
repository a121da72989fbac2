"""Progress when stderr is not a terminal: plain lines now and then, none for short work, none under CI."""

from __future__ import annotations

import re

import pytest

from personagraph.cli.progress import progress_bar


def test_lines_when_stderr_is_a_file(monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.delenv("CI", raising=False)
    monkeypatch.setenv("PERSONAGRAPH_PROGRESS_SECONDS", "0")
    with progress_bar("import relations", total=300, unit="records") as advance:
        for _ in range(3):
            advance(100)
    lines = capsys.readouterr().err.splitlines()
    assert len(lines) == 4  # one a step (every 0 s), then the last line at the end
    assert lines[0].startswith("import relations: 100 of 300 (33%) records")
    assert re.match(r"import relations: 300 of 300 \(100%\) records, [\d,]+ records/s, 0:00 elapsed$", lines[-1])


def test_short_work_and_ci_stay_quiet(monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.delenv("CI", raising=False)
    monkeypatch.setenv("PERSONAGRAPH_PROGRESS_SECONDS", "3600")
    with progress_bar("embed", unit="personas") as advance:
        advance(5)
    monkeypatch.setenv("CI", "true")
    monkeypatch.setenv("PERSONAGRAPH_PROGRESS_SECONDS", "0")
    with progress_bar("embed", total=5) as advance:
        advance(5)
    assert capsys.readouterr().err == ""
