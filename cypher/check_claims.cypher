// Expansion claims still held: personas claimed by a worker and never expanded.
// params: none
MATCH (p:Persona)
WHERE p.claimed_by IS NOT NULL AND p.expanded_at IS NULL
RETURN p.claimed_by AS worker, count(p) AS n, max(p.lease_until) AS lease_until
ORDER BY worker
