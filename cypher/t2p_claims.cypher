// Live Text-to-Persona claims per worker (used to release the claims of a worker process that died on this host).
// params: none
MATCH (t:Text)
WHERE t.claimed_by IS NOT NULL
RETURN t.claimed_by AS worker, count(t) AS n, min(t.lease_until) AS lease_until
