// The personas a sampled batch used: (:Persona)-[:USED_IN]->(:Batch {id}).
// params: batch: batch id
MATCH (p:Persona)-[:USED_IN]->(b:Batch {id: $batch})
RETURN p.id AS id
ORDER BY id
