// Typed persona-to-persona edges touching any of the given personas, both directions.
// types: relation types to keep, or null for all of them.
// params: ids: list of persona ids; types: list of relation types or null
UNWIND $ids AS id
MATCH (p:Persona {id: id})-[r]-(q:Persona)
WHERE $types IS NULL OR type(r) IN $types
RETURN DISTINCT startNode(r).id AS src, type(r) AS type, endNode(r).id AS dst
