// The samples generated from one batch, each with its personas in role order.
// params: id: batch id
MATCH (s:Sample {batch: $id})-[g:GENERATED_BY]->(p:Persona)
WITH s, g, p ORDER BY g.role
WITH s, collect(p.id) AS persona_ids
RETURN s.id AS id, s.text AS text, persona_ids
ORDER BY id
