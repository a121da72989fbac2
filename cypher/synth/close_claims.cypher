// Close claims once their groups are written (done) or given up after a failed reply (failed: no other
// worker of this run asks for them again; `synth --batch ID` does, after the batch is finished).
// params: claims: claim ids; now: epoch seconds; failed: true for failed groups
// mode: write
UNWIND $claims AS id
MATCH (c:SynthClaim {id: id})
SET c.claimed_by = null, c.lease_until = null, c.done_at = CASE WHEN $failed THEN c.done_at ELSE $now END,
    c.failed_at = CASE WHEN $failed THEN $now ELSE c.failed_at END
RETURN count(c) AS n
