// The (:Sample)-[:GENERATED_BY]->(:Persona) edges leaving one keyset page of source ids, given as its
// first and last id: a range of their unique id index (GraphStore.range_columns). `WITH s ORDER BY
// s.id LIMIT $limit` before the edge match sorted every source on each page: O(N) a page (~10 min
// for the USED_IN edges of 1M personas, where it was measured).
// params: first, last: the page's first and last source id
MATCH (s:Sample)
WHERE s.id >= $first AND s.id <= $last
MATCH (s)-[e:GENERATED_BY]->(p:Persona)
RETURN s.id AS src, p.id AS dst, properties(e) AS props
