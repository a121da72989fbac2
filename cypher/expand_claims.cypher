// Live claims per worker (used to release the claims of a worker process that died on this host).
// params: max_hop: hop limit
MATCH (p:Persona)
WHERE p.hop < $max_hop AND p.expanded_at IS NULL AND p.claimed_by IS NOT NULL
RETURN p.claimed_by AS worker, count(p) AS n, min(p.lease_until) AS lease_until
