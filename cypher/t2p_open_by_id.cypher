// Of these texts, how many are left for this Text-to-Persona run (see t2p_open.cypher).
// params: ids: text ids; key: "<prompt ref>/<granularity>" or ''; run: run id; now: epoch seconds; exclude: ids to skip (failed this run)
UNWIND $ids AS id
MATCH (t:Text {id: id})
WHERE ($key = '' OR NOT $key IN coalesce(t.t2p_done, []))
  AND coalesce(t.t2p_run, '') <> $run
  AND NOT t.id IN $exclude
RETURN count(t) AS pending,
       count(CASE WHEN t.lease_until >= $now THEN 1 END) AS leased,
       min(CASE WHEN t.lease_until >= $now THEN t.lease_until END) AS next_lease_end
