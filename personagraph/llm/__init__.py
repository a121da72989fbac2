"""The LLM layer: an async client for OpenAI-compatible endpoints (see ``client``)."""

from personagraph.llm.client import LLMClient, LLMRequest, LLMResult, default_cache_dir
from personagraph.llm.stats import LLMStats, Usage

__all__ = ["LLMClient", "LLMRequest", "LLMResult", "LLMStats", "Usage", "default_cache_dir"]
