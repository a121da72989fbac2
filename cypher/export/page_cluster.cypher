// A page of :Cluster nodes with all their properties, in id order (integer ids) after a given id.
// params: after: last id of the previous page (null for the first); limit: page size
MATCH (n:Cluster)
WHERE $after IS NULL OR n.id > $after
RETURN n.id AS id, properties(n) AS props
ORDER BY n.id
LIMIT $limit
