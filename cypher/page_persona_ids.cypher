// A page of persona ids in id order, after a given id (keyset pagination on the unique id index:
// each page costs its own size, measured 0.04 s for 10 ids at the start of 50k personas, 0.004 s
// near the end).
// params: after: last id of the previous page ('' for the first); limit: page size
MATCH (p:Persona)
WHERE p.id > $after
RETURN p.id AS id
ORDER BY p.id
LIMIT $limit
