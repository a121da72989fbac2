// (:Persona)-[:USED_IN]->(:Batch) edges read back from an export, with their exported properties;
// an edge already there is left as it is.
// params: rows: list of {src: persona id, dst: batch id, props}
// mode: write
UNWIND $rows AS r
MATCH (a:Persona {id: r.src})
MATCH (b:Batch {id: r.dst})
MERGE (a)-[e:USED_IN]->(b)
ON CREATE SET e += r.props
RETURN count(e) AS n
