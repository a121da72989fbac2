// The (:Sample)-[:GENERATED_BY]->(:Persona) edges leaving a page of source ids (a keyset page of their unique
// id index), each source found through that index. `WITH s ORDER BY s.id LIMIT $limit` before the
// edge match sorted every source on each page: O(N) a page, ~10 min for the USED_IN edges of 1M personas.
// params: ids: source ids (one page)
UNWIND $ids AS id
MATCH (s:Sample {id: id})-[e:GENERATED_BY]->(p:Persona)
RETURN s.id AS src, p.id AS dst, properties(e) AS props
