// Move the incoming __TYPE__ edges of duplicates to their canonical persona; a parallel edge there gets the count added.
// params: rows: list of {dup, canon}
// mode: write
UNWIND $rows AS r
MATCH (d:Persona {id: r.dup})
MATCH (c:Persona {id: r.canon})
MATCH (x)-[e:__TYPE__]->(d)
WITH c, x, e, properties(e) AS props, coalesce(e.count, 1) AS w
MERGE (x)-[n:__TYPE__]->(c)
ON CREATE SET n += props, n.count = w
ON MATCH SET n.count = coalesce(n.count, 1) + w
DELETE e
RETURN count(*) AS n
