// Extend the lease on personas this worker still holds (heartbeat while their LLM calls run).
// params: ids: persona ids; worker: worker id; until: new lease end (epoch seconds)
// mode: write
UNWIND $ids AS id
MATCH (p:Persona {id: id})
WHERE p.claimed_by = $worker AND p.expanded_at IS NULL
SET p.lease_until = $until
RETURN count(p) AS n
