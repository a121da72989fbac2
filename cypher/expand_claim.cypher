// Claim frontier personas for one worker with a lease; returns only the rows this worker now holds.
// The first SET takes each node's write lock (Neo4j) or makes concurrent claims conflict (ArcadeDB,
// optimistic), so the condition below is re-checked against the latest committed state.
// params: ids: persona ids; worker: worker id; now: epoch seconds; until: lease end (epoch seconds)
// mode: write
UNWIND $ids AS id
MATCH (p:Persona {id: id})
SET p.claim_checked = $now
WITH p
WHERE p.expanded_at IS NULL AND (p.lease_until IS NULL OR p.lease_until < $now OR p.claimed_by = $worker)
SET p.claimed_by = $worker, p.lease_until = $until
RETURN p.id AS id, p.text AS text, p.hop AS hop
