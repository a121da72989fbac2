// A persona named again by a source closer to the hop-0 set takes the lower hop (hop = expansion distance).
// Only personas whose hop drops are written, so workers that link to the same persona do not collide on it.
// params: ids, hops: parallel lists (persona id, the hop this answer gives it)
// mode: write
UNWIND range(0, size($ids) - 1) AS i
MATCH (p:Persona {id: $ids[i]})
WHERE p.hop > $hops[i]
SET p.hop = $hops[i]
RETURN count(p) AS n
