"""Move sampling data between the store and arrays: candidates, embeddings, relation pairs."""

from __future__ import annotations

from array import array
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import numpy as np

from personagraph import queries
from personagraph.errors import ConfigError
from personagraph.sampling.carver import WHERE_FIELDS, Carver
from personagraph.sampling.coverage import TypeSets
from personagraph.store.graph import sorted_columns

if TYPE_CHECKING:
    from personagraph.embeddings.embeddings import Embeddings
    from personagraph.store import GraphStore

PATTERN_SLOT = "__PATTERN__"
Progress = Callable[[int], None]


@dataclass
class CandidateSet:
    """The personas a batch may use, one row each, sorted by id. Missing cluster/community is -1.

    Columns are numpy arrays but for ``ids`` and ``origins`` (lists of str; origins share one str
    object per distinct value) and ``rels`` (the relation types at each row, as codes: ``TypeSets``).
    At 10M candidates the set is ~1.5 GB; as one dict per row, as read, it was ~13 GB.
    """

    ids: list[str]
    hops: np.ndarray
    origins: list[str]
    clusters: np.ndarray
    communities: np.ndarray
    uses: np.ndarray
    degrees: np.ndarray
    rels: TypeSets
    # Values of the attributes asked for (``fetch_candidates(attributes=...)``), one list per name, None where unknown.
    attributes: dict[str, list[Any]] = field(default_factory=dict)

    def __len__(self) -> int:
        return len(self.ids)

    def position(self) -> dict[str, int]:
        return {pid: i for i, pid in enumerate(self.ids)}

    @property
    def clustered(self) -> bool:
        return bool(len(self.ids)) and bool((self.clusters >= 0).all())


def _ints(values: Any, n: int, missing: int) -> np.ndarray:
    """An int64 column from a list or array that may hold None or NaN (``missing`` there)."""
    if values is None:
        return np.full(n, missing, dtype=np.int64)
    floats = np.asarray(
        [missing if v is None else v for v in values] if isinstance(values, list) else values, dtype=np.float64
    )
    return np.where(np.isnan(floats), missing, floats).astype(np.int64)


class CandidateColumns:
    """The candidate columns, filled page by page: no page's rows outlive it."""

    def __init__(self, attributes: Sequence[str]) -> None:
        self.attribute_names = list(attributes)
        self.ids: list[str] = []
        self.origins: list[str] = []
        self.numbers = {name: array("q") for name in ("hop", "cluster", "community", "uses", "degree")}
        self.type_codes: dict[str, int] = {}
        self.codes = array("H")
        self.offsets = array("q", [0])
        self.attributes: dict[str, list[Any]] = {name: [] for name in attributes}
        self._origin_names: dict[str, str] = {}

    def add(self, columns: dict[str, Any]) -> None:
        """One page as columns (``GraphStore.run_columns``), in any order: numbers may come as
        arrays or lists, with None (or NaN) where a persona has no value."""
        columns = sorted_columns(columns, "id")
        ids = [str(i) for i in columns.get("id", [])]
        self.ids.extend(ids)
        for name, missing in (("hop", -1), ("cluster", -1), ("community", -1), ("uses", 0), ("degree", -1)):
            self.numbers[name].extend(_ints(columns.get(name), len(ids), missing).tolist())
        for origin in columns.get("origin") or [None] * len(ids):
            origin = str(origin or "")
            self.origins.append(self._origin_names.setdefault(origin, origin))
        for rels in columns.get("rels") or [None] * len(ids):
            types = {self.type_codes.setdefault(t, len(self.type_codes)) for t in rels or []}
            self.codes.extend(sorted(types))
            self.offsets.append(len(self.codes))
        if self.attribute_names:
            blank = [None] * len(self.attribute_names)
            for values in columns.get("attrs") or [None] * len(ids):
                for i, name in enumerate(self.attribute_names):
                    self.attributes[name].append((values or blank)[i])

    def candidates(self) -> CandidateSet:
        def column(name: str) -> np.ndarray:
            return np.frombuffer(self.numbers[name], dtype=np.int64).copy() if self.numbers[name] else _EMPTY.copy()

        return CandidateSet(
            ids=self.ids,
            hops=column("hop"),
            origins=self.origins,
            clusters=column("cluster"),
            communities=column("community"),
            uses=column("uses"),
            degrees=column("degree"),
            rels=TypeSets(
                list(self.type_codes),
                np.frombuffer(self.offsets, dtype=np.int64).copy(),
                np.frombuffer(self.codes, dtype=np.uint16).copy() if self.codes else np.zeros(0, dtype=np.uint16),
            ),
            attributes=self.attributes,
        )


