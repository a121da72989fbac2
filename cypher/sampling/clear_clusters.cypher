// Remove the cluster label nodes of an earlier `personagraph cluster` run.
// params: none
// mode: write
MATCH (c:Cluster)
DETACH DELETE c
RETURN count(*) AS n
