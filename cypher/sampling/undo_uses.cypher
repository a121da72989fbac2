// Undo part of a batch cut short while recorded: up to $limit of its USED_IN edges, and the use each
// counted. Run until it returns 0; then sampling/drop_recording_batch removes the node.
// params: id: batch id; limit: edges per transaction
// mode: write
MATCH (p:Persona)-[e:USED_IN]->(b:Batch {id: $id})
WHERE b.recording = true
WITH p, e
LIMIT $limit
SET p.uses = p.uses - 1
DELETE e
RETURN count(*) AS n
