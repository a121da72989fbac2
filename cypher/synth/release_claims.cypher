// Give back claims of groups still unwritten (a worker interrupted, or another worker's process gone).
// params: batch: batch id; worker: worker id; claims: claim ids, or null for every claim of that worker on the batch
// mode: write
MATCH (c:SynthClaim)
WHERE c.batch = $batch AND c.claimed_by = $worker AND ($claims IS NULL OR c.id IN $claims)
SET c.claimed_by = null, c.lease_until = null
RETURN count(c) AS n
