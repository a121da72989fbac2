// Pairs of personas linked in both directions (a mentor and a student who each named the other,
// a supplier who is also a client), one row per pair of edges.
// params: limit: most rows to return (default 100)
MATCH (a:Persona)-[r1]->(b:Persona)-[r2]->(a)
WHERE a.id < b.id
RETURN a.id AS a_id, type(r1) AS a_to_b, type(r2) AS b_to_a, b.id AS b_id, a.text AS a_text, b.text AS b_text
ORDER BY a_id, b_id, a_to_b, b_to_a
LIMIT $limit
