// Pairs of personas joined more than once by the same relation type in the same direction (should be none).
// params: none
MATCH (a:Persona)-[r]->(b:Persona)
WITH a.id AS src, b.id AS dst, type(r) AS type, count(*) AS n
WHERE n > 1
RETURN src, dst, type, n
ORDER BY n DESC
LIMIT 100
