// Personas named by Persona-to-Persona answers; one already in the graph (same content id) is left as it is.
// Parallel lists of scalars rather than a list of maps: the embedded store converts a scalar list in
// one call, a map per row element by element (most of the write's CPU time at hundreds of calls/s).
// params: ids, texts, hops: parallel lists; now: ISO-8601 creation time
// mode: write
UNWIND range(0, size($ids) - 1) AS i
MERGE (p:Persona {id: $ids[i]})
ON CREATE SET p.text = $texts[i], p.hop = $hops[i], p.origin = 'persona', p.uses = 0, p.created_at = $now
RETURN count(p) AS n
