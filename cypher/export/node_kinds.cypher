// Every label set in the graph with its node count and the distinct property-key sets of its nodes
// (neo4j-admin needs the columns of a file before its first row).
// params: none
MATCH (n)
RETURN labels(n) AS labels, count(*) AS n, collect(DISTINCT keys(n)) AS keysets
