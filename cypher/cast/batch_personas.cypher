// The personas a sampled batch used: (:Persona)-[:USED_IN]->(:Batch {id}).
// params: batch: batch id
MATCH (p:Persona)-[:USED_IN]->(b:Batch {id: $batch})
WHERE b.recording IS NULL
RETURN p.id AS id
ORDER BY id
