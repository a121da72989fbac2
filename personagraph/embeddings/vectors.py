"""Persona embeddings kept beside the graph: append-only parts of ``.npy`` files keyed by persona id.

Layout of one cache folder (one per store, database and embedder)::

    meta.json                    {"embedder", "model", "dim", "fingerprint", "format"}
    part-000001.vectors.npy      float32 (n, dim), L2-normalised rows
    part-000001.ids.npy          bytes (n,), utf-8 persona ids

A part is written to temporary names and renamed (ids last), so a crash leaves either a whole
part or none. New embeddings are a new part (cheap for the insert-time resolver); parts are
compacted into one once there are many. A cache whose ``meta.json`` names another model (or a
re-distilled one, by fingerprint) is emptied, since its vectors would not compare.
"""

from __future__ import annotations

import json
import mmap
import os
import re
import shutil
import tempfile
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np

FORMAT = 1
MAX_PARTS = 16
COMPACT_ROWS = 65_536  # vectors copied at once by compact(): 64 MB at 256-d
_PART = re.compile(r"^part-(\d{6})\.ids\.npy$")


def encode_ids(ids: Sequence[str]) -> np.ndarray:
    """Persona ids as a fixed-width bytes array (compact, sortable, searchable)."""
    if len(ids) == 0:
        return np.zeros(0, dtype="S1")
    return np.array([i.encode("utf-8") for i in ids])


def release_pages(array: np.ndarray) -> None:
    """Drop a read-only memory map's pages from this process (they stay in the page cache).

    Pages read through a map count in the process's resident memory until the kernel needs them
    back: reading every vector of a 10M cache through its maps would show as 10 GB of RSS.
    """
    handle = getattr(array, "_mmap", None)
    if handle is not None and hasattr(mmap, "MADV_DONTNEED"):
        handle.madvise(mmap.MADV_DONTNEED)


def _atomic_save(path: Path, array: np.ndarray) -> None:
    fd, tmp = tempfile.mkstemp(prefix=path.name + ".", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "wb") as handle:
            np.save(handle, array, allow_pickle=False)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


