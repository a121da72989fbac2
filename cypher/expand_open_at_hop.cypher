// Whether any persona at this hop is still to be expanded, claimed or not (one row or none).
// The lowest such hop bounds the frontier: a worker claims at that hop or the next, never further
// ahead, so a persona is expanded only once no shorter route to it can still appear.
// params: hop: the hop to look at; exclude: ids to skip (failed this run); origins: only these origins ([] for all)
MATCH (p:Persona)
WHERE p.hop = $hop AND p.expanded_at IS NULL
  AND NOT p.id IN $exclude
  AND (size($origins) = 0 OR p.origin IN $origins)
RETURN p.id AS id
LIMIT 1
