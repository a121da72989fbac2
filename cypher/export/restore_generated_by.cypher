// (:Sample)-[:GENERATED_BY]->(:Persona) edges read back from an export, with their exported properties;
// an edge already there is left as it is.
// params: rows: list of {src: sample id, dst: persona id, props}
// mode: write
UNWIND $rows AS r
MATCH (a:Sample {id: r.src})
MATCH (b:Persona {id: r.dst})
MERGE (a)-[e:GENERATED_BY]->(b)
ON CREATE SET e += r.props
RETURN count(e) AS n
