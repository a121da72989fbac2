// A page of :Batch nodes with all their properties, in id order after a given id (keyset pagination).
// params: after: last id of the previous page ('' for the first); limit: page size
MATCH (n:Batch)
WHERE n.id > $after
RETURN n.id AS id, properties(n) AS props
ORDER BY n.id
LIMIT $limit
