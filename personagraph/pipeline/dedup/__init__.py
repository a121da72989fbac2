"""Near-duplicate detection on plain arrays (no store imports): MinHash signatures (``minhash``),
LSH banding and exact Jaccard (``lsh``), cosine pairs (``ann``), duplicate groups (``groups``).

The graph side is in ``personagraph.pipeline.deduplicate`` (the whole-graph run),
``personagraph.pipeline.merge`` (merging groups) and ``personagraph.pipeline.near_duplicates``
(insert-time resolution).
"""
