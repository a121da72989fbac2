// Store each persona's embedding cluster and relation-graph community.
// params: rows: list of {id, cluster, community}
// mode: write
UNWIND $rows AS r
MATCH (p:Persona {id: r.id})
SET p.cluster = r.cluster, p.community = r.community
RETURN count(p) AS n
