// Triangles: three personas that are all related to each other (any type, any direction), each
// listed once. Dense triangles are good seeds for a cast.
// params: limit: most rows to return (default 100)
MATCH (a:Persona)--(b:Persona)--(c:Persona)--(a)
WHERE a.id < b.id AND b.id < c.id
WITH DISTINCT a, b, c
RETURN a.id AS a_id, b.id AS b_id, c.id AS c_id, [a.text, b.text, c.text] AS personas
ORDER BY a_id, b_id, c_id
LIMIT $limit
