// One batch's properties, by id.
// params: batch: batch id
MATCH (b:Batch {id: $batch})
WHERE b.recording IS NULL
RETURN b.id AS id, b.task AS task, b.strategy AS strategy, b.size AS size, b.created_at AS created_at
