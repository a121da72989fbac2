"""The candidates' embeddings in candidate order, on disk when they are many: ``candidate_vectors``.

Sampling needs a vector per candidate row, but kcenter reads only the rows of its pools (at most
``pool_factor`` × the batch) and the coverage report a seeded subset of ``max_exact`` rows plus the
chosen ones. Holding every candidate's vector as one float32 matrix costs 1 KB a persona at 256-d:
10 GB at 10M. Above ``IN_MEMORY_ROWS`` candidates the vectors are copied once, chunk by chunk from
the embedding cache, into an unnamed temporary file (float32, so the picks are the in-memory
path's, bit for bit), and read back by row through a memory map whose pages are dropped after each
read (``DiskRows``): resident memory holds what the strategy copied out, not the file.
"""

from __future__ import annotations

import tempfile
from collections.abc import Callable, Sequence
from typing import IO, TYPE_CHECKING, Any

import numpy as np

from personagraph.embeddings.vectors import release_pages
from personagraph.errors import ConfigError

if TYPE_CHECKING:
    from personagraph.embeddings.embeddings import Embeddings

IN_MEMORY_ROWS = 250_000  # 250 MB of float32 at 256-d: below this a plain matrix is simpler and as small
CHUNK_ROWS = 65_536  # ids looked up and vectors copied at once: 64 MB at 256-d
Progress = Callable[[int], None]


class DiskRows:
    """A read-only float32 matrix on disk, read by rows: ``rows[index]`` copies the rows out (any
    numpy index) and drops the map's pages, so reading every row once never holds the file in memory."""

    def __init__(self, matrix: np.memmap, handle: IO[bytes] | None = None) -> None:
        self.matrix = matrix
        self._handle = handle  # the unnamed file: closed (and gone) with this object
        self.shape: tuple[int, ...] = tuple(matrix.shape)
        self.dtype = matrix.dtype

    def __len__(self) -> int:
        return int(self.shape[0])

    def __getitem__(self, index: Any) -> np.ndarray:
        block = np.array(self.matrix[index])
        release_pages(self.matrix)
        return block

    def close(self) -> None:
        release_pages(self.matrix)
        if self._handle is not None:
            self._handle.close()
            self._handle = None


def _missing(embeddings: Embeddings, ids: Sequence[str]) -> list[str]:
    have = embeddings.cache.find(ids)
    return [pid for pid, ok in zip(ids, have.tolist(), strict=True) if not ok]


def candidate_vectors(
    embeddings: Embeddings,
    ids: Sequence[str],
    progress: Progress | None = None,
    in_memory_rows: int = IN_MEMORY_ROWS,
) -> np.ndarray | DiskRows:
    """Embeddings of ``ids`` (L2-normalised float32, in that order), computed and kept where missing:
    a matrix up to ``in_memory_rows`` ids, else ``DiskRows`` over a temporary file."""
    if len(ids) <= in_memory_rows:
        from personagraph.sampling.candidates import load_vectors

        return load_vectors(embeddings, ids, progress)
    # First the missing vectors, a chunk of ids at a time (each computed batch is kept in the cache).
    for start in range(0, len(ids), CHUNK_ROWS):
        lacking = _missing(embeddings, ids[start : start + CHUNK_ROWS])
        if lacking:
            embeddings.vectors(lacking, progress=progress)
            still = _missing(embeddings, lacking)
            if still:
                raise ConfigError(
                    f"{len(still)} personas have no embedding (e.g. {still[0]})",
                    hint="run `personagraph embed` (or cluster) again after adding personas",
                )
    cache = embeddings.cache
    # Unnamed (O_TMPFILE where the system has it): removed when closed, or when this process dies.
    handle = tempfile.TemporaryFile(dir=embeddings.folder, prefix="candidate-vectors-")  # noqa: SIM115 (DiskRows owns it)
    try:
        for start in range(0, len(ids), CHUNK_ROWS):
            # Plain writes: a writable map's dirty pages would count as this process's memory.
            handle.write(np.ascontiguousarray(cache.get(ids[start : start + CHUNK_ROWS]), dtype=np.float32).tobytes())
        handle.flush()
        matrix = np.memmap(handle, dtype=np.float32, mode="r", shape=(len(ids), cache.dim))
    except BaseException:
        handle.close()
        raise
    return DiskRows(matrix, handle)
