// The (:Persona)-[:USED_IN]->(:Batch) edges leaving one keyset page of source ids, given as its
// first and last id: a range of their unique id index (GraphStore.range_columns). `WITH p ORDER BY
// p.id LIMIT $limit` before the edge match sorted every source on each page: O(N) a page, ~10 min
// for the USED_IN edges of 1M personas.
// params: first, last: the page's first and last source id
MATCH (p:Persona)
WHERE p.id >= $first AND p.id <= $last
MATCH (p)-[e:USED_IN]->(b:Batch)
RETURN p.id AS src, b.id AS dst, properties(e) AS props
