// Every (start labels, type, end labels) kind of edge with its count and distinct property-key sets.
// params: none
MATCH (a)-[r]->(b)
RETURN labels(a) AS src, type(r) AS type, labels(b) AS dst, count(*) AS n, collect(DISTINCT keys(r)) AS keysets
