"""Batches whose attribute mix matches a target distribution (``sample --target FILE``).

A target names attributes (``country``, ``age_band``, ``gender``, ...) and gives either joint cells
(one share per combination of values, as a census cross-table gives them) or marginals (one share
per value of each attribute). Marginals are raked (iterative proportional fitting) onto the joint
cells, starting from the candidates' own joint counts, so the batch keeps the associations the
candidates have and matches every marginal. Each cell then gets an exact quota (largest remainder;
what a cell cannot hold spills over to the others by their target share), and the quota is filled
inside the cell by the usual strategy (k-center on embeddings within clusters, least used first),
so the batch covers the persona space within each cell.

The report gives, per cell, the target share, the quota, what the candidates hold and what the
batch got, the total variation distance (TVD, half the L1 distance between the batch's shares and
the target's, personas outside every cell counted as misplaced), and the cells the candidates
cannot fill. Pure code on plain data; ``read_target`` is the only I/O.
"""

from __future__ import annotations

import csv
import json
from collections.abc import Sequence
from dataclasses import dataclass, field
from itertools import product
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

from personagraph.attribute_schema import FIELD_KINDS
from personagraph.errors import ConfigError, MissingFileError
from personagraph.sampling import strategies

if TYPE_CHECKING:
    from personagraph.sampling.coverage import VectorRows

Cell = tuple[str, ...]
WEIGHT_COLUMNS = ("share", "proportion", "weight", "percent", "count", "n")
CELL_ATTRIBUTES = tuple(name for name, kind in FIELD_KINDS.items() if kind == "str")


@dataclass
class Target:
    """Target shares over ``attributes``: joint ``cells`` (summing to 1), and the ``marginals`` when
    the file gave marginals (the cells are then filled in by ``rake``)."""

    attributes: tuple[str, ...]
    cells: dict[Cell, float] = field(default_factory=dict)
    marginals: dict[str, dict[str, float]] = field(default_factory=dict)
    source: str = ""

    @property
    def kind(self) -> str:
        return "marginals" if self.marginals else "cells"


def _check_attribute(name: str, where: str) -> str:
    name = name.strip()
    if name not in CELL_ATTRIBUTES:
        raise ConfigError(
            f"{where}: {name!r} is not a categorical attribute",
            hint=f"use one of {', '.join(CELL_ATTRIBUTES)} (age: use age_band)",
            param="target",
        )
    return name


def _weight(raw: Any, where: str) -> float:
    try:
        value = float(str(raw).strip().rstrip("%"))
    except ValueError:
        raise ConfigError(f"{where}: weight {raw!r} is not a number", param="target") from None
    if not np.isfinite(value) or value < 0:
        raise ConfigError(f"{where}: weight {raw!r} must be 0 or more", param="target")
    return value


def _normalised(weights: dict[Any, float], where: str) -> dict[Any, float]:
    total = sum(weights.values())
    if total <= 0:
        raise ConfigError(f"{where}: the weights add up to 0", param="target")
    return {key: value / total for key, value in weights.items()}


def target_from_rows(rows: Sequence[dict[str, Any]], source: str = "target", first_line: int = 2) -> Target:
    """A target from table rows: ``attribute, value, share`` rows are marginals; rows with one column per
    attribute and a weight column (share, proportion, weight, percent, count or n) are joint cells."""
    if not rows:
        raise ConfigError(f"{source}: no rows", param="target")
    columns = [c.strip() for c in rows[0]]
    weight = next((c for c in WEIGHT_COLUMNS if c in columns), None)
    if weight is None:
        raise ConfigError(
            f"{source}: no weight column", hint=f"name one of {', '.join(WEIGHT_COLUMNS)}", param="target"
        )
    if "attribute" in columns and "value" in columns:
        marginals: dict[str, dict[str, float]] = {}
        for number, row in enumerate(rows, first_line):
            where = f"{source}:{number}"
            name = _check_attribute(str(row.get("attribute", "")), where)
            value = str(row.get("value", "")).strip()
            if not value:
                raise ConfigError(f"{where}: empty value", param="target")
            marginals.setdefault(name, {})[value] = marginals.get(name, {}).get(value, 0.0) + _weight(
                row[weight], where
            )
        return Target(
            tuple(marginals),
            marginals={k: _normalised(v, f"{source} ({k})") for k, v in marginals.items()},
            source=source,
        )
    attributes = tuple(_check_attribute(c, source) for c in columns if c != weight)
    if not attributes:
        raise ConfigError(f"{source}: no attribute columns beside {weight!r}", param="target")
    cells: dict[Cell, float] = {}
    for number, row in enumerate(rows, first_line):
        where = f"{source}:{number}"
        key = tuple(str(row.get(a, "")).strip() for a in attributes)
        if not all(key):
            raise ConfigError(f"{where}: every attribute needs a value", param="target")
        cells[key] = cells.get(key, 0.0) + _weight(row.get(weight), where)
    return Target(attributes, cells=_normalised(cells, source), source=source)


