// A page of samples to judge (keyset by id), with their persona texts in role order: those not yet
// scored by this judge prompt version, or all when redo; optionally of one batch or task.
// params: after: last id of the previous page ('' first); limit: page size; prompt: judge prompt name@version; redo: boolean; batch: batch id or null; task: task name or null
MATCH (s:Sample)
WHERE s.id > $after AND ($redo OR s.judge_prompt IS NULL OR s.judge_prompt <> $prompt)
  AND ($batch IS NULL OR s.batch = $batch) AND ($task IS NULL OR s.task = $task)
WITH s ORDER BY s.id LIMIT $limit
OPTIONAL MATCH (s)-[g:GENERATED_BY]->(p:Persona)
WITH s, g, p ORDER BY s.id, g.role
WITH s, collect(p.text) AS persona_texts
RETURN s.id AS id, s.task AS task, s.text AS text, s.data AS data, s.verified AS verified, persona_texts
ORDER BY id
