"""Shards on disk and the engines that run the whole-graph stages on them (this process, or Dask)."""
