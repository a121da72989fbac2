// Persona-to-Persona frontier at one hop: not expanded, not claimed under a live lease (ids only: the claim returns texts).
// One hop at a time, lowest first (the caller walks the hops): an equality on the hop index with a
// LIMIT and no ORDER BY stops after `limit` rows instead of sorting the whole frontier.
// params: hop: the hop to read; now: epoch seconds; exclude: ids to skip (failed this run); origins: only these origins ([] for all); limit: pool size
MATCH (p:Persona)
WHERE p.hop = $hop AND p.expanded_at IS NULL
  AND (p.lease_until IS NULL OR p.lease_until < $now)
  AND NOT p.id IN $exclude
  AND (size($origins) = 0 OR p.origin IN $origins)
RETURN p.id AS id, p.hop AS hop, p.origin AS origin, p.cluster AS cluster
LIMIT $limit
