// Merge typed edges between existing personas (__TYPE__ is a vocabulary-checked relation type).
// Rows whose endpoints are missing match nothing and are not counted.
// params: rows: list of {src, dst, props}
// mode: write
UNWIND $rows AS r
MATCH (a:Persona {id: r.src})
MATCH (b:Persona {id: r.dst})
MERGE (a)-[e:__TYPE__]->(b)
ON CREATE SET e += r.props
RETURN count(e) AS n
