// The cluster label nodes, by id.
// params: none
MATCH (c:Cluster)
RETURN c.id AS id, c.label AS label, c.words AS words, c.size AS size, c.k AS k, c.seed AS seed,
       c.embedder AS embedder, c.created_at AS created_at
ORDER BY c.id
