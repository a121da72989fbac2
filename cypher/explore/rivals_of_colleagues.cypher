// Rivals of a persona's colleagues (either direction), excluding the persona itself: a quick
// source of workplace tension for a story or a game cast.
// params: id: persona id
MATCH (p:Persona {id: $id})-[:COLLEAGUE]-(c:Persona)-[:RIVAL]-(r:Persona)
WHERE r <> p
RETURN DISTINCT c.id AS colleague_id, r.id AS rival_id, c.text AS colleague, r.text AS rival
ORDER BY colleague_id, rival_id
