// Every claim on the groups of one synth batch: who holds it until when, and whether it is done or failed.
// params: batch: batch id
MATCH (c:SynthClaim)
WHERE c.batch = $batch
RETURN c.group AS group, c.claimed_by AS worker, c.lease_until AS lease_until, c.done_at AS done_at,
       c.failed_at AS failed_at
