// Release every claim of one worker (a process on this host that is no longer running).
// params: worker: worker id
// mode: write
MATCH (p:Persona)
WHERE p.claimed_by = $worker AND p.expanded_at IS NULL
SET p.claimed_by = null, p.lease_until = null
RETURN count(p) AS n
