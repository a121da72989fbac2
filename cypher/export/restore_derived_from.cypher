// (:Persona)-[:DERIVED_FROM]->(:Text) edges read back from an export, with their exported properties.
// params: rows: list of {src: persona id, dst: text id, props}
// mode: write
UNWIND $rows AS r
MATCH (a:Persona {id: r.src})
MATCH (b:Text {id: r.dst})
CREATE (a)-[e:DERIVED_FROM]->(b)
SET e += r.props
RETURN count(e) AS n
