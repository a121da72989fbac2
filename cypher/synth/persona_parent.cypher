// The persona another persona was expanded from: a related persona with a smaller hop (the
// nearest hop first), with the relation and its direction. Structural edges are not relations.
// params: id: persona id; structural: list of structural edge types to ignore
MATCH (p:Persona {id: $id})-[r]-(q:Persona)
WHERE q.hop < p.hop AND NOT type(r) IN $structural
OPTIONAL MATCH (q)-[:DERIVED_FROM]->(t:Text)
RETURN q.id AS id, q.text AS text, q.hop AS hop, q.origin AS origin, type(r) AS relation,
       startNode(r) = q AS outgoing, r.hop AS edge_hop, collect(t.id)[0] AS text_id, collect(t.text)[0] AS source_text
ORDER BY hop DESC, id
LIMIT 1
