// (:Persona)-[:DERIVED_FROM]->(:Text) edges of a page of personas (keyset by persona id); a persona
// without such an edge gives one row with a null dst, so the page's last key is always returned.
// params: after: last persona id of the previous page ('' for the first); limit: personas per page
MATCH (p:Persona)
WHERE p.id > $after
WITH p ORDER BY p.id LIMIT $limit
OPTIONAL MATCH (p)-[e:DERIVED_FROM]->(t:Text)
RETURN p.id AS key, p.id AS src, t.id AS dst, CASE WHEN e IS NULL THEN null ELSE properties(e) END AS props
ORDER BY key
