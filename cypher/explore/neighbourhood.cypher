// The personas within two relations of one persona, nearest first; `direct` lists the relation
// types that link a 1-hop neighbour to the persona (empty for 2-hop neighbours). Paths go through
// personas only, not through shared texts, samples or batches.
// params: id: persona id; limit: most rows to return (default 50)
MATCH path = (p:Persona {id: $id})-[*1..2]-(n:Persona)
WHERE n <> p AND all(x IN nodes(path) WHERE x:Persona)
WITH p, n, min(length(path)) AS hops
RETURN n.id AS id, hops, [(p)-[r]-(n) | type(r)] AS direct, n.text AS text
ORDER BY hops, id
LIMIT $limit
