// Move the outgoing __TYPE__ edges of duplicates to their canonical persona; a parallel edge there gets the count added.
// params: rows: list of {dup, canon}
// mode: write
UNWIND $rows AS r
MATCH (d:Persona {id: r.dup})
MATCH (c:Persona {id: r.canon})
MATCH (d)-[e:__TYPE__]->(x)
WITH c, x, e, properties(e) AS props, coalesce(e.count, 1) AS w
MERGE (c)-[n:__TYPE__]->(x)
ON CREATE SET n += props, n.count = w
ON MATCH SET n.count = coalesce(n.count, 1) + w
DELETE e
RETURN count(*) AS n
