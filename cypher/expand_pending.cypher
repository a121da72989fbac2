// How much of the frontier is left (claimed or not), and when the earliest live lease ends.
// params: max_hop: hop limit; exclude: ids to skip (failed this run); origins: only these origins ([] for all); now: epoch seconds
MATCH (p:Persona)
WHERE p.hop < $max_hop AND p.expanded_at IS NULL AND NOT p.id IN $exclude
  AND (size($origins) = 0 OR p.origin IN $origins)
RETURN count(p) AS pending,
       count(CASE WHEN p.lease_until >= $now THEN 1 END) AS leased,
       min(CASE WHEN p.lease_until >= $now THEN p.lease_until END) AS next_lease_end
