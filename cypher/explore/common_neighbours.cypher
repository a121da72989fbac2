// Personas related to both of two personas: the people who could introduce them, or the middle of
// a love triangle.
// params: a: persona id; b: persona id
MATCH (a:Persona {id: $a})--(c:Persona)--(b:Persona {id: $b})
WHERE c <> a AND c <> b
WITH a, b, c
RETURN DISTINCT c.id AS id, [(a)-[r]-(c) | type(r)] AS with_a, [(b)-[r]-(c) | type(r)] AS with_b, c.text AS text
ORDER BY id
