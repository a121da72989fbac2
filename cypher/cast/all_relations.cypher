// Every persona-to-persona edge as (src, type, dst) only, unordered, for community detection.
// params: types: list of relation types or null for all
MATCH (a:Persona)-[r]->(b:Persona)
WHERE $types IS NULL OR type(r) IN $types
RETURN a.id AS src, type(r) AS type, b.id AS dst
