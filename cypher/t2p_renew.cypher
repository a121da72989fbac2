// Extend the lease on texts this Text-to-Persona worker still holds (heartbeat while their LLM calls run).
// params: ids: text ids; worker: worker id; until: new lease end (epoch seconds)
// mode: write
UNWIND $ids AS id
MATCH (t:Text {id: id})
WHERE t.claimed_by = $worker
SET t.lease_until = $until
RETURN count(t) AS n
