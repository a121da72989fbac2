// A page of personas to judge (keyset by id): those not yet scored by this judge prompt version,
// or all when redo; optionally only the personas a batch used (not one still being recorded).
// params: after: last id of the previous page ('' first); limit: page size; prompt: judge prompt name@version; redo: boolean; batch: batch id or null
MATCH (p:Persona)
WHERE p.id > $after AND ($redo OR p.judge_prompt IS NULL OR p.judge_prompt <> $prompt)
  AND ($batch IS NULL OR EXISTS { MATCH (p)-[:USED_IN]->(b:Batch {id: $batch}) WHERE b.recording IS NULL })
RETURN p.id AS id, p.text AS text
ORDER BY p.id
LIMIT $limit
