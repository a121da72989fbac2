"""Where the example world and texts are: the checkout's ``examples/`` folder."""

from __future__ import annotations

import os
from pathlib import Path

from personagraph.errors import ConfigError

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"


def examples_dir() -> Path:
    """The checkout's ``examples/``, else ``$PERSONAGRAPH_EXAMPLES``, else ``./examples``."""
    for candidate in (EXAMPLES, Path(os.environ.get("PERSONAGRAPH_EXAMPLES", "")), Path.cwd() / "examples"):
        if str(candidate) and (candidate / "world" / "personas.jsonl").is_file():
            return candidate
    raise ConfigError(
        "the examples/ folder is not available", hint="run the demo from a checkout, or set PERSONAGRAPH_EXAMPLES"
    )
