"""Helpers shared by the dedup and embedding tests (models load once per process)."""

from __future__ import annotations

import fcntl
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
    settings = Settings(store=store, cache_dir=str(cache_dir))
    _distill_once(settings)
    return settings


def _distill_once(settings: Settings) -> None:
    """Distil the shared static model under a lock when it is missing: pytest-xdist workers would
    otherwise each distil it and replace each other's folder while the other loads it."""
    from personagraph.embeddings.embedders import distill_static, static_model_dir

    if static_model_dir(settings).joinpath("model.safetensors").exists():
        return
    with (machine_models_dir() / ".distill.lock").open("w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)  # released when the file closes
        distill_static(settings)  # returns at once if another worker made it meanwhile
