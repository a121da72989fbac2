// Release expansion claims whose lease ended before $now (all of them when $now is null).
// params: now: epoch seconds or null
// mode: write
MATCH (p:Persona)
WHERE p.claimed_by IS NOT NULL AND ($now IS NULL OR p.lease_until IS NULL OR p.lease_until < $now)
SET p.claimed_by = null, p.lease_until = null
RETURN count(p) AS n
