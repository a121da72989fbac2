// One shortest chain of relations between two personas (up to 10 steps, through personas only),
// with the relation types along it. No row if they are not connected (or are the same persona).
// params: a: persona id; b: persona id
MATCH (a:Persona {id: $a}), (b:Persona {id: $b})
WHERE a <> b
MATCH path = shortestPath((a)-[:__RELATIONS__*..10]-(b))
RETURN length(path) AS hops, [x IN nodes(path) | x.id] AS ids, [r IN relationships(path) | type(r)] AS relations, [x IN nodes(path) | x.text] AS personas
