"""Every query file in cypher/ (explore/ included) opens with a description and a params line."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from personagraph import queries

CYPHER = queries.cypher_dir()
FILES = sorted(CYPHER.rglob("*.cypher"))


def _header(path: Path) -> list[str]:
    lines = []
    for line in path.read_text(encoding="utf-8").splitlines():
        if not line.strip():
            continue
        if not line.lstrip().startswith("//"):
            break
        lines.append(line.strip())
    return lines


def test_there_are_query_files() -> None:
    assert len(FILES) >= 20 and any(p.parent.name == "explore" for p in FILES)


@pytest.mark.parametrize("path", FILES, ids=lambda p: str(p.relative_to(CYPHER)))
def test_header_has_description_and_params(path: Path) -> None:
    header = _header(path)
    params = [line for line in header if re.match(r"^//\s*params:\s*\S", line)]
    assert len(params) == 1, f"{path.name}: needs exactly one '// params: ...' line (or '// params: none')"
    name = str(path.relative_to(CYPHER).with_suffix(""))
    query = queries.parse(name, path.read_text(encoding="utf-8"))
    assert len(query.description) >= 15, f"{path.name}: the header needs a description line"
    assert query.params and query.text.strip()
    body = "\n".join(line for line in query.text.splitlines() if not line.strip().startswith("//"))
    assert body.strip(), f"{path.name}: no query after the header"
