// Release every Text-to-Persona claim of one worker (a process on this host that is no longer running).
// params: worker: worker id
// mode: write
MATCH (t:Text)
WHERE t.claimed_by = $worker
SET t.claimed_by = null, t.lease_until = null
RETURN count(t) AS n
