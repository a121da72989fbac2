// Of these texts, those a Text-to-Persona worker may claim (see t2p_free_texts.cypher), in id order.
// params: ids: text ids; key: "<prompt ref>/<granularity>" or ''; run: run id; now: epoch seconds; exclude: ids to skip (failed this run)
UNWIND $ids AS id
MATCH (t:Text {id: id})
WHERE ($key = '' OR NOT $key IN coalesce(t.t2p_done, []))
  AND coalesce(t.t2p_run, '') <> $run
  AND (t.lease_until IS NULL OR t.lease_until < $now)
  AND NOT t.id IN $exclude
RETURN t.id AS id
ORDER BY t.id
