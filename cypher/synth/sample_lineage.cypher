// A sample and the personas it was generated from, with the texts they were derived from.
// params: id: sample id
MATCH (s:Sample {id: $id})-[g:GENERATED_BY]->(p:Persona)
OPTIONAL MATCH (p)-[:DERIVED_FROM]->(t:Text)
WITH s, g, p, collect({id: t.id, source: t.source, text: t.text}) AS texts
RETURN s.id AS id, s.task AS task, s.mode AS mode, s.text AS text, s.batch AS batch, s.model AS model,
       s.prompt AS prompt, g.role AS role, p.id AS persona_id, p.text AS persona_text, p.hop AS hop,
       p.origin AS origin, texts
ORDER BY role