class EmbeddingCache:
    """The embeddings of one embedder for one graph, on disk."""

    def __init__(self, folder: str | os.PathLike[str], meta: dict[str, Any]) -> None:
        self.folder = Path(folder)
        self.meta = {**meta, "format": FORMAT}
        self.dim = int(meta["dim"])
        self.folder.mkdir(parents=True, exist_ok=True)
        self._check_meta()
        self._index: tuple[np.ndarray, np.ndarray, np.ndarray, list[np.ndarray]] | None = None

    # -- files ----------------------------------------------------------------------------
    def _check_meta(self) -> None:
        path = self.folder / "meta.json"
        try:
            stored = json.loads(path.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            stored = None
        if stored != self.meta:
            # Vectors of another model (or none yet): start empty under the new meta.
            for part in self.folder.glob("part-*"):
                part.unlink(missing_ok=True)
            tmp = path.with_suffix(".json.tmp")
            tmp.write_text(json.dumps(self.meta, indent=2, sort_keys=True), encoding="utf-8")
            os.replace(tmp, path)

    def _parts(self) -> list[int]:
        numbers = []
        for path in self.folder.iterdir():
            match = _PART.match(path.name)
            if match and (self.folder / f"part-{match.group(1)}.vectors.npy").exists():
                numbers.append(int(match.group(1)))
        return sorted(numbers)

    def _write_part(self, number: int, ids: np.ndarray, vectors: np.ndarray) -> None:
        _atomic_save(self.folder / f"part-{number:06d}.vectors.npy", np.ascontiguousarray(vectors, dtype=np.float32))
        _atomic_save(self.folder / f"part-{number:06d}.ids.npy", ids)

    # -- index ----------------------------------------------------------------------------
    def _load_index(self) -> tuple[np.ndarray, np.ndarray, np.ndarray, list[np.ndarray]]:
        """(sorted ids, part slot of each, row within the part, memory-mapped vectors per part)."""
        if self._index is None:
            ids_list, slot_list, row_list, vectors = [], [], [], []
            for slot, number in enumerate(self._parts()):
                part_ids = np.load(self.folder / f"part-{number:06d}.ids.npy", allow_pickle=False)
                vectors.append(np.load(self.folder / f"part-{number:06d}.vectors.npy", mmap_mode="r"))
                ids_list.append(part_ids)
                slot_list.append(np.full(len(part_ids), slot, dtype=np.int32))
                row_list.append(np.arange(len(part_ids), dtype=np.int64))
            if ids_list:
                all_ids = np.concatenate(ids_list)
                order = np.argsort(all_ids, kind="stable")
                self._index = (
                    all_ids[order],
                    np.concatenate(slot_list)[order],
                    np.concatenate(row_list)[order],
                    vectors,
                )
            else:
                self._index = (np.zeros(0, dtype="S1"), np.zeros(0, np.int32), np.zeros(0, np.int64), [])
        return self._index

    def __len__(self) -> int:
        return len(self._load_index()[0])

    def find(self, ids: Sequence[str]) -> np.ndarray:
        """Boolean mask: which of ``ids`` have a stored embedding."""
        sorted_ids, _, _, _ = self._load_index()
        if not len(ids) or not len(sorted_ids):
            return np.zeros(len(ids), dtype=bool)
        keys = encode_ids(ids)
        pos = np.clip(np.searchsorted(sorted_ids, keys), 0, len(sorted_ids) - 1)
        return np.asarray(sorted_ids[pos] == keys)

    def get(self, ids: Sequence[str]) -> np.ndarray:
        """The stored vectors of ``ids`` (all must be present; see ``find``), in that order."""
        sorted_ids, _, _, _ = self._load_index()
        if not len(ids):
            return np.empty((0, self.dim), dtype=np.float32)
        keys = encode_ids(ids)
        pos = np.searchsorted(sorted_ids, keys)
        if np.any(pos >= len(sorted_ids)) or np.any(sorted_ids[np.minimum(pos, len(sorted_ids) - 1)] != keys):
            raise KeyError("some ids have no stored embedding")
        return self._gather(pos)

    def _gather(self, pos: np.ndarray) -> np.ndarray:
        """Vectors at positions ``pos`` of the sorted index, read from the parts' memory maps."""
        _, slots, rows, vectors = self._load_index()
        out = np.empty((len(pos), self.dim), dtype=np.float32)
        for slot, part in enumerate(vectors):
            mask = slots[pos] == slot
            if mask.any():
                wanted = rows[pos[mask]]
                # Sorted row order reads the memory map sequentially.
                order = np.argsort(wanted)
                block = np.asarray(part[wanted[order]])
                target = np.flatnonzero(mask)[order]
                out[target] = block
                release_pages(part)
        return out

    def add(self, ids: Sequence[str], vectors: np.ndarray) -> None:
        """Keep these embeddings (a new part, written atomically); compacts when parts pile up."""
        if len(ids) != len(vectors):
            raise ValueError("ids and vectors differ in length")
        if not len(ids):
            return
        if vectors.shape[1] != self.dim:
            raise ValueError(f"vectors have {vectors.shape[1]} dimensions, the cache holds {self.dim}")
        parts = self._parts()
        self._write_part((parts[-1] + 1) if parts else 1, encode_ids(ids), vectors)
        self._index = None
        if len(parts) + 1 > MAX_PARTS:
            self.compact()

    def compact(self) -> None:
        """Rewrite all parts as one, without repeated ids (the first part's vector of a repeated id
        wins), sorted by id.

        Streamed: the vectors go from the parts' memory maps to the new file ``COMPACT_ROWS`` at a
        time, so memory holds the id index (~30 bytes a persona: 0.3 GB at 10M) and one chunk,
        never the vectors (1 KB a persona at 256-d: loading them took 10 GB at 10M).
        """
        parts = self._parts()
        if len(parts) <= 1:
            return
        sorted_ids, _, _, _ = self._load_index()
        first = np.ones(len(sorted_ids), dtype=bool)
        first[1:] = sorted_ids[1:] != sorted_ids[:-1]
        keep = np.flatnonzero(first)
        number = parts[-1] + 1
        path = self.folder / f"part-{number:06d}.vectors.npy"
        fd, tmp = tempfile.mkstemp(prefix=path.name + ".", suffix=".tmp", dir=self.folder)
        try:
            with os.fdopen(fd, "wb") as handle:
                # Plain writes, not a writable memory map: a map's dirty pages count in the
                # process's resident memory until written back (the whole file, at worst).
                header = {"descr": np.lib.format.dtype_to_descr(np.dtype(np.float32)), "fortran_order": False}
                np.lib.format.write_array_header_2_0(handle, {**header, "shape": (len(keep), self.dim)})
                for start in range(0, len(keep), COMPACT_ROWS):
                    handle.write(np.ascontiguousarray(self._gather(keep[start : start + COMPACT_ROWS])).tobytes())
            os.replace(tmp, path)
        except BaseException:
            Path(tmp).unlink(missing_ok=True)
            raise
        _atomic_save(self.folder / f"part-{number:06d}.ids.npy", sorted_ids[keep])
        self._index = None
        for old in parts:
            (self.folder / f"part-{old:06d}.ids.npy").unlink(missing_ok=True)
            (self.folder / f"part-{old:06d}.vectors.npy").unlink(missing_ok=True)

    def clear(self) -> None:
        shutil.rmtree(self.folder, ignore_errors=True)
        self.folder.mkdir(parents=True, exist_ok=True)
        self._check_meta()
        self._index = None
