// Persona-to-Persona frontier: personas below the hop limit, not expanded, not claimed under a live lease; lowest hop first.
// params: max_hop: hop limit (personas with hop < max_hop); now: epoch seconds; exclude: ids to skip (failed this run); limit: pool size
MATCH (p:Persona)
WHERE p.hop < $max_hop AND p.expanded_at IS NULL
  AND (p.lease_until IS NULL OR p.lease_until < $now)
  AND NOT p.id IN $exclude
RETURN p.id AS id, p.text AS text, p.hop AS hop, p.origin AS origin, p.cluster AS cluster
ORDER BY p.hop, p.id
LIMIT $limit
