// Extend the lease on groups this worker still holds (heartbeat while their LLM calls run).
// params: claims: claim ids; worker: worker id; until: new lease end (epoch seconds)
// mode: write
UNWIND $claims AS id
MATCH (c:SynthClaim {id: id})
WHERE c.claimed_by = $worker AND c.done_at IS NULL
SET c.lease_until = $until
RETURN count(c) AS n
