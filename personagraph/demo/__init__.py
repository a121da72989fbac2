"""The example walk-through behind ``personagraph demo`` (and ``make demo``), outside the library's stages.

``run_demo`` builds the Kelvark example world in a fresh embedded store and runs each stage on it:
import, stats, explore, the LLM stages (when an endpoint is configured), dedup, sampling and
synthesis, and an NPC cast.
"""

from personagraph.demo.run import run_demo

__all__ = ["run_demo"]
