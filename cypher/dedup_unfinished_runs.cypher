// Dedup runs that started merging and never finished (the process died), oldest first.
// params: none
MATCH (r:DedupRun)
WHERE r.status = 'running'
RETURN r.id AS id, r.created_at AS created_at, r.pending_groups AS groups
ORDER BY r.created_at, r.id