_EMPTY = np.zeros(0, dtype=np.int64)


def fetch_candidates(
    store: GraphStore,
    carver: Carver | None = None,
    page: int = 20000,
    progress: Progress | None = None,
    attributes: Sequence[str] = (),
) -> CandidateSet:
    """Every persona that passes the carver, page by page, with the values of ``attributes`` (names
    checked against the carver's fields) when asked.

    Each page is a keyset page of ids on the id index with the carver's property filters
    (``candidate_ids``), then the facets, the pattern and the field conditions of the personas in
    that page's id range under the same filters (``candidates``): a page costs its own size wherever
    it starts.
    """
    carver = carver or Carver()
    unknown = [a for a in attributes if a not in WHERE_FIELDS]
    if unknown:
        raise ConfigError(f"unknown attribute {unknown[0]!r}", hint=f"attributes: {', '.join(WHERE_FIELDS)}")
    params = carver.params()
    filters = {key: params[key] for key in ("origins", "clusters", "text")}
    params["attrs"] = list(attributes)
    if carver.match:
        query = queries.load("sampling/candidates_match")
        # The pattern was rebuilt by the carver's parser from checked tokens; store.cypher also
        # refuses any write clause, as a second guard.
        text = query.text.replace(PATTERN_SLOT, carver.match)

        def facets(ids: list[str]) -> dict[str, Any]:
            rows = store.cypher(
                text, {**params, "first": ids[0], "last": ids[-1]}, name="sampling/candidates_match.cypher"
            )
            wanted = set(ids)  # as range_columns: the page's own personas only
            rows = [row for row in rows if row["id"] in wanted]
            return {key: [row[key] for row in rows] for key in (rows[0] if rows else {})}
    else:

        def facets(ids: list[str]) -> dict[str, Any]:
            return store.range_columns("sampling/candidates", ids, "id", **params)

    columns = CandidateColumns(attributes)
    for ids in store.id_pages("sampling/candidate_ids", page, **filters):
        columns.add(facets(ids))
        if progress:
            progress(len(ids))
    return columns.candidates()


Vectors = tuple[Sequence[str], np.ndarray]


def align_vectors(ids: Sequence[str], source: Vectors) -> np.ndarray:
    """Rows of ``source`` (ids, matrix) in the order of ``ids``; every id must be there."""
    where = {pid: i for i, pid in enumerate(source[0])}
    missing = [pid for pid in ids if pid not in where]
    if missing:
        raise ConfigError(
            f"{len(missing)} personas have no embedding (e.g. {missing[0]})",
            hint="run `personagraph embed` (or cluster) again after adding personas",
        )
    matrix = np.asarray(source[1], dtype=np.float32)
    return np.ascontiguousarray(matrix[[where[pid] for pid in ids]])


def load_vectors(embeddings: Embeddings, ids: Sequence[str], progress: Progress | None = None) -> np.ndarray:
    """Embeddings of ``ids`` (L2-normalised float32, in that order), computed and kept by
    ``embeddings`` where missing."""
    got_ids, matrix = embeddings.vectors(list(ids), progress=progress)
    return align_vectors(ids, (got_ids, matrix))


def relation_pairs(store: GraphStore, rel_type: str, candidates: CandidateSet) -> np.ndarray:
    """Pairs (candidate row of src, of dst) joined by ``rel_type``, both ends among the candidates."""
    where = candidates.position()
    pairs = [
        (where[r["src"]], where[r["dst"]])
        for r in store.run("sampling/relation_pairs", rel_type=rel_type)
        if r["src"] in where and r["dst"] in where
    ]
    return np.array(pairs, dtype=np.int64).reshape(-1, 2)


def persona_texts(store: GraphStore, ids: Sequence[str], chunk: int = 5000) -> dict[str, str]:
    """Text of each persona id."""
    out: dict[str, str] = {}
    ids = list(ids)
    for start in range(0, len(ids), chunk):
        for row in store.run("persona_texts", ids=ids[start : start + chunk]):
            out[row["id"]] = row["text"]
    return out
