// Typed edges from the given personas to any of the target personas, with the evidence sentence when there is one.
// params: ids: list of source persona ids; targets: list of persona ids; types: list of relation types or null for all
UNWIND $ids AS id
MATCH (a:Persona {id: id})-[r]->(b:Persona)
WHERE b.id IN $targets AND ($types IS NULL OR type(r) IN $types)
RETURN a.id AS src, type(r) AS type, b.id AS dst, coalesce(r.evidence, '') AS evidence
