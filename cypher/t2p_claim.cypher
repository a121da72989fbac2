// Claim texts for one Text-to-Persona worker with a lease; returns only the texts this worker now holds.
// The first SET takes each node's write lock (Neo4j) or makes concurrent claims conflict (ArcadeDB,
// optimistic), so the condition below is re-checked against the latest committed state.
// params: ids: text ids; key: "<prompt ref>/<granularity>" or ''; run: run id; worker: worker id; now: epoch seconds; until: lease end (epoch seconds)
// mode: write
UNWIND $ids AS id
MATCH (t:Text {id: id})
SET t.claim_checked = $now
WITH t
WHERE ($key = '' OR NOT $key IN coalesce(t.t2p_done, []))
  AND coalesce(t.t2p_run, '') <> $run
  AND (t.lease_until IS NULL OR t.lease_until < $now OR t.claimed_by = $worker)
SET t.claimed_by = $worker, t.lease_until = $until
RETURN t.id AS id, t.text AS text, t.source AS source
