// The personas a batch used, with their facets.
// params: id: batch id
MATCH (p:Persona)-[:USED_IN]->(b:Batch {id: $id})
WHERE b.recording IS NULL
RETURN p.id AS id, p.text AS text, p.hop AS hop, p.origin AS origin, p.cluster AS cluster,
       p.community AS community, p.uses AS uses
ORDER BY p.id
