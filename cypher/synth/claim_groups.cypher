// Claim groups of a running synth batch for one worker, with a lease; returns the groups this worker
// now holds. The first SET takes the batch's write lock (Neo4j) or makes concurrent claims on the
// batch conflict (ArcadeDB, optimistic), so a claim never slips past the batch being finished. A
// group is claimable when no worker finished or gave it up, no live lease holds it, and (unless
// regenerating) it has no sample yet.
// params: batch: batch id; groups: list of {group, claim: claim id, sample: sample id}; worker: worker id; now: epoch seconds; until: lease end; redo: true when regenerating
// mode: write
MATCH (b:Batch {id: $batch})
SET b.claim_checked = $now
WITH b
WHERE b.status = 'running'
UNWIND $groups AS g
MERGE (c:SynthClaim {id: g.claim})
ON CREATE SET c.batch = $batch, c.group = g.group
WITH c, g
OPTIONAL MATCH (s:Sample {id: g.sample})
WITH c, g, s
WHERE c.done_at IS NULL AND c.failed_at IS NULL
  AND (c.lease_until IS NULL OR c.lease_until < $now OR c.claimed_by = $worker)
  AND ($redo OR s IS NULL)
SET c.claimed_by = $worker, c.lease_until = $until
RETURN c.group AS group
