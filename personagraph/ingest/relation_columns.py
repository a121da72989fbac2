"""Relation lines read a block at a time as columns, for the batch API of the embedded store.

``records.relation_row`` reads a line in ~4 µs of Python; on a 2-core machine that thread's CPU is
taken from the engine it feeds. The usual relations file (``src``, ``dst``, ``type``, a few string
properties, persona ids at both ends) is parsed here with pyarrow's JSON reader and checked with
whole-column operations: ~1 µs a line. A block is taken this way only when the result is certain to
be what ``relation_row`` makes of each line; anything else in it (a blank line, a persona text at an
end, a number property, an unknown type, a self-loop, two rows with the same ends and type)
returns None and the block is read line by line, which
gives the same rows, or the same error with its line number.
"""

from __future__ import annotations

import io
from collections.abc import Callable
from typing import Any

from personagraph.ids import persona_codes
from personagraph.ingest.records import IMPORT_RUN, RELATION_KEYS, property_key
from personagraph.store.bulk import EdgeColumns, TypeColumns
from personagraph.vocabulary import Reading


def relation_columns(
    data: bytes, lines: int, read: Callable[[str], Reading | None], self_loops: bool = False
) -> EdgeColumns | None:
    """The relation rows of ``data`` (``lines`` JSON lines), or None when the block must be read line
    by line. ``read``: the vocabulary's reading of a type name, as ``relation_row`` takes it."""
    import numpy as np
    import pyarrow as pa
    import pyarrow.compute as pc
    import pyarrow.json as pj

    # Every line starts with "{": no blank line (the line-by-line reader skips one, so a block with
    # one could hold a line of two objects, which pyarrow reads as two rows, and still have as many
    # rows as lines). One pass over the bytes, where a regex took 2.4 µs a line.
    if not lines or not data.startswith(b"{") or data.count(b"\n{") != lines - 1:
        return None
    try:
        options = pj.ReadOptions(use_threads=False, block_size=len(data) + 1)
        table = pj.read_json(io.BytesIO(data), read_options=options)
    except (pa.ArrowInvalid, pa.ArrowNotImplementedError):
        return None
    if table.num_rows != lines or not set(table.column_names) >= RELATION_KEYS:
        return None
    columns = {}
    for name in table.column_names:
        column = table.column(name).combine_chunks()
        if column.type != pa.string() or column.null_count:  # numbers, dates, lists, a key some lines lack
            return None
        try:
            column.validate(full=True)  # pyarrow's reader lets bytes that are not UTF-8 through
        except pa.ArrowInvalid:
            return None
        columns[name] = column
    props = [name for name in columns if name not in RELATION_KEYS]
    for name in props:
        try:
            if property_key(name) in ("_src", "_dst"):
                return None
        except ValueError:
            return None
    src_codes, src_ok = persona_codes(columns["src"])
    dst_codes, dst_ok = persona_codes(columns["dst"])
    if not (src_ok.all() and dst_ok.all()) or (not self_loops and (src_codes == dst_codes).any()):
        return None
    types = columns["type"].dictionary_encode()
    named = [read(name) if name.strip() else None for name in types.dictionary.to_pylist()]
    readings = [reading for reading in named if reading is not None]
    if len(readings) < len(named):
        return None
    which = types.indices.to_numpy()
    flipped = np.array([reading.reversed for reading in readings], dtype=np.bool_)[which]
    src, dst = columns["src"], columns["dst"]
    if flipped.any():
        mask = pa.array(flipped)
        src, dst = pc.if_else(mask, dst, src), pc.if_else(mask, src, dst)
        src_codes, dst_codes = np.where(flipped, dst_codes, src_codes), np.where(flipped, src_codes, dst_codes)
    stored = list(dict.fromkeys(reading.type for reading in readings))
    row_types = np.array([stored.index(reading.type) for reading in readings], dtype=np.int64)[which]
    by_type: dict[str, TypeColumns] = {}
    for number, rel_type in enumerate(stored):
        rows = np.flatnonzero(row_types == number) if len(stored) > 1 else np.arange(lines)
        if len(rows) < lines:
            take = pa.array(rows)
            part = TypeColumns(
                src.take(take),
                dst.take(take),
                src_codes[rows],
                dst_codes[rows],
                {name: columns[name].take(take) for name in props},
            )
        else:
            part = TypeColumns(src, dst, src_codes, dst_codes, {name: columns[name] for name in props})
        if _repeats(part.src_codes, part.dst_codes):
            return None  # folded with their counts by the line-by-line path
        part.props.setdefault("run", IMPORT_RUN)
        by_type[rel_type] = part
    return EdgeColumns(rows=lines, by_type=by_type)


def _repeats(src: Any, dst: Any) -> bool:
    """Whether two rows have the same (src, dst). A sort of one 64-bit mix of the two first (a
    sort of (src, dst) records cost ~1 µs a row); only when two mixes are equal, the exact check."""
    import numpy as np

    if len(src) < 2:
        return False
    with np.errstate(over="ignore"):
        mixed = np.sort(src * np.uint64(0x9E3779B97F4A7C15) ^ dst)
    if not (mixed[1:] == mixed[:-1]).any():
        return False
    order = np.lexsort((dst, src))
    s, d = src[order], dst[order]
    return bool(((s[1:] == s[:-1]) & (d[1:] == d[:-1])).any())
