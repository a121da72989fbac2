// The persona another persona was expanded from: a related persona with a smaller hop. An edge
// that Persona-to-Persona expansion wrote names its source (`expanded`); such an edge comes first,
// then the nearest hop. Structural edges are not relations.
// params: id: persona id; structural: list of structural edge types to ignore
MATCH (p:Persona {id: $id})-[r]-(q:Persona)
WHERE q.hop < p.hop AND NOT type(r) IN $structural
OPTIONAL MATCH (q)-[:DERIVED_FROM]->(t:Text)
RETURN q.id AS id, q.text AS text, q.hop AS hop, q.origin AS origin, type(r) AS relation,
       startNode(r) = q AS outgoing, coalesce(r.expanded = q.id, false) AS from_expansion,
       collect(t.id)[0] AS text_id, collect(t.text)[0] AS source_text
ORDER BY from_expansion DESC, hop DESC, id
LIMIT 1
