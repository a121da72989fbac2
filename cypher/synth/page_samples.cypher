// A page of samples (keyset by id), optionally of one batch or task, with lineage for export.
// params: after: last id of the previous page ('' first); limit: page size; batch: batch id or null; task: task name or null
MATCH (s:Sample)
WHERE s.id > $after AND ($batch IS NULL OR s.batch = $batch) AND ($task IS NULL OR s.task = $task)
WITH s ORDER BY s.id LIMIT $limit
MATCH (s)-[g:GENERATED_BY]->(p:Persona)
WITH s, g, p ORDER BY s.id, g.role
WITH s, collect(p.id) AS persona_ids, collect(p.text) AS persona_texts
RETURN s.id AS id, s.task AS task, s.mode AS mode, s.text AS text, s.data AS data, s.batch AS batch,
       s.model AS model, s.prompt AS prompt, s.prompt_version AS prompt_version, s.relation AS relation,
       s.options AS options, s.created_at AS created_at, persona_ids, persona_texts
ORDER BY id
