"""Write examples/texts.jsonl from the hand-written texts in examples/texts/*.txt.

One line per file, {"text": ..., "source": "examples/texts/<file>"}, sorted by file name, so that
`personagraph import --kind texts examples/texts.jsonl` loads the same texts the demo reads.

    python examples/make_texts_jsonl.py
"""

from __future__ import annotations

import json
from pathlib import Path

HERE = Path(__file__).resolve().parent


def write(folder: Path = HERE / "texts", out: Path = HERE / "texts.jsonl") -> int:
    files = sorted(folder.glob("*.txt"))
    tmp = out.with_suffix(".jsonl.tmp")
    with tmp.open("w", encoding="utf-8") as handle:
        for path in files:
            record = {"text": path.read_text(encoding="utf-8").strip(), "source": f"examples/texts/{path.name}"}
            handle.write(json.dumps(record, ensure_ascii=False) + "\n")
    tmp.replace(out)
    return len(files)


if __name__ == "__main__":
    print(f"wrote {write()} texts")
