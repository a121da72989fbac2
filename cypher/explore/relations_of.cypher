// Every relation of one persona: type, direction (out: the persona is the first named), the other
// persona and the evidence sentence.
// params: id: persona id
MATCH (p:Persona {id: $id})-[r]-(o:Persona)
RETURN type(r) AS type, CASE WHEN startNode(r) = p THEN 'out' ELSE 'in' END AS direction, o.id AS other_id, r.evidence AS evidence, o.text AS other
ORDER BY type, direction, other_id
