// Create generated samples and their lineage: (:Sample)-[:GENERATED_BY]->(:Persona) per persona.
// params: rows: list of {id, props, personas: list of {id, role}}; edge: map of edge properties (task, mode, batch, model)
// mode: write
UNWIND $rows AS r
MERGE (s:Sample {id: r.id})
ON CREATE SET s += r.props
WITH s, r
UNWIND r.personas AS m
MATCH (p:Persona {id: m.id})
MERGE (s)-[g:GENERATED_BY]->(p)
ON CREATE SET g += $edge, g.role = m.role
RETURN count(DISTINCT s) AS n
