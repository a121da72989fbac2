// A page of personas with what duplicate detection needs, in id order after a given id (keyset pagination).
// params: after: last id of the previous page ('' for the first); limit: page size
MATCH (p:Persona)
WHERE p.id > $after
RETURN p.id AS id, p.text AS text, p.hop AS hop, p.created_at AS created_at
ORDER BY p.id
LIMIT $limit
