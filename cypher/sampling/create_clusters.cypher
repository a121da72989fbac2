// One :Cluster node per embedding cluster: its readable label, top words, size and how it was made.
// params: rows: list of {id, label, words, size, k, seed, embedder, method, created_at}
// mode: write
UNWIND $rows AS r
CREATE (c:Cluster {id: r.id})
SET c += r
RETURN count(c) AS n
