// Mark personas expanded, only those this worker still holds and nobody expanded meanwhile; returns them.
// Runs first in the transaction that writes the expansion, so a lost claim writes nothing.
// params: ids: persona ids; worker: worker id; run: run id; now: ISO-8601 time
// mode: write
UNWIND $ids AS id
MATCH (p:Persona {id: id})
WHERE p.claimed_by = $worker AND p.expanded_at IS NULL
SET p.expanded_at = $now, p.expanded_by = $worker, p.expanded_run = $run,
    p.expansions = coalesce(p.expansions, 0) + 1, p.claimed_by = null, p.lease_until = null
RETURN p.id AS id
