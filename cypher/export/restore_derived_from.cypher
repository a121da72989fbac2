// (:Persona)-[:DERIVED_FROM]->(:Text) edges read back from an export, with their exported properties;
// an edge already there is left as it is.
// params: rows: list of {src: persona id, dst: text id, props}
// mode: write
UNWIND $rows AS r
MATCH (a:Persona {id: r.src})
MATCH (b:Text {id: r.dst})
MERGE (a)-[e:DERIVED_FROM]->(b)
ON CREATE SET e += r.props
RETURN count(e) AS n
