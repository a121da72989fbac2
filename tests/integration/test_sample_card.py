"""`export samples` to a folder: clean and flagged apart, filters on judge scores, and a dataset
card that the Hugging Face `datasets` folder loader accepts."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import yaml

from personagraph.config import Settings
from personagraph.errors import ConfigError
from personagraph.export.samples import write_samples
from personagraph.judge.run import judge
from personagraph.llm import LLMClient
from personagraph.store import GraphStore
from personagraph.synth.run import synthesize
from tests.integration.sampling_world import clustered_world
from tests.llm_fixtures import teach_judging, teach_math
from tests.llm_server import LLMTestServer


@pytest.fixture
def judged(embedded_store: GraphStore, llm_settings: Settings, llm_server: LLMTestServer) -> GraphStore:
    teach_math(llm_server)
    teach_judging(llm_server)
    _, vectors = clustered_world(embedded_store)
    chosen = {"vectors": vectors, "measure_diversity": False}
    synthesize(embedded_store, LLMClient.from_settings(llm_settings), task="math", size=12, solutions=1, **chosen)  # type: ignore[arg-type]
    synthesize(embedded_store, LLMClient.from_settings(llm_settings), task="rivals", size=3, **chosen)  # type: ignore[arg-type]
    judge(embedded_store, LLMClient.from_settings(llm_settings), "samples")
    return embedded_store


def _verified(store: GraphStore) -> dict[str, bool | None]:
    return {r["id"]: r["v"] for r in store.cypher("MATCH (s:Sample) RETURN s.id AS id, s.verified AS v")}


def test_folder_export_has_a_card_datasets_loads(judged: GraphStore, tmp_path: Path) -> None:
    import datasets

    flags = _verified(judged)
    flagged = {i for i, v in flags.items() if v is False}
    assert 0 < len(flagged) < 12
    folder = tmp_path / "dataset"
    result = write_samples(judged, folder)
    assert result.written == 15 - len(flagged) and result.flagged == len(flagged)
    assert (folder / "data" / "train.parquet").is_file() and (folder / "flagged" / "train.parquet").is_file()
    # A private cache: the folder loader's cache key is the folder's name and config, not its files.
    cache = str(tmp_path / "hf")
    clean = datasets.load_dataset(str(folder), split="train", cache_dir=cache)
    assert clean.num_rows == result.written and not flagged & set(clean["id"])
    apart = datasets.load_dataset(str(folder), "flagged", split="train", cache_dir=cache)
    assert set(apart["id"]) == flagged and all(r["verified"] is False and r["verify_reason"] for r in apart)
    text = (folder / "README.md").read_text(encoding="utf-8")
    meta = yaml.safe_load(text.split("---")[1])
    assert "license" in meta and meta["license"] is None  # left for the user
    assert [c["config_name"] for c in meta["configs"]] == ["default", "flagged"]
    assert meta["configs"][0]["data_files"] == [{"split": "train", "path": "data/train.parquet"}]
    assert meta["size_categories"] == ["n<1K"]
    math_row = f"| math | zero-shot | {12 - len(flagged)} | {len(flagged)} |"
    assert math_row in text and "| rivals | zero-shot | 3 | 0 |" in text
    assert "generation models: test-model (15)" in text and "synth_math_solve@" in text and "judge_sample@" in text
    assert "batches: 2" in text and "persona origins" in text


def test_file_export_keeps_flagged_apart_and_filters_on_quality(judged: GraphStore, tmp_path: Path) -> None:
    import datasets

    flags = _verified(judged)
    quality = {r["id"]: r["q"] for r in judged.cypher("MATCH (s:Sample) RETURN s.id AS id, s.quality AS q")}
    out = tmp_path / "samples.jsonl"
    result = write_samples(judged, out)
    assert result.flagged_path == tmp_path / "samples.flagged.jsonl" and result.card is None
    rows = [json.loads(line) for line in out.read_text().splitlines()]
    assert {r["id"] for r in rows} == {i for i, v in flags.items() if v is not False}
    together = write_samples(judged, tmp_path / "all.jsonl", include_flagged=True)
    assert together.written == 15 and together.flagged_path is None
    good = write_samples(judged, tmp_path / "good.jsonl", where="quality >= 4", include_flagged=True)
    expected = {i for i, q in quality.items() if q is not None and q >= 4}
    assert 0 < len(expected) < 15
    loaded = datasets.load_dataset(
        "json", data_files=str(tmp_path / "good.jsonl"), split="train", cache_dir=str(tmp_path / "hf")
    )
    assert good.written == len(expected) == loaded.num_rows and set(loaded["id"]) == expected
    with pytest.raises(ConfigError, match="where") as caught:
        write_samples(judged, tmp_path / "x.jsonl", where="hop <= 2")
    assert caught.value.params == ("where",) and not (tmp_path / "x.jsonl").exists()


def test_samples_read_in_small_pages_are_the_samples_read_whole(judged: GraphStore) -> None:
    """Pages of ids on the id index, then those samples: any page size gives the same rows in id
    order, with the flag and task filters too."""
    from personagraph.export.samples import iter_samples

    whole = list(iter_samples(judged))
    assert len(whole) == judged.count("Sample") > 5
    assert [r["id"] for r in whole] == sorted(r["id"] for r in whole)
    for page in (1, 2, 5):
        assert list(iter_samples(judged, page=page)) == whole
    flagged = [r for r in whole if r["verified"] is False]
    assert list(iter_samples(judged, page=2, flag="flagged")) == flagged
    assert list(iter_samples(judged, page=3, task="rivals")) == [r for r in whole if r["task"] == "rivals"] != []
