// The samples of a page of ids (sample_ids.cypher) with their lineage for export: the personas in
// role order.
// params: ids: sample ids (one page)
UNWIND $ids AS sid
MATCH (s:Sample {id: sid})
MATCH (s)-[g:GENERATED_BY]->(p:Persona)
WITH s, g, p ORDER BY s.id, g.role
WITH s, collect(p.id) AS persona_ids, collect(p.text) AS persona_texts, collect(p.origin) AS persona_origins,
     collect(p.hop) AS persona_hops
RETURN s.id AS id, s.task AS task, s.mode AS mode, s.text AS text, s.data AS data, s.batch AS batch,
       s.model AS model, s.prompt AS prompt, s.prompt_version AS prompt_version, s.relation AS relation,
       s.options AS options, s.created_at AS created_at, s.verified AS verified, s.verify_reason AS verify_reason,
       s.solver_prompt AS solver_prompt, s.quality AS quality, s.judge_prompt AS judge_prompt,
       s.judge_model AS judge_model, persona_ids, persona_texts, persona_origins, persona_hops
ORDER BY id
