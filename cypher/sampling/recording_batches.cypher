// Batches whose ledger was cut short: marked `recording` with a lease that ended before $now (every
// marked batch when $now is null: an embedded store has no other process that could be writing one).
// params: now: epoch seconds or null
MATCH (b:Batch)
WHERE b.recording = true AND ($now IS NULL OR b.recording_until IS NULL OR b.recording_until < $now)
RETURN b.id AS id, b.personas AS personas
ORDER BY id
