// Record how far synthesis got on a batch: running (interrupted runs resume it), done, or partial.
// params: id: batch id; status: running|done|partial; samples: samples the batch has; now: ISO time
// mode: write
MATCH (b:Batch {id: $id})
SET b.status = $status, b.samples_written = $samples, b.status_at = $now
RETURN b.id AS id
