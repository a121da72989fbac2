// (:Sample)-[:GENERATED_BY]->(:Persona) edges of a page of samples (keyset by sample id); a sample
// without such an edge gives one row with a null dst, so the page's last key is always returned.
// params: after: last sample id of the previous page ('' for the first); limit: samples per page
MATCH (s:Sample)
WHERE s.id > $after
WITH s ORDER BY s.id LIMIT $limit
OPTIONAL MATCH (s)-[e:GENERATED_BY]->(p:Persona)
RETURN s.id AS key, s.id AS src, p.id AS dst, CASE WHEN e IS NULL THEN null ELSE properties(e) END AS props
ORDER BY key
