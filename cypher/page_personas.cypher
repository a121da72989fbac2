// A page of personas in id order, after a given id (keyset pagination).
// params: after: last id of the previous page ('' for the first); limit: page size
MATCH (p:Persona)
WHERE p.id > $after
RETURN p.id AS id, p.text AS text, p.origin AS origin, p.hop AS hop, p.cluster AS cluster, p.uses AS uses
ORDER BY p.id
LIMIT $limit
