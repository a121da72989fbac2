// A page of sample ids in id order, after a given id (keyset pagination on the unique id index).
// params: after: last id of the previous page ('' for the first); limit: page size
MATCH (s:Sample)
WHERE s.id > $after
RETURN s.id AS id
ORDER BY s.id
LIMIT $limit
