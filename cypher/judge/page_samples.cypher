// The samples of a page of ids (sample_ids.cypher) with their persona texts in role order.
// params: ids: sample ids (one page)
UNWIND $ids AS sid
MATCH (s:Sample {id: sid})
OPTIONAL MATCH (s)-[g:GENERATED_BY]->(p:Persona)
WITH s, g, p ORDER BY s.id, g.role
WITH s, collect(p.text) AS persona_texts
RETURN s.id AS id, s.task AS task, s.text AS text, s.data AS data, s.verified AS verified, persona_texts
ORDER BY id
