// The personas used most in synthesis: the `uses` counter, the batches they fed (USED_IN) and the
// samples generated from them (GENERATED_BY). Personas never used are left out.
// params: limit: most rows to return (default 20)
MATCH (p:Persona)
WITH p, coalesce(p.uses, 0) AS uses, COUNT { (p)-[:USED_IN]->(:Batch) } AS batches, COUNT { (:Sample)-[:GENERATED_BY]->(p) } AS samples
WHERE uses > 0 OR batches > 0 OR samples > 0
RETURN p.id AS id, uses, batches, samples, p.text AS text
ORDER BY uses DESC, batches DESC, samples DESC, id
LIMIT $limit
