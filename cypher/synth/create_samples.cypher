// Create (or, when regenerated, overwrite) generated samples and their lineage: (:Sample)-[:GENERATED_BY]->(:Persona).
// A sample's id is stable per (batch, group), so writing the same group again never duplicates it.
// params: rows: list of {id, props, personas: list of {id, role}}; edge: map of edge properties (task, mode, batch, model)
// mode: write
UNWIND $rows AS r
MERGE (s:Sample {id: r.id})
SET s += r.props
WITH s, r
UNWIND r.personas AS m
MATCH (p:Persona {id: m.id})
MERGE (s)-[g:GENERATED_BY]->(p)
SET g += $edge, g.role = m.role
RETURN count(DISTINCT s) AS n
