// A page of persona-to-persona edges.
// params: skip: rows to skip; limit: page size
MATCH (a:Persona)-[r]->(b:Persona)
RETURN a.id AS src, b.id AS dst, type(r) AS type, properties(r) AS props
ORDER BY src, dst, type
SKIP $skip
LIMIT $limit
