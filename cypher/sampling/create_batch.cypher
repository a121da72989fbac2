// The usage ledger of a batch too large for one transaction, step 1: the :Batch node, marked
// `recording` until its last chunk is in. Readers skip a batch while it is marked; the next `sample`
// (or `check --fix`) undoes one whose recording stopped: recording_until is a lease, renewed by each chunk.
// params: id: batch id; props: flat map of batch properties; until: epoch seconds
// mode: write
CREATE (b:Batch {id: $id})
SET b += $props, b.recording = true, b.recording_until = $until
RETURN b.id AS id
