// A keyset page of the ids of samples to judge, in id order (the unique id index walked in order):
// those not yet scored by this judge prompt version, or all when redo; optionally of one batch or
// task. page_samples.cypher then reads those samples alone.
// params: after: last id of the previous page ('' first); limit: page size; prompt: judge prompt name@version; redo: boolean; batch: batch id or null; task: task name or null
MATCH (s:Sample)
WHERE s.id > $after AND ($redo OR s.judge_prompt IS NULL OR s.judge_prompt <> $prompt)
  AND ($batch IS NULL OR s.batch = $batch) AND ($task IS NULL OR s.task = $task)
RETURN s.id AS id
ORDER BY s.id
LIMIT $limit
