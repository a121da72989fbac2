// How many texts are left for this Text-to-Persona run (claimed or not), and when the earliest live lease ends.
// params: key: "<prompt ref>/<granularity>" or ''; run: run id; now: epoch seconds; exclude: ids to skip (failed this run)
MATCH (t:Text)
WHERE ($key = '' OR NOT $key IN coalesce(t.t2p_done, []))
  AND coalesce(t.t2p_run, '') <> $run
  AND NOT t.id IN $exclude
RETURN count(t) AS pending,
       count(CASE WHEN t.lease_until >= $now THEN 1 END) AS leased,
       min(CASE WHEN t.lease_until >= $now THEN t.lease_until END) AS next_lease_end
