"""Near-duplicate personas, found and resolved as entities.

Algorithms on plain arrays (no store): MinHash signatures (``minhash``), LSH banding and exact
Jaccard (``lsh``), cosine pairs (``ann``), duplicate groups (``groups``). On the graph: the
whole-graph run (``run``), merging groups into canonical personas (``merge``) and insert-time
resolution of new personas (``resolver``).
"""
