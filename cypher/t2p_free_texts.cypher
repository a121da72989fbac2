// Texts a Text-to-Persona worker may claim, in id order after a given id: pending for this prompt
// and granularity (or this run, with --redo), not held under a live lease, not failed in this run.
// params: key: "<prompt ref>/<granularity>" ('' with --redo: every text is pending); run: run id; after: last id read ('' first); now: epoch seconds; exclude: ids to skip (failed this run); limit: pool size
MATCH (t:Text)
WHERE t.id > $after
  AND ($key = '' OR NOT $key IN coalesce(t.t2p_done, []))
  AND coalesce(t.t2p_run, '') <> $run
  AND (t.lease_until IS NULL OR t.lease_until < $now)
  AND NOT t.id IN $exclude
RETURN t.id AS id
ORDER BY t.id
LIMIT $limit
