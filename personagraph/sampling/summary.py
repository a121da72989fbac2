"""Readable rows of the coverage and diversity reports (for tables in the CLI and the demo)."""

from __future__ import annotations

from typing import Any


def _fmt(value: Any) -> str:
    if value is None:
        return "—"
    if isinstance(value, float):
        return f"{value:.3f}"
    return str(value)


def coverage_rows(report: dict[str, Any]) -> list[dict[str, str]]:
    """figure | this batch | random batch (same size, same candidates) | note."""
    rows = [
        {
            "figure": "personas chosen / candidates",
            "batch": f"{report.get('size')} / {report.get('candidates', '?')}",
            "random": "",
            "note": "",
        }
    ]
    if "clusters" in report:
        c = report["clusters"]
        rows.append({"figure": "clusters covered", "batch": f"{c['covered']} / {c['total']}", "random": "", "note": ""})
    if "radius" in report:
        r, b = report["radius"], report.get("radius_random", {})
        how = "exact" if r.get("exact") else f"estimated on {r.get('evaluated')} candidates"
        rows.append(
            {
                "figure": "covering radius (max)",
                "batch": _fmt(r.get("max")),
                "random": _fmt(b.get("max")),
                "note": f"ratio {_fmt(report.get('radius_ratio'))}, {how}",
            }
        )
        rows.append(
            {
                "figure": "distance to nearest chosen (mean)",
                "batch": _fmt(r.get("mean")),
                "random": _fmt(b.get("mean")),
                "note": "lower is better",
            }
        )
    for key, label in (("hops", "hops covered"), ("relation_types", "relation types covered")):
        if key in report:
            f = report[key]
            rows.append(
                {
                    "figure": label,
                    "batch": f"{f['covered']} / {f['total']}",
                    "random": "",
                    "note": ", ".join(f"{k}:{v}" for k, v in list(f["batch"].items())[:8]),
                }
            )
    if "uses_gini" in report:
        rows.append(
            {
                "figure": "usage evenness (Gini of uses)",
                "batch": _fmt(report["uses_gini"]),
                "random": "",
                "note": f"{report.get('never_used', '?')} candidates never used; 0 = even",
            }
        )
    if report.get("note"):
        rows.append({"figure": "note", "batch": "", "random": "", "note": report["note"]})
    return rows


def diversity_rows(report: dict[str, Any]) -> list[dict[str, str]]:
    """figure | value | note."""
    if not report or not report.get("samples"):
        return [{"figure": "samples", "value": "0", "note": "no samples generated from this batch yet"}]
    near = report.get("near_duplicates", {})
    rows = [
        {"figure": "samples", "value": str(report["samples"]), "note": ""},
        {"figure": "distinct-1", "value": _fmt(report.get("distinct_1")), "note": "distinct words / words"},
        {"figure": "distinct-2", "value": _fmt(report.get("distinct_2")), "note": "distinct bigrams / bigrams"},
        {
            "figure": "near-duplicate rate",
            "value": _fmt(near.get("rate")),
            "note": f"MinHash, Jaccard >= {near.get('threshold')} on {near.get('shingle_words')}-word shingles; {near.get('pairs')} pairs",
        },
    ]
    if "mean_cosine" in report:
        rows.append(
            {
                "figure": "mean pairwise cosine",
                "value": _fmt(report["mean_cosine"]),
                "note": f"samples; personas {_fmt(report.get('persona_mean_cosine'))}",
            }
        )
        rows.append(
            {
                "figure": "Vendi score",
                "value": _fmt(report["vendi"]),
                "note": f"effective number of distinct samples, of {report['samples']}",
            }
        )
    return rows


def similarity_rows(report: dict[str, Any]) -> list[dict[str, str]]:
    """The paper's check: persona-pair similarity bins against mean sample-pair similarity."""
    return [
        {
            "persona similarity": b["persona_sim"],
            "pairs": str(b["pairs"]),
            "mean persona sim": _fmt(b["mean_persona_sim"]),
            "mean sample sim": _fmt(b["mean_sample_sim"]),
        }
        for b in report.get("persona_vs_sample", [])
    ]


def cluster_rows(report: dict[str, Any], names: dict[int, str], limit: int = 12) -> list[dict[str, str]]:
    """The clusters a batch drew from, largest share first, with their readable labels."""
    counts = (report.get("clusters") or {}).get("batch") or {}
    ranked = sorted(counts.items(), key=lambda kv: (-kv[1], int(kv[0])))
    rows = [{"cluster": k, "personas": str(v), "label": names.get(int(k), "")} for k, v in ranked[:limit]]
    if len(ranked) > limit:
        rows.append(
            {
                "cluster": "…",
                "personas": str(sum(v for _, v in ranked[limit:])),
                "label": f"{len(ranked) - limit} more clusters",
            }
        )
    return rows
