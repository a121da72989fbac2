// The usage ledger, last step: the batch's personas are all in, so readers see it.
// params: id: batch id
// mode: write
MATCH (b:Batch {id: $id})
SET b.recording = null, b.recording_until = null
RETURN b.id AS id
