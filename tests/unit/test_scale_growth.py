"""The scale benchmark's growth table: each stage beside the baseline's, a figure not measured left out."""

from __future__ import annotations

import pytest

from benchmarks.scale import print_growth


def test_growth_of_each_stage_with_a_figure_not_measured(capsys: pytest.CaptureFixture[str]) -> None:
    base = {
        "personas": 1_000,
        "stages": {
            "dedup": {"wall_s": 10.0, "cpu_s": 8.0, "peak_rss_mb": 100},
            "embed": {"wall_s": 4.0, "cpu_s": 2.0, "peak_rss_mb": 50},
        },
    }
    big = {
        "personas": 10_000,
        "stages": {
            # cut short and finished by a second process: no CPU time of the whole
            "dedup": {"wall_s": 150.0, "cpu_s": None, "peak_rss_mb": 250},
            "embed": {"wall_s": 30.0, "cpu_s": 12.0, "peak_rss_mb": 100},
            "export graph": {"wall_s": 9.0, "cpu_s": 9.0, "peak_rss_mb": 10},  # no baseline: not in the table
        },
    }
    table = print_growth(base, big)
    assert table == {
        "dedup": {"wall_x": 15.0, "cpu_x": None, "rss_x": 2.5},
        "embed": {"wall_x": 7.5, "cpu_x": 6.0, "rss_x": 2.0},
    }
    lines = capsys.readouterr().out.splitlines()
    dedup = next(line for line in lines if line.strip().startswith("dedup"))
    assert dedup.split() == ["dedup", "10.0", "150.0", "x15.0", "8.0", "-", "-", "100", "250", "x2.5"]
    assert "data x10" in lines[1] and not any("export graph" in line for line in lines)