def read_target(path: str | Path) -> Target:
    """A target from a CSV file (rows as ``target_from_rows``) or a JSON file: a list of such rows,
    ``{"cells": [rows]}`` or ``{"marginals": {attribute: {value: share}}}``."""
    path = Path(path)
    if not path.is_file():
        raise MissingFileError(f"{path}: no such target file", param="target")
    text = path.read_text(encoding="utf-8")
    if path.suffix.lower() == ".json":
        try:
            data = json.loads(text)
        except json.JSONDecodeError as exc:
            raise ConfigError(f"{path}:{exc.lineno}: invalid JSON ({exc.msg})", param="target") from exc
        if isinstance(data, dict) and isinstance(data.get("marginals"), dict):
            rows = [
                {"attribute": a, "value": v, "share": s}
                for a, values in data["marginals"].items()
                for v, s in (values or {}).items()
            ]
            return target_from_rows(rows, str(path), first_line=1)
        listed = data.get("cells") if isinstance(data, dict) else data
        if not isinstance(listed, list) or not all(isinstance(r, dict) for r in listed):
            raise ConfigError(
                f"{path}: expected a list of cells, {{'cells': [...]}} or {{'marginals': {{...}}}}", param="target"
            )
        return target_from_rows(listed, str(path), first_line=1)
    return target_from_rows(list(csv.DictReader(text.splitlines())), str(path))


def rake(
    seed: dict[Cell, float], marginals: dict[str, dict[str, float]], iterations: int = 200, tolerance: float = 1e-10
) -> dict[Cell, float]:
    """Joint shares over the product of the marginals' values that match every marginal (IPF), as
    close to ``seed`` (the candidates' joint counts) as raking gets. Cells the seed lacks stay at 0;
    a marginal value no seed cell carries cannot be reached (``target_report`` names it)."""
    names = list(marginals)
    cells = list(product(*(list(marginals[n]) for n in names)))
    weights = np.array([seed.get(c, 0.0) for c in cells], dtype=np.float64)
    if weights.sum() <= 0:
        return {c: float(np.prod([marginals[n][v] for n, v in zip(names, c, strict=True)])) for c in cells}
    index = [np.array([c[i] for c in cells]) for i in range(len(names))]
    for _ in range(iterations):
        worst = 0.0
        for i, name in enumerate(names):
            total = weights.sum()
            for value, share in marginals[name].items():
                mask = index[i] == value
                have = weights[mask].sum() / total if total else 0.0
                if have > 0:
                    weights[mask] *= share / have
                    worst = max(worst, abs(have - share))
        if worst < tolerance:
            break
    weights /= weights.sum()
    return {c: float(w) for c, w in zip(cells, weights, strict=True)}


def unreachable(target: Target, counts: dict[Cell, float]) -> list[dict[str, Any]]:
    """Marginal values with a target share that no candidate holds (raking cannot reach them)."""
    out = []
    for i, name in enumerate(target.attributes):
        held = {cell[i] for cell, count in counts.items() if count > 0}
        for value, share in target.marginals.get(name, {}).items():
            if share > 0 and value not in held:
                out.append({"attribute": name, "value": value, "target": round(share, 6)})
    return out


def cell_index(values: Sequence[Sequence[Any]], cells: Sequence[Cell]) -> np.ndarray:
    """For each candidate (its values of the target's attributes), the index of its cell, -1 for none."""
    where = {c: i for i, c in enumerate(cells)}
    return np.array([where.get(tuple("" if v is None else str(v) for v in row), -1) for row in values], dtype=np.int64)


def joint_shares(target: Target, counts: dict[Cell, float]) -> dict[Cell, float]:
    """The target's joint cell shares (raked from the marginals onto ``counts`` when it gave marginals)."""
    return rake(counts, target.marginals) if target.marginals else dict(target.cells)


def cell_quotas(shares: np.ndarray, capacity: np.ndarray, n: int) -> np.ndarray:
    """Exact quotas per cell for a batch of ``n``: largest remainder on ``n × share``, never above a
    cell's capacity; what a full cell cannot take goes to the others by their share."""
    return strategies.apportion(np.asarray(shares, dtype=np.float64), int(n), np.asarray(capacity, dtype=np.int64))


