// The (:Persona)-[:USED_IN]->(:Batch) edges leaving a page of source ids (a keyset page of their unique
// id index), each source found through that index. `WITH p ORDER BY p.id LIMIT $limit` before the
// edge match sorted every source on each page: O(N) a page, ~10 min for the USED_IN edges of 1M personas.
// params: ids: source ids (one page)
UNWIND $ids AS id
MATCH (p:Persona {id: id})-[e:USED_IN]->(b:Batch)
RETURN p.id AS src, b.id AS dst, properties(e) AS props
