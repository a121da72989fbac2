// Merge typed edges between existing personas; one row back per (src, dst) that matched, saying
// whether its edge is new (__TYPE__ is a vocabulary-checked type). No two rows may share (src, dst).
// params: rows: list of {src, dst, props}
// mode: write
UNWIND $rows AS r
MATCH (a:Persona {id: r.src})
MATCH (b:Persona {id: r.dst})
OPTIONAL MATCH (a)-[old:__TYPE__]->(b)
WITH a, b, r, count(old) AS before
MERGE (a)-[e:__TYPE__]->(b)
ON CREATE SET e += r.props
WITH r, before, count(e) AS edges
RETURN r.src AS src, r.dst AS dst, before = 0 AS created