def select_target(
    cells: np.ndarray,
    quotas: np.ndarray,
    *,
    vectors: VectorRows | None = None,
    strata: np.ndarray | None = None,
    uses: np.ndarray | None = None,
    allocation: str = "sqrt",
    seed: int | None = 0,
) -> np.ndarray:
    """Fill each cell's quota from its candidates (``cells[i]`` is row i's cell): k-center on ``vectors``
    within ``strata`` when given, else a stratified (or random) draw; least used first in both."""
    chosen: list[np.ndarray] = []
    count = len(cells)
    u = np.zeros(count, dtype=np.int64) if uses is None else np.asarray(uses, dtype=np.int64)
    for cell in np.flatnonzero(quotas > 0):
        rows = np.flatnonzero(cells == cell)
        quota = int(min(quotas[cell], len(rows)))
        local_strata = np.zeros(len(rows), dtype=np.int64) if strata is None else np.asarray(strata)[rows]
        if vectors is not None:
            local = strategies.select_kcenter(vectors[rows], local_strata, quota, u[rows], allocation, seed)
        elif strata is not None:
            local = strategies.select_stratified(local_strata, quota, u[rows], allocation, seed)
        else:
            local = strategies.select_random(len(rows), quota, u[rows], seed)
        chosen.append(rows[local])
    return np.sort(np.concatenate(chosen)) if chosen else np.zeros(0, dtype=np.int64)


def tvd(chosen_cells: np.ndarray, shares: np.ndarray) -> float:
    """Total variation distance between the batch's cell shares and ``shares`` (rows outside every
    cell, index -1, count as mass the target does not have)."""
    total = len(chosen_cells)
    if total == 0:
        return 1.0
    inside = chosen_cells[chosen_cells >= 0]
    achieved = np.bincount(inside, minlength=len(shares)) / total
    outside = (total - len(inside)) / total
    return float(0.5 * (np.abs(achieved - shares).sum() + outside))


def marginal_tvd(chosen_values: Sequence[Sequence[Any]], target: Target) -> dict[str, float]:
    """TVD of each marginal the target gave (its cells' marginals when it gave cells)."""
    out: dict[str, float] = {}
    total = len(chosen_values)
    for i, name in enumerate(target.attributes):
        if target.marginals:
            want = target.marginals[name]
        else:
            want = {}
            for cell, share in target.cells.items():
                want[cell[i]] = want.get(cell[i], 0.0) + share
        got: dict[str, float] = {}
        for row in chosen_values:
            key = "" if row[i] is None else str(row[i])
            got[key] = got.get(key, 0.0) + 1.0 / max(total, 1)
        keys = set(want) | set(got)
        out[name] = round(0.5 * sum(abs(want.get(k, 0.0) - got.get(k, 0.0)) for k in keys), 6)
    return out


def target_report(
    target: Target,
    cells: Sequence[Cell],
    shares: np.ndarray,
    quotas: np.ndarray,
    capacity: np.ndarray,
    chosen_cells: np.ndarray,
    n: int,
    baseline_cells: np.ndarray | None = None,
) -> dict[str, Any]:
    """Achieved against target per cell, the TVD (and a random batch's), and the cells that cannot be filled."""
    achieved = np.bincount(chosen_cells[chosen_cells >= 0], minlength=len(cells))
    size = max(len(chosen_cells), 1)
    rows = []
    short = []
    for i, cell in enumerate(cells):
        want = float(shares[i]) * n
        label = dict(zip(target.attributes, cell, strict=True))
        if shares[i] > 0 or achieved[i]:
            rows.append(
                {
                    **label,
                    "target": round(float(shares[i]), 6),
                    "target_n": round(want, 2),
                    "quota": int(quotas[i]),
                    "candidates": int(capacity[i]),
                    "achieved": int(achieved[i]),
                    "achieved_share": round(float(achieved[i]) / size, 6),
                }
            )
        if capacity[i] < round(want):
            short.append({**label, "target_n": round(want, 2), "candidates": int(capacity[i])})
    report: dict[str, Any] = {
        "attributes": list(target.attributes),
        "kind": target.kind,
        "source": target.source,
        "tvd": round(tvd(chosen_cells, np.asarray(shares)), 6),
        "cells": rows,
        "unfillable": short,
    }
    if baseline_cells is not None:
        report["tvd_random"] = round(tvd(baseline_cells, np.asarray(shares)), 6)
    return report
