"""Helpers shared by the dedup and embedding tests (models load once per process)."""

from __future__ import annotations

import os
from pathlib import Path

from personagraph.config import Settings


def machine_models_dir() -> Path:
    """Where the distilled static model is kept between test sessions (it takes a minute to make)."""
    root = os.environ.get("PERSONAGRAPH_TEST_MODELS") or str(Path.home() / ".cache" / "personagraph" / "models")
    return Path(root)


def settings_with_cache(cache_dir: Path, store: str = "personagraph-store") -> Settings:
    """Settings whose cache folder is ``cache_dir``, sharing the machine's distilled models."""
    cache_dir.mkdir(parents=True, exist_ok=True)
    models = cache_dir / "models"
    if not models.exists():
        target = machine_models_dir()
        target.mkdir(parents=True, exist_ok=True)
        models.symlink_to(target, target_is_directory=True)
    return Settings(store=store, cache_dir=str(cache_dir))
